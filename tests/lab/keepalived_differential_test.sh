#!/usr/bin/env bash
# The keepalived drop-in promise, measured: every keepalived.conf of the corpus
# (tests/lab/keepalived-corpus/*.conf: the styles of real deployments and the mistakes
# keepalived tolerates or refuses) is run by keepalived 2.2.7 alone and by holdfastd
# alone, and what each did to the kernel is compared.
#
# Per file:
#   - twin labs: for each daemon a namespace with the interfaces the file names
#     (`interface X`, `dev X`, track_interface items; veths whose peers sit in a
#     second namespace, links up with carrier, 192.0.2.1/24 + 2001:db8::1/64 on the
#     first, ...: keepalived_corpus.py plan);
#   - `keepalived -t` and `holdfastd -t` exit codes (shown, not compared: keepalived's
#     are 0 clean, 4 fatal, 5 errors or warnings, 6 script security; holdfastd's 0/4/1);
#   - both daemons start at once, each in its own lab, and run until a lone node has
#     settled: Master_Down_Interval of the file's longest advert_int and lowest
#     priority + 1.2 s, 2.5-8 s (`# lab-settle: S` in the file overrides);
#   - "refuses" = the daemon is no longer running then (keepalived exits 2 on a
#     permanent config error; holdfastd exits 1 on a refused config). When one has
#     stopped, the wait ends 1.5 s after the start: the outcome is known;
#   - the snapshot, taken inside each namespace: ip -o addr, ip -o link, IPv4 and
#     IPv6 routes of every table, ip rule (both families), the interfaces' sysctls
#     (net.ipv4.conf.*, net.ipv6.conf.*), use_vmac's macvlans (name, lower link, flags,
#     MAC, macvlan mode, addrgenmode), nft list ruleset (when nft is installed),
#     and the lines the file's notify scripts wrote; normalized (keepalived_corpus.py
#     normalize): ifindexes, veth MACs, link-local addresses, lifetimes, order,
#     and the nftables rules that send a VMAC's IGMP/MLD reports from the base interface
#     (the same rule in each daemon's own table: keepalived's `ip keepalived`, holdfastd's
#     `ip holdfast_vmac`; the rest of a VMAC is compared);
#   - SIGTERM to both, bounded wait, and a snapshot after: it is compared too, and
#     with the one from before the start (a daemon that leaves something behind when
#     keepalived does not differs; both leaving the same is noted).
# A file is "same" when both refuse it, or both run it with equal snapshots while
# running and after they stopped. The score counts the files keepalived runs.
#
# The test fails on a file that differs unless KNOWN below lists it with the reason,
# and on a KNOWN file that no longer differs (remove it from the list when a fix
# lands). DIFF_ONLY=REGEX runs only the matching files; DIFF_JOBS=N runs N files at
# a time (2); LAB_KEEP=1 keeps every file's logs and snapshots (in run/NAME/);
# DIFF_TRACE=1 traces with timestamps.
set -uo pipefail
[ -n "${DIFF_TRACE:-}" ] && { PS4='+ $EPOCHREALTIME '; set -x; }
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"
command -v keepalived >/dev/null || { echo "SKIPPED: keepalived is not installed" >&2; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS="$HERE/keepalived-corpus"

# Files that differ today, each with its reason. Empty this as fixes land (a file
# listed here that no longer differs fails the test, so that the list stays true).
declare -A KNOWN=(
  # Different on purpose (README, Migrating from keepalived)
  [auth-ah]="holdfastd refuses auth_type AH (it does not run IPsec AH; beside an AH peer it would be a second master); keepalived runs with AH"
)

lab_init keepalived_differential 1700
HELPER=("$LAB_PYTHON" "$HERE/keepalived_corpus.py")
NFT=$(command -v nft || true)
[ -n "$NFT" ] || lab_log "nft is not installed: vrrp_strict's firewall rules are not compared"

# The corpus is copied once per daemon (keepalived_corpus.py prepare): @DIR@ in a
# file becomes its copy's folder (notify and check scripts), @OUT@ the folder that
# file's notify scripts write to. Both daemons run scripts as root here (no
# keepalived_script user, no script_user); the output folders are writable by any
# user all the same.
chmod 755 "$LAB_DIR"
for who in ka hf; do
  "${HELPER[@]}" prepare "$CORPUS" "$LAB_DIR/$who" "$LAB_DIR/out-$who" ||
    lab_fail "cannot copy the corpus"
done

# Files run DIFF_JOBS at a time (default 2): each file's daemons mostly sleep, the
# time is the adverts' timers.
JOBS=${DIFF_JOBS:-2}
# Namespaces are per slot, made afresh for each file; registered here for cleanup.
for ((slot = 1; slot <= JOBS; slot++)); do
  LAB_NAMESPACES+=("$LAB-${slot}k" "$LAB-${slot}kp" "$LAB-${slot}h" "$LAB-${slot}hp")
done
# Daemons are started in background jobs: each file's pids are kept in its run folder
# (removed once they are waited for), so that cleanup ends them on every exit path.
# Only a process whose command line names this run's folder is signalled (a pid the
# kernel has given to another process since is left alone).
ours() { grep -qsF "$LAB_DIR" "/proc/$1/cmdline"; }
diff_cleanup() {
  local rc=$? pid i pids=() jobs_left
  # The jobs running files first (they would start the next daemon), then the daemons.
  jobs_left=$(jobs -p)
  [ -z "$jobs_left" ] || kill -TERM $jobs_left 2>/dev/null
  # keepalived's VRRP child is in the pid file keepalived was told to write (-r).
  for pid in $(cat "$LAB_DIR"/run/*/pids "$LAB_DIR"/run/*/ka-vrrp.pid 2>/dev/null); do
    ours "$pid" && pids+=("$pid")
  done
  if [ "${#pids[@]}" -gt 0 ]; then
    # TERM first: keepalived's parent then stops its child; what is left gets KILL.
    kill -TERM "${pids[@]}" 2>/dev/null
    for ((i = 0; i < 30; i++)); do
      local alive=0
      for pid in "${pids[@]}"; do ours "$pid" && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    for pid in "${pids[@]}"; do ours "$pid" && kill -KILL "$pid" 2>/dev/null; done
  fi
  (exit "$rc")
  lab_cleanup
}
trap diff_cleanup EXIT

# ns_fresh NAME: an empty namespace NAME.
ns_fresh() {
  ip netns del "$1" 2>/dev/null
  ip netns add "$1" || { echo "cannot create namespace $1" >&2; return 1; }
  ip -n "$1" link set lo up
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# build_lab NS PLANFILE: the node namespace NS and its peer NSp, as planned.
build_lab() {
  local ns=$1 peer="$1p" n=0 verb a b c d4
  ns_fresh "$ns" && ns_fresh "$peer" || return 1
  while read -r verb a b c d4; do
    case "$verb" in
      link)
        n=$((n + 1))
        ip -n "$ns" link add "$a" type veth peer name "p$n" netns "$peer" || return 1
        ip -n "$ns" addr add "$b" dev "$a"
        ip -n "$ns" addr add "$c" dev "$a" nodad
        # The peer holds .2 of each subnet, so that unicast adverts have a taker.
        ip -n "$peer" addr add "$d4" dev "p$n"
        ip -n "$peer" link set "p$n" up
        ip -n "$ns" link set "$a" up
        ;;
      down) ip -n "$ns" link set "$a" down ;;
      addr) ip -n "$ns" addr add "$b" dev "$a" ;;
    esac
  done <"$2"
  # The daemons start on links that have carrier, and "before" is taken then.
  local i links
  for ((i = 0; i < 30; i++)); do
    links=$(ip -n "$ns" -o link show 2>&1) && [[ "$links" != *NO-CARRIER* ]] && return 0
    sleep 0.1
  done
  echo "links of $ns without carrier: $links"
  return 1
}

