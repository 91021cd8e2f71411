#!/usr/bin/env bash
# bash completion (dist/bash-completion/holdfastctl and holdfastd), driven for real:
# a fresh bash loads each file, COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT are set
# as readline sets them and the registered function is called (completion_lib.sh);
# once without bash-completion and once with its helpers (the package is loaded
# and loads the file by name, as on the first TAB). Checked: commands and options
# against each binary's --help (so a new option must be completed), prefixes,
# per-command options, option values, the host's interfaces for sniff, files,
# names from a daemon on the -s/--socket given earlier (a small stand-in daemon
# here; lab.completion_names asks a real holdfastd), nothing and no wait from a
# socket that does not answer; and a real interactive bash on a terminal.
# Without bash-completion installed (tools/install-deps installs it) the plain
# half runs, then the test says SKIPPED and exits 77.
set -uo pipefail
COMP_SRC=${1:?usage: $0 COMPLETION_DIR PATH/TO/holdfastd PATH/TO/holdfastctl}
HOLDFASTD=${2:?usage: $0 COMPLETION_DIR PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${3:?usage: $0 COMPLETION_DIR PATH/TO/holdfastd PATH/TO/holdfastctl}
# shellcheck source=tests/cli/completion_lib.sh
source "$(dirname "$0")/completion_lib.sh"
comp_fail() {
  echo "FAIL: $*" >&2
  exit 1
}
skip() {
  echo "SKIPPED: completion test: $*" >&2
  exit 77
}
command -v python3 >/dev/null || skip "needs python3 (a stand-in daemon and a terminal)"
[ -d /sys/class/net ] || skip "needs /sys/class/net"
started=$(date +%s%N)

tmp=$(mktemp -d /tmp/holdfast-completion.XXXXXX)
pids=()
cleanup() {
  local p
  comp_done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
comp_setup "$(cd "$COMP_SRC" && pwd)" "$tmp"
# The completion runs `holdfastctl` from PATH: the one under test.
PATH="$(cd "$(dirname "$CTL")" && pwd):$PATH"
export PATH

# What the binaries say they take.
mapfile -t ctl_commands < <("$CTL" --help | sed -n '/^Commands:/,/^$/p' | sed -nE 's/^  ([a-z]+).*/\1/p' | sort -u)
help_options() { "$1" --help | sed -nE 's/^  (-([a-zA-Z]) \[ )?(--[a-z][a-z-]*).*/-\2 \3/p' | sed 's/^- //' | tr ' ' '\n'; }
mapfile -t ctl_options < <(help_options "$CTL")
mapfile -t d_options < <(help_options "$HOLDFASTD")
if [ ${#ctl_commands[@]} -lt 7 ] || [ ${#ctl_options[@]} -lt 15 ] || [ ${#d_options[@]} -lt 12 ]; then
  comp_fail "cannot read the --help of the binaries: ${ctl_commands[*]} / ${ctl_options[*]} / ${d_options[*]}"
fi
# The host's interfaces, as /sys/class/net lists them (nothing is created).
ifaces=()
for d in /sys/class/net/*; do [ -e "$d" ] && ifaces+=("${d##*/}"); done
[[ " ${ifaces[*]} " == *" lo "* ]] || skip "no lo in /sys/class/net"
l_ifaces=()
for i in "${ifaces[@]}"; do [[ $i == l* ]] && l_ifaces+=("$i"); done

# Files for --read, --socket, -f, --pid-file, --control-socket.
caps=$tmp/caps
mkdir -p "$caps/sub"
touch "$caps/lan.pcap" "$caps/other.pcapng"

# A stand-in holdfastd: answers every request with a status reply (compact; the
# real holdfastctl prints it), or (mute) takes connections and never answers.
cat >"$tmp/fake.py" <<'PY'
import json, socket, sys
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(16)
s.settimeout(120)  # gone when the test is
reply = {"ok": True,
         "instances": [{"name": "VI_1", "state": "MASTER", "vips": ["192.0.2.100/24"],
                        "master": {"address": "192.0.2.11", "priority": 150, "self": True}},
                       {"name": "VI_2", "state": "BACKUP",
                        # a name deeper down is no instance
                        "sync_group": {"name": "not_an_instance"}}],
         "backends": [{"name": "web1", "kind": "backend", "state": "up"},
                      {"name": "web", "kind": "backend_group", "members": ["web1"]}]}
held = []
while True:
    try:
        c, _ = s.accept()
    except socket.timeout:
        sys.exit(0)
    if mode == "mute":
        held.append(c)
        continue
    c.makefile("rb").readline()
    c.sendall((json.dumps(reply) + "\n").encode())
    c.close()
PY
python3 "$tmp/fake.py" "$tmp/fake.sock" answer &
pids+=($!)
python3 "$tmp/fake.py" "$tmp/mute.sock" mute &
pids+=($!)
for ((i = 0; i < 50; i++)); do
  [ -S "$tmp/fake.sock" ] && [ -S "$tmp/mute.sock" ] && break
  sleep 0.1
done
if [ ! -S "$tmp/fake.sock" ] || [ ! -S "$tmp/mute.sock" ]; then comp_fail "the stand-in daemons did not start"; fi
"$CTL" -s "$tmp/fake.sock" status --json >/dev/null || comp_fail "holdfastctl does not read the stand-in's reply"

for m in "${COMP_MODES[@]}"; do
  # holdfastctl: commands and options
  comp_expect "holdfastctl: every command of --help" "$m" "holdfastctl " "${ctl_commands[@]}"
  comp_expect "a prefix: st -> status" "$m" "holdfastctl st" status
  comp_expect "a prefix: s -> status sniff" "$m" "holdfastctl s" sniff status
  comp_expect "no such command" "$m" "holdfastctl x"
  comp_expect "the command after options and their values" "$m" \
    "holdfastctl --json -s $tmp/none.sock --timeout 3 e" events
  comp_expect "options before a command" "$m" "holdfastctl -" \
    -s --socket --json --timeout -h --help --version
  comp_expect "status options" "$m" "holdfastctl status -" \
    -s --socket --json --timeout -q --quiet --expect -h --help
  comp_expect "events options" "$m" "holdfastctl events --" --socket --json --timeout --follow --limit --help
  comp_expect "sniff options (no socket there)" "$m" "holdfastctl sniff -" \
    --json -q --quiet --seconds -r --read -h --help
  comp_expect "why options" "$m" "holdfastctl why -" -s --socket --json --timeout -h --help
  comp_expect "lint options (no socket there)" "$m" "holdfastctl lint -" --json -h --help
  comp_expect "handover options" "$m" "holdfastctl handover --" --socket --json --timeout --all --wait --help
  comp_expect "maintenance options" "$m" "holdfastctl maintenance --" --socket --json --timeout --reason --wait --help
  comp_expect "maintenance on or off" "$m" "holdfastctl maintenance " off on
  comp_expect "--reason takes free text" "$m" "holdfastctl maintenance on --reason "
  comp_expect "options already given are not offered again" "$m" \
    "holdfastctl --json -s $tmp/none.sock status --quiet --" --timeout --expect --help
  all=""
  for l in "holdfastctl -" "holdfastctl status -" "holdfastctl events -" "holdfastctl sniff -" \
    "holdfastctl handover -" "holdfastctl maintenance -"; do
    comp "$m" "$l"
    all+=$COMP_GOT$'\n'
  done
  all=$(LC_ALL=C sort -u <<<"$all" | sed '/^$/d')
  [ "$all" = "$(printf '%s\n' "${ctl_options[@]}" | LC_ALL=C sort -u)" ] ||
    comp_fail "[$m] holdfastctl's options offered somewhere: [${all//$'\n'/ }]; --help: [${ctl_options[*]}]"
  echo "ok [$m]: every option of holdfastctl --help is offered where it applies"
  comp_expect "--expect values" "$m" "holdfastctl status --expect " backup fault master
  comp_expect "--expect=b" "$m" "holdfastctl status --expect=b" backup
  comp_expect "--expect= values" "$m" "holdfastctl status --quiet --expect=" backup fault master
  comp_expect "--limit takes a number" "$m" "holdfastctl events -f --limit "
  comp_expect "--seconds takes a number" "$m" "holdfastctl sniff --seconds "
  comp_expect "status takes no argument" "$m" "holdfastctl -s $tmp/fake.sock status "
  comp_expect "reload takes no argument" "$m" "holdfastctl reload "
  # sniff: the host's interfaces, and files for --read
  comp_expect "sniff: the interfaces of /sys/class/net (${ifaces[*]})" "$m" "holdfastctl sniff " "${ifaces[@]}"
  comp_expect "sniff l: lo among them" "$m" "holdfastctl sniff l" "${l_ifaces[@]}"
  comp_expect "sniff after --seconds N" "$m" "holdfastctl sniff --seconds 2 " "${ifaces[@]}"
  comp_expect "sniff takes one interface" "$m" "holdfastctl sniff lo "
  comp_expect "no interface with --read" "$m" "holdfastctl sniff --read $caps/lan.pcap "
  comp_expect "sniff --read: files" "$m" "holdfastctl sniff --read $caps/" \
    "$caps/lan.pcap" "$caps/other.pcapng" "$caps/sub"
  comp_expect "sniff -r: a prefix" "$m" "holdfastctl sniff -r $caps/l" "$caps/lan.pcap"
  comp_expect "lint: files, again after a file" "$m" "holdfastctl lint $caps/lan.pcap $caps/o" "$caps/other.pcapng"
  comp_expect "sniff --read=: a prefix" "$m" "holdfastctl sniff --read=$caps/o" "$caps/other.pcapng"
  comp_expect "-s: files" "$m" "holdfastctl -s $caps/s" "$caps/sub"
  comp_expect "--socket=: files" "$m" "holdfastctl --socket=$caps/" \
    "$caps/lan.pcap" "$caps/other.pcapng" "$caps/sub"
  # names from the daemon on the socket given earlier on the line
  comp_expect "why: instances from -s SOCK" "$m" "holdfastctl -s $tmp/fake.sock why " VI_1 VI_2
  comp_expect "vrrp: instances from --socket=SOCK, a prefix" "$m" \
    "holdfastctl --socket=$tmp/fake.sock vrrp VI_2" VI_2
  comp_expect "checks: backends and groups from -sSOCK" "$m" "holdfastctl -s$tmp/fake.sock checks " web web1
  comp_expect "checks: after other options" "$m" \
    "holdfastctl --json --socket $tmp/fake.sock --timeout 5 checks w" web web1
  comp_expect "why takes one instance" "$m" "holdfastctl -s $tmp/fake.sock why VI_1 "
  comp_expect "sniff: interfaces, not names" "$m" "holdfastctl -s $tmp/fake.sock sniff " "${ifaces[@]}"
  comp_expect "no daemon: nothing" "$m" "holdfastctl -s $tmp/none.sock why "
  t0=$(date +%s%N)
  comp_expect "a daemon that does not answer: nothing" "$m" "holdfastctl -s $tmp/mute.sock why "
  waited=$((($(date +%s%N) - t0) / 1000000))
  [ "$waited" -lt 4000 ] || comp_fail "[$m] a mute daemon held the completion ${waited} ms"
  echo "ok [$m]: ... and gave up after ${waited} ms"
  # holdfastd
  comp_expect "holdfastd: every option of --help" "$m" "holdfastd -" "${d_options[@]}"
  comp_expect "holdfastd takes options only" "$m" "holdfastd " "${d_options[@]}"
  comp_expect "holdfastd --c" "$m" "holdfastd --c" --config --config-id --config-test --control-socket
  host=$(uname -n)
  comp_expect "holdfastd --config-id: this host's id" "$m" "holdfastd --config-id " "${host%%.*}"
  comp_expect "holdfastd: options already given" "$m" "holdfastd -t -f x.conf --" --config-id --strict \
    --log-console --no-syslog --log-level --pid-file --control-socket --state-dir --version --help
  comp_expect "holdfastd -f: files" "$m" "holdfastd -t -f $caps/l" "$caps/lan.pcap"
  comp_expect "holdfastd --config=: files" "$m" "holdfastd --config=$caps/" \
    "$caps/lan.pcap" "$caps/other.pcapng" "$caps/sub"
  comp_expect "holdfastd --pid-file: files" "$m" "holdfastd --pid-file $caps/o" "$caps/other.pcapng"
  comp_expect "holdfastd --control-socket: files" "$m" "holdfastd --control-socket $caps/s" "$caps/sub"
  comp_expect "holdfastd --log-level values" "$m" "holdfastd -l --log-level " debug error info warning
  comp_expect "holdfastd --log-level=w" "$m" "holdfastd --log-level=w" warning
  comp_expect "holdfastd: a flag takes no value" "$m" "holdfastd --no-syslog="
done
comp_done

# A real interactive bash on a terminal: TAB completes the line and Enter runs it
# (holdfastctl and holdfastd are shell functions there that print their arguments).
for m in "${COMP_MODES[@]}"; do
  if [ "$m" = helpers ]; then
    setup="source $COMP_BASH_COMPLETION"
  else
    setup="source $COMP_DIR/holdfastctl; source $COMP_DIR/holdfastd"
  fi
  out=$(BASH_COMPLETION_USER_DIR=$COMP_USER_DIR BASH_COMPLETION_USER_FILE=/dev/null TERM=dumb \
    python3 - "$setup" <<'PY'
import os, pty, select, sys, time
prompt = b"@ready@ "  # from the environment; never in what is typed
pid, fd = pty.fork()
if pid == 0:
    os.environ["PS1"] = prompt.decode()
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
out = b""
def read_until(pattern, count, seconds):
    global out
    end = time.time() + seconds
    while out.count(pattern) < count and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return
            if not chunk:
                return
            out += chunk
# One line at a time, each once the prompt is back (input typed while a command
# runs may be lost when readline takes the terminal back). Within a line,
# readline completes at the TAB before it reads on.
lines = [sys.argv[1].encode(),
         b"holdfastctl() { echo \"RAN:holdfastctl $*.\"; }; holdfastd() { echo \"RAN:holdfastd $*.\"; }",
         b"holdfastctl st\t", b"holdfastctl status --expect m\t", b"holdfastd --config-t\t"]
read_until(prompt, 1, 5)
for n, line in enumerate(lines, start=2):
    os.write(fd, line + b"\r")
    read_until(prompt, n, 10)
os.write(fd, b"exit\r")
read_until(b"\nexit", 1, 2)
for _ in range(30):
    if os.waitpid(pid, os.WNOHANG)[0]:
        break
    time.sleep(0.1)
else:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
PY
  )
  for want in "RAN:holdfastctl status." "RAN:holdfastctl status --expect master." "RAN:holdfastd --config-test."; do
    grep -qF -- "$want" <<<"$out" || comp_fail "[$m] on a terminal: no '$want' in: $out"
  done
  echo "ok [$m]: on a terminal, TAB completes holdfastctl st, --expect m and holdfastd --config-t"
done

echo "completion test: $(($(date +%s%N) / 1000000 - started / 1000000)) ms"
comp_has_helpers ||
  skip "bash-completion is not installed ($COMP_BASH_COMPLETION): the half without its helpers passed; tools/install-deps installs it"
echo "PASS completion"