# links NS: ip -o link of NS. (ip may say "Peer netns reference is invalid" while the
# kernel is still busy with a namespace: asked again.)
links() {
  local out i
  for ((i = 0; i < 5; i++)); do
    out=$(ip -n "$1" -o link show 2>&1) && [[ "$out" != *"netns reference is invalid"* ]] && break
    sleep 0.1
  done
  printf '%s\n' "$out"
}

# snapshot NS OUTDIR FILE: the raw state of NS in FILE (normalized later, all at once).
snapshot() {
  local ns=$1 out=$2
  {
    echo "== addr"; ip -n "$ns" -o addr show
    echo "== link"; links "$ns"
    # use_vmac's links in detail: kind, mode, MAC, flags (`ip -o link` lacks the mode).
    echo "== macvlan"; ip -n "$ns" -d -o link show type macvlan
    echo "== route4"; ip -n "$ns" -o -4 route show table all
    echo "== route6"; ip -n "$ns" -o -6 route show table all
    echo "== rule4"; ip -n "$ns" -4 rule show
    echo "== rule6"; ip -n "$ns" -6 rule show
    echo "== sysctl"; ip netns exec "$ns" sysctl -a 2>/dev/null | grep -E '^net\.ipv[46]\.conf\.'
    if [ -n "$NFT" ]; then echo "== nft"; ip netns exec "$ns" "$NFT" list ruleset 2>&1; fi
    echo "== notify"; cat "$out"/* 2>/dev/null
  } >"$3.raw" 2>&1
}
snapshot_both() { # K H D SUFFIX
  snapshot "$1" "$OUTK" "$3/ka-$4" &
  snapshot "$2" "$OUTH" "$3/hf-$4"
  wait $!
}

running() { # PID: still running (not a zombie)
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [[ "$stat" != *") Z "* ]]
}

# stop_both PID PID: SIGTERM to both at once, each waited for (bounded, then KILL).
stop_both() {
  kill -TERM "$1" "$2" 2>/dev/null
  local i
  for ((i = 0; i < 50; i++)); do
    running "$1" || running "$2" || break
    sleep 0.1
  done
  kill -KILL "$1" "$2" 2>/dev/null
  wait "$1" "$2" 2>/dev/null
}

# first_error LOG: the line of a daemon's log that says why it stopped (keepalived:
# the line before the child's "Stopped", holdfastd: its first error).
first_error() {
  { grep -B1 -m1 -E "^.{26}Stopped - used" "$1" | head -n1 | grep -v "Stopped - used" ||
    grep -m1 -E "error|refused|Terminating|exit" "$1"; } |
    sed -E 's/^[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]+ [0-9:]+ [0-9]+: //; s/^[0-9T:.-]+ holdfastd\[[0-9]+\]: (error: )?//' |
    sed "s|$LAB_DIR/[a-z]*/||g" | cut -c1-200
}

ms() { echo $(($(date +%s%N) / 1000000)); }

# run_file CONF: runs one file in slot $SLOT; writes $LAB_DIR/run/NAME/verdict
# (line 1: same|different|error, line 2: keepalived runs it 1|0, then the detail).
run_file() {
  local conf=$1 name d settle K H kconf hconf kt ht KA HF kr hr deadline t0 verdict detail
  name=$(basename "$conf" .conf)
  d="$LAB_DIR/run/$name"
  mkdir -p "$d"
  t0=$(ms)
  if ! "${HELPER[@]}" plan "$conf" >"$d/plan"; then
    printf 'error\n0\ncannot plan its lab\n' >"$d/verdict"
    return
  fi
  settle=$(sed -n 's/^settle //p' "$d/plan")
  K="$LAB-${SLOT}k" H="$LAB-${SLOT}h"
  if ! build_lab "$K" "$d/plan" >"$d/lab.log" 2>&1 || ! build_lab "$H" "$d/plan" >>"$d/lab.log" 2>&1; then
    printf 'error\n0\ncannot build its lab: %s\n' "$(head -c 200 "$d/lab.log")" >"$d/verdict"
    return
  fi
  kconf="$LAB_DIR/ka/$name.conf" hconf="$LAB_DIR/hf/$name.conf"
  OUTK="$LAB_DIR/out-ka/$name" OUTH="$LAB_DIR/out-hf/$name"

  ip netns exec "$K" keepalived -t -f "$kconf" >"$d/ka-t.log" 2>&1
  kt=$?
  ip netns exec "$H" "$HOLDFASTD" -t -f "$hconf" >"$d/hf-t.log" 2>&1
  ht=$?
  snapshot_both "$K" "$H" "$d" before

  ip netns exec "$K" keepalived --vrrp -n -l -D -G -f "$kconf" -p "$d/ka.pid" -r "$d/ka-vrrp.pid" \
    >"$d/ka.log" 2>&1 &
  KA=$!
  ip netns exec "$H" "$HOLDFASTD" -l --no-syslog -f "$hconf" --pid-file "$d/hf.pid" \
    --control-socket "$d/hf.sock" >"$d/hf.log" 2>&1 &
  HF=$!
  echo "$KA $HF" >"$d/pids"
  # Settle: wait out the time a lone node needs; a daemon that stopped (refused) ends
  # the wait 1.5 s after the start (both refuse within it), since the outcome is known.
  local start
  start=$(ms)
  deadline=$((start + ${settle%.*} * 1000 + ${settle#*.} * 100))
  while [ "$(ms)" -lt "$deadline" ]; do
    if ! running "$KA" || ! running "$HF"; then
      [ "$(ms)" -ge $((start + 1500)) ] && break
    fi
    sleep 0.1
  done
  running "$KA" && kr=1 || kr=0
  running "$HF" && hr=1 || hr=0
  snapshot_both "$K" "$H" "$d" run
  stop_both "$KA" "$HF"
  rm -f "$d/pids"
  rm -f "$OUTK"/* "$OUTH"/*
  snapshot_both "$K" "$H" "$d" after
  local f
  for f in ka-before hf-before ka-run hf-run ka-after hf-after; do echo "$d/$f"; done |
    "${HELPER[@]}" normalize -

  verdict=different detail=""
  if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error: |ThreadSanitizer" "$d/hf.log"; then
    verdict=error detail="sanitizer report in $d/hf.log: $(grep -m1 -E "ERROR: |runtime error: " "$d/hf.log")"
  elif [ "$kr" = 0 ]; then
    if [ "$hr" = 0 ]; then
      verdict=same detail="both refuse (keepalived: $(first_error "$d/ka.log"))"
    else
      detail="keepalived refuses ($(first_error "$d/ka.log")), holdfastd runs it"
    fi
  elif [ "$hr" = 0 ]; then
    detail="holdfastd refuses: $(first_error "$d/hf.log")"
  elif ! diff -q "$d/ka-run" "$d/hf-run" >/dev/null; then
    detail=$'running, the kernel differs:\n'$(diff "$d/ka-run" "$d/hf-run" | grep '^[<>]' |
      sed 's/^</    keepalived:/; s/^>/    holdfastd: /' | head -n 12)
  elif ! diff -q "$d/ka-after" "$d/hf-after" >/dev/null; then
    detail=$'after SIGTERM, the kernel differs:\n'$(diff "$d/ka-after" "$d/hf-after" | grep '^[<>]' |
      sed 's/^</    keepalived:/; s/^>/    holdfastd: /' | head -n 8)
  else
    verdict=same
    diff -q "$d/ka-after" "$d/ka-before" >/dev/null || detail="(both leave the same behind)"
  fi
  printf '%s\n%s\n-t ka %s hf %s, %s s\n%s\n' "$verdict" "$kr" "$kt" "$ht" \
    "$(awk "BEGIN{printf \"%.1f\", ($(ms) - $t0) / 1000}")" "$detail" >"$d/verdict"
}

# report NAME: prints the file's line; counts it.
same=0 ka_runs=0 both_refuse=0 failures=0 total=0
declare -a DIFFERING=()
report() {
  local name=$1 v="$LAB_DIR/run/$1/verdict" verdict kr info detail known
  verdict=$(sed -n 1p "$v") kr=$(sed -n 2p "$v") info=$(sed -n 3p "$v") detail=$(sed -n '4,$p' "$v")
  known=${KNOWN[$name]:-}
  total=$((total + 1))
  [ "$kr" = 1 ] && ka_runs=$((ka_runs + 1))
  if [ "$verdict" = error ]; then
    echo "ERROR       $name ($info) $detail"
    failures=$((failures + 1))
  elif [ "$verdict" = same ]; then
    if [ "$kr" = 1 ]; then same=$((same + 1)); else both_refuse=$((both_refuse + 1)); fi
    if [ -n "$known" ]; then
      echo "same        $name ($info) $detail -- KNOWN lists it: remove it from KNOWN"
      failures=$((failures + 1))
    else
      echo "same        $name ($info) $detail"
    fi
  else
    DIFFERING+=("$name")
    if [ -n "$known" ]; then
      echo "DIFFERENT   $name ($info) [known: $known] $detail"
    else
      echo "DIFFERENT   $name ($info) $detail"
      failures=$((failures + 1))
    fi
  fi
}

start_all=$(date +%s)
declare -A SLOT_OF=()   # pid of a running job -> its slot
declare -A NAME_OF=()   # pid of a running job -> its file
free_slots=()
for ((slot = 1; slot <= JOBS; slot++)); do free_slots+=("$slot"); done
reap() { # waits for one job to end; reports it and frees its slot
  local pid
  wait -n -p pid "${!SLOT_OF[@]}"
  report "${NAME_OF[$pid]}"
  free_slots+=("${SLOT_OF[$pid]}")
  unset "SLOT_OF[$pid]" "NAME_OF[$pid]"
}
for conf in "$CORPUS"/*.conf; do
  name=$(basename "$conf" .conf)
  if [ -n "${DIFF_ONLY:-}" ] && ! [[ "$name" =~ $DIFF_ONLY ]]; then continue; fi
  [ "${#free_slots[@]}" -gt 0 ] || reap
  SLOT=${free_slots[0]}
  free_slots=("${free_slots[@]:1}")
  run_file "$conf" &
  SLOT_OF[$!]=$SLOT
  NAME_OF[$!]=$name
done
while [ "${#SLOT_OF[@]}" -gt 0 ]; do reap; done
for k in "${!KNOWN[@]}"; do
  [ -f "$CORPUS/$k.conf" ] || { echo "KNOWN lists $k, which is not in the corpus"; failures=$((failures + 1)); }
done

echo "score: $same of $ka_runs files keepalived runs are run the same way by holdfastd" \
  "($both_refuse of $((total - ka_runs)) it refuses are refused by holdfastd too;" \
  "$total files, $(($(date +%s) - start_all)) s)"
[ "${#DIFFERING[@]}" -eq 0 ] || echo "differing: ${DIFFERING[*]}"
[ "$total" -gt 0 ] || lab_fail "no corpus file matched"
[ "$failures" -eq 0 ] || lab_fail "$failures file(s) differ and are not in KNOWN, or are in KNOWN and no longer differ"
echo "PASS keepalived_differential"
