# shellcheck shell=bash
# The holdfast test lab: a topology of network namespaces with no link to the host's
# network. Source it, then:
#
#   lab_init NAME [TIMEOUT_S]   unique names, cleanup on every exit path, a watchdog
#   lab_switch                  a namespace holding bridge br0 (the LAN)
#   lab_router N                namespace $LAB-rN, eth0 on br0, 192.0.2.(10+N)/24,
#                               2001:db8::(10+N)/64
#   lab_client                  namespace $LAB-c, eth0 on br0, 192.0.2.250, 2001:db8::250
#   lab_spawn NS LOG CMD...     runs CMD in NS in the background; sets LAB_PID; the
#                               process is killed by its pid at cleanup
#   lab_wait DESC SECONDS CMD.. polls CMD (every 0.1 s) until it succeeds or time is up
#   lab_fail MSG                prints MSG and exits 1 (cleanup runs)
#   lab_has_vip NS ADDR         ADDR is on NS's eth0 (now)
#   lab_lacks_vip NS ADDR       ADDR is not on NS's eth0 (now; fails if NS cannot be
#                               read); poll either with lab_wait
#   lab_nginx NS NAME [PORT]    a real nginx on every address of NS (see below)
#   lab_vip_client_start NS TARGET TAG  a client opening a new connection to TARGET
#                               every 5 ms; lab_vip_client_stop: LAB_CLIENT_COUNTS
#
# Daemons (the test sets HOLDFASTD and CTL, the paths it was given):
#   lab_holdfastd NS NODE [ARG...]  starts $HOLDFASTD in NS with the standard flags
#                               (-l --no-syslog -f $LAB_DIR/NODE.conf --pid-file
#                               $LAB_DIR/NODE.pid --control-socket $LAB_DIR/NODE.sock),
#                               its output in $LAB_DIR/NODE.log; sets LAB_PID
#   lab_ctl NODE ARG...         $CTL -s $LAB_DIR/NODE.sock ARG... (in NODE's namespace)
#   lab_json PATH...            reads JSON on stdin, prints the value at each PATH
#                               (one line, space-separated; strings bare, null/true/
#                               false as such, objects and lists as compact JSON);
#                               exit 1 if a PATH is not there. A PATH is dotted keys,
#                               [N] indexes and [KEY=VALUE] selectors:
#                               lab_ctl a vrrp --json | lab_json 'instances[name=VI_1].state'
#   lab_vrrp NODE INSTANCE PATH...  the same over `vrrp --json` for one instance:
#                               lab_vrrp a VI_1 state counters.transitions
#
# LAB_PYTHON is python3's real interpreter (resolved by lab_init): run python with it.
#
# Times:
#   lab_now_ms                  the wall clock in epoch ms
#   lab_line_ms LINE            the epoch ms of a holdfastd log line (its local-time
#                               stamp 2025-01-31T12:00:00.123)
#   lab_log_ms LOG PATTERN      the epoch ms of LOG's first line containing PATTERN
#                               (fixed string); exit 1 if none
#
# LAB_KEEP=1 keeps the test's files (configs, logs, captures) for a look afterwards.
#
# Only 192.0.2.0/24, 2001:db8::/64 and link-local addresses are used, all inside
# namespaces this file created; they are all deleted at exit, with the processes
# started in them.

LAB=""
LAB_DIR=""
LAB_NAMESPACES=()
LAB_PIDS=()
LAB_WATCHDOG=""
LAB_TIMEOUT=0
LAB_PORTS=0
LAB_PYTHON=python3

lab_log() { printf '[lab %s] %s\n' "${LAB:-?}" "$*" >&2; }

lab_fail() {
  printf '[lab %s] FAIL: %s\n' "${LAB:-?}" "$*" >&2
  exit 1
}

lab_require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIPPED: $1 needs root for network namespaces; run the suite as root" >&2
    exit 77
  fi
  command -v ip >/dev/null || { echo "SKIPPED: $1 needs iproute2 (ip)" >&2; exit 77; }
}

lab_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$LAB_WATCHDOG" ] && kill "$LAB_WATCHDOG" 2>/dev/null
  local pid
  for pid in "${LAB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  # Give them up to 2 s to exit, then kill what is left, by pid only.
  local i
  for i in $(seq 1 20); do
    local alive=0
    for pid in "${LAB_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${LAB_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  local ns
  for ns in "${LAB_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  # A sanitizer build (tests run under ASan/UBSan) reports into the daemons' logs:
  # any report fails the test, whatever else it checked.
  if [ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ]; then
    local report
    report=$(grep -lE "ERROR: (Address|Leak)Sanitizer|runtime error: |ThreadSanitizer" "$LAB_DIR"/*.log 2>/dev/null)
    if [ -n "$report" ]; then
      printf '[lab %s] FAIL: sanitizer report in %s\n' "$LAB" "$report" >&2
      grep -hE -A12 "ERROR: (Address|Leak)Sanitizer|runtime error: " $report | head -n 60 >&2
      [ "$rc" -eq 0 ] && rc=1
    fi
  fi
  if [ "$rc" -ne 0 ] && [ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ]; then
    local f
    for f in "$LAB_DIR"/*.log; do
      [ -f "$f" ] || continue
      echo "----- $f (last 40 lines)" >&2
      tail -n 40 "$f" >&2
    done
  fi
  if [ "${LAB_KEEP:-0}" = 1 ]; then
    echo "[lab $LAB] LAB_KEEP=1: files kept in $LAB_DIR" >&2
  elif [ -n "$LAB_DIR" ]; then
    rm -rf "$LAB_DIR"
  fi
  exit "$rc"
}

lab_init() {
  local name=$1 timeout=${2:-120}
  lab_require_root "$name"
  # Unique per run so that tests can run in parallel: pid + random.
  LAB=$(printf 'hf%x%04x' "$$" "$RANDOM")
  LAB_DIR=$(mktemp -d "/tmp/holdfast-$name.XXXXXX")
  trap lab_cleanup EXIT
  trap 'lab_log "interrupted"; exit 1' INT
  LAB_TIMEOUT=$timeout
  # The interpreter itself, resolved once: a version manager's python3 shim can cost
  # a second per call, and the helpers call python often.
  LAB_PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || LAB_PYTHON=python3
  trap 'lab_log "watchdog: test ran past ${LAB_TIMEOUT}s"; exit 1' TERM
  # The watchdog ends a hung test from inside, so cleanup still runs (a kill from
  # ctest's own timeout would skip it).
  # It holds no output pipe, and cleanup ends its sleep along with it.
  (
    exec >/dev/null 2>&1 </dev/null
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    sleep "$timeout" &
    nap=$!
    wait "$nap" || exit 0
    # Bash runs the trap only once its foreground command returns, so end the
    # test shell's own children (by pid) as well as the shell.
    kill -TERM $$
    for child in $(ps -o pid= --ppid $$); do
      [ "$child" != "$BASHPID" ] && kill -TERM "$child"
    done
  ) &
  LAB_WATCHDOG=$!
  lab_log "test $name, namespaces $LAB-*, files $LAB_DIR"
}

lab_netns_add() {
  ip netns add "$1" || lab_fail "cannot create namespace $1"
  LAB_NAMESPACES+=("$1")
  ip -n "$1" link set lo up
  # No DAD delay on the lab's IPv6 addresses.
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

lab_switch() {
  lab_netns_add "$LAB-sw"
  ip -n "$LAB-sw" link add br0 type bridge
  # Forward at once: no STP listening delay on a lab bridge.
  ip -n "$LAB-sw" link set br0 type bridge forward_delay 0 stp_state 0
  ip -n "$LAB-sw" link set br0 up
}

# lab_port NS ADDR4 ADDR6: a veth from NS's eth0 to a port of br0.
lab_port() {
  local ns=$1 a4=$2 a6=$3
  LAB_PORTS=$((LAB_PORTS + 1))
  local port="p$LAB_PORTS"
  ip -n "$LAB-sw" link add "$port" type veth peer name eth0 netns "$ns" ||
    lab_fail "cannot create veth for $ns"
  ip -n "$LAB-sw" link set "$port" master br0 up
  ip -n "$ns" addr add "$a4/24" dev eth0
  ip -n "$ns" addr add "$a6/64" dev eth0 nodad
  ip -n "$ns" link set eth0 up
}

lab_router() {
  local n=$1
  lab_netns_add "$LAB-r$n"
  lab_port "$LAB-r$n" "192.0.2.$((10 + n))" "2001:db8::$((10 + n))"
}

lab_client() {
  lab_netns_add "$LAB-c"
  lab_port "$LAB-c" "192.0.2.250" "2001:db8::250"
}

lab_exec() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

lab_spawn() {
  local ns=$1 log=$2
  shift 2
  ip netns exec "$ns" "$@" >"$log" 2>&1 &
  LAB_PID=$!
  LAB_PIDS+=("$LAB_PID")
}

lab_wait() {
  local desc=$1 seconds=$2
  shift 2
  local tries=$((seconds * 10)) i
  for ((i = 0; i < tries; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  lab_fail "timed out after ${seconds}s waiting for: $desc"
}

# lab_expect_log FILE PATTERN DESC: the log holds a line matching PATTERN (fixed string).
lab_expect_log() {
  grep -qF -- "$2" "$1" || lab_fail "$3: expected '$2' in $(basename "$1")"
}

# lab_has_vip NS ADDR: the address is on NS's eth0. (The output is read whole first:
# `ip ... | grep -q` under pipefail fails when grep's early exit SIGPIPEs ip.)
lab_has_vip() {
  local addrs
  addrs=$(ip -n "$1" -o addr show dev eth0) || return 1
  grep -qF " $2/" <<<"$addrs"
}

# lab_lacks_vip NS ADDR: the address is not on NS's eth0. Fails when NS's addresses
# cannot be read (a namespace that is gone proves nothing).
lab_lacks_vip() {
  local addrs
  addrs=$(ip -n "$1" -o addr show dev eth0) || return 1
  ! grep -qF " $2/" <<<"$addrs"
}

# lab_vip_holders ADDR NS...: prints the namespaces (of those given) holding ADDR.
lab_vip_holders() {
  local addr=$1 ns
  shift
  for ns in "$@"; do lab_has_vip "$ns" "$addr" && printf '%s ' "$ns"; done
}

# lab_mac NS: the MAC address of NS's eth0.
lab_mac() { ip -n "$1" -o link show dev eth0 | sed -E 's/.*link\/ether ([0-9a-f:]+).*/\1/'; }

# lab_arp_mac NS ADDR: asks ADDR's MAC from NS with a fresh ARP request (arping from
# iputils is not assumed: a ping fills the neighbour table).
lab_arp_mac() {
  ip -n "$1" neigh flush dev eth0 >/dev/null 2>&1
  ip netns exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1 || return 1
  ip -n "$1" neigh show "$2" dev eth0 | sed -nE 's/.*lladdr ([0-9a-f:]+).*/\1/p'
}

# lab_vip_client_start NS TARGET TAG: tests/lab/vip_client.py in NS, a new connection
# to TARGET (ip:port) every 5 ms with a 300 ms timeout, until lab_vip_client_stop (at
# most 60 s); its output in $LAB_DIR/client-TAG.out ($LAB_CLIENT_OUT).
lab_vip_client_start() {
  LAB_CLIENT_OUT="$LAB_DIR/client-$3.out" LAB_CLIENT_TARGET=$2
  rm -f "$LAB_DIR/client.stop"
  lab_spawn "$1" "$LAB_CLIENT_OUT" "$LAB_PYTHON" "$(dirname "${BASH_SOURCE[0]}")/vip_client.py" \
    --target "$2" --interval 0.005 --timeout 0.3 --duration 60 --stop-file "$LAB_DIR/client.stop"
  LAB_CLIENT_PID=$LAB_PID
  lab_wait "the client to reach $2" 5 grep -qx ready "$LAB_CLIENT_OUT"
}

# lab_vip_client_stop: stops it; sets LAB_CLIENT_COUNTS to "OK FAILED SERVED" (SERVED:
# "n1:331 n2:212", who answered how often) and LAB_CLIENT_JSON to its report. The
# failed requests' lines go to stderr.
lab_vip_client_stop() {
  touch "$LAB_DIR/client.stop"
  lab_wait "the client's report" 5 grep -q '^{' "$LAB_CLIENT_OUT"
  lab_stop "$LAB_CLIENT_PID"
  LAB_CLIENT_JSON=$(grep '^{' "$LAB_CLIENT_OUT" | tail -n 1)
  grep "^FAIL t=" "$LAB_CLIENT_OUT" >&2
  LAB_CLIENT_COUNTS=$("$LAB_PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1]); t=d["targets"][sys.argv[2]]; print(d["ok"], d["failed"], " ".join("%s:%d" % kv for kv in sorted(t["served_by"].items())))' \
    "$LAB_CLIENT_JSON" "$LAB_CLIENT_TARGET")
}

# lab_nginx NS NAME [PORT]: starts a real nginx (one process, no daemon) in NS on
# PORT (8080) of every address, IPv4 and IPv6 (so it serves a VIP that comes and
# goes on NS: `lab_nginx NS NAME 80` is the load balancer of a router), and waits
# until it answers. Its pid is in LAB_NGINX_PID. What it serves:
#   /         200 "NAME" (who served the request)
#   /health   200 "UP", or 503 "DOWN" while $LAB_DIR/NAME-down exists
#   /status/301, /status/503 return that status;  /body  200 "status: degraded"
#   Host: app.example  /health  200 "APP"
# With LAB_NGINX_TLS=1 it also serves HTTPS on port 8443 with a self-signed
# certificate for app.example ($LAB_DIR/NAME-cert.pem): /health 200 "TLS".
# Logs go to $LAB_DIR/NAME-nginx-*.log; the access log's times are epoch seconds
# with milliseconds ([$msec]), comparable with a capture's timestamps.
lab_nginx() {
  local ns=$1 name=$2 port=${3:-8080} d="$LAB_DIR/$2-nginx" tls=""
  mkdir -p "$d"
  if [ -n "${LAB_NGINX_TLS:-}" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=app.example" \
      -addext "subjectAltName=DNS:app.example" -keyout "$LAB_DIR/$name-key.pem" \
      -out "$LAB_DIR/$name-cert.pem" >/dev/null 2>&1 || lab_fail "openssl cannot make a certificate"
    tls="server {
        listen 8443 ssl;
        listen [::]:8443 ssl;
        server_name app.example;
        ssl_certificate $LAB_DIR/$name-cert.pem;
        ssl_certificate_key $LAB_DIR/$name-key.pem;
        location = /health { return 200 \"TLS\\n\"; }
    }"
  fi
  cat >"$d.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d-error.log warn;
events { worker_connections 4096; }
http {
    log_format timed '\$remote_addr [\$msec] "\$request" \$status \$body_bytes_sent "\$http_user_agent"';
    access_log $d-access.log timed;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    default_type text/plain;
    server {
        listen $port default_server;
        listen [::]:$port default_server;
        location = / { return 200 "$name\n"; }
        location = /health {
            if (-f $LAB_DIR/$name-down) { return 503 "DOWN\n"; }
            return 200 "UP\n";
        }
        location = /status/301 { return 301 /health; }
        location = /status/503 { return 503 "status 503\n"; }
        location = /body { return 200 "status: degraded\n"; }
        # Closes the connection without a reply.
        location = /empty { return 444; }
        # 200 only when the check sent its configured header.
        location = /header {
            if (\$http_x_probe != "holdfast") { return 400 "no X-Probe\n"; }
            return 200 "HEADER\n";
        }
    }
    server {
        listen $port;
        listen [::]:$port;
        server_name app.example;
        location = /health { return 200 "APP\n"; }
    }
    $tls
}
CONF
  lab_spawn "$ns" "$d-stderr.log" nginx -e "$d-error.log" -c "$d.conf" -p "$d"
  LAB_NGINX_PID=$LAB_PID
  lab_wait "nginx $name on port $port in $ns" 10 \
    ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
}

# lab_stop PID: SIGTERM to a process this test started, and wait (bounded) for it.
# (A child that exited stays a zombie until waited for, so /proc tells, not kill -0.)
lab_stop() {
  kill -TERM "$1" 2>/dev/null
  local i stat
  for ((i = 0; i < 50; i++)); do
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || break
    [[ "$stat" == *") Z "* ]] && break
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}

# lab_holdfastd NS NODE [ARG...]: starts $HOLDFASTD in NS with the standard flags,
# config $LAB_DIR/NODE.conf, log $LAB_DIR/NODE.log, pid file $LAB_DIR/NODE.pid,
# control socket $LAB_DIR/NODE.sock, state (maintenance) in $LAB_DIR/NODE.state;
# sets LAB_PID. lab_ctl NODE finds it.
declare -gA LAB_NODE_NS=()
lab_holdfastd() {
  local ns=$1 node=$2
  shift 2
  LAB_NODE_NS[$node]=$ns
  lab_spawn "$ns" "$LAB_DIR/$node.log" "${HOLDFASTD:?the test sets HOLDFASTD}" -l --no-syslog \
    -f "$LAB_DIR/$node.conf" --pid-file "$LAB_DIR/$node.pid" --control-socket "$LAB_DIR/$node.sock" \
    --state-dir "$LAB_DIR/$node.state" "$@"
}

# lab_ctl NODE ARG...: holdfastctl against NODE's control socket, run in NODE's
# namespace when lab_holdfastd started it there.
lab_ctl() {
  local node=$1
  shift
  local ns=${LAB_NODE_NS[$node]:-}
  if [ -n "$ns" ]; then
    ip netns exec "$ns" "${CTL:?the test sets CTL}" -s "$LAB_DIR/$node.sock" "$@"
  else
    "${CTL:?the test sets CTL}" -s "$LAB_DIR/$node.sock" "$@"
  fi
}

# lab_json PATH...: the values at PATHs of the JSON document on stdin, on one line.
lab_json() {
  "$LAB_PYTHON" -c '
import json, re, sys
text = sys.stdin.read()
try:
    doc = json.loads(text)
except ValueError as e:
    sys.exit("lab_json: not JSON (%s): %r" % (e, text[:300]))
def get(d, path):
    for m in re.finditer(r"\[([^\]]*)\]|([^.\[\]]+)", path):
        sel, key = m.group(1), m.group(2)
        if key is not None:
            if not isinstance(d, dict) or key not in d:
                raise KeyError(key)
            d = d[key]
        elif sel.lstrip("-").isdigit():
            d = d[int(sel)]
        else:
            k, _, v = sel.partition("=")
            hits = [x for x in d if isinstance(x, dict) and str(x.get(k)) == v]
            if not hits:
                raise KeyError(sel)
            d = hits[0]
    return d
def show(v):
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), sort_keys=True)
out = []
for p in sys.argv[1:]:
    try:
        out.append(show(get(doc, p)))
    except (KeyError, IndexError, TypeError) as e:
        sys.exit("lab_json: no %s in the document (at %s)" % (p, e))
print(" ".join(out))
' "$@"
}

# lab_vrrp NODE INSTANCE PATH...: fields of one instance in NODE's `vrrp --json`.
lab_vrrp() {
  local node=$1 inst=$2 out
  shift 2
  out=$(lab_ctl "$node" vrrp --json "$inst") || return 1
  local paths=() p
  for p in "$@"; do paths+=("instances[name=$inst].$p"); done
  lab_json "${paths[@]}" <<<"$out"
}

# lab_now_ms: the wall clock, epoch milliseconds.
lab_now_ms() { date +%s%3N; }

# lab_line_ms LINE: the epoch ms of a holdfastd log line ("2025-01-31T12:00:00.123
# holdfastd[7]: info: ..."; local time, as holdfastd writes it).
lab_line_ms() { date -d "${1%% *}" +%s%3N; }

# lab_log_ms LOG PATTERN: the epoch ms of LOG's first line containing PATTERN.
lab_log_ms() {
  local line
  line=$(grep -F -m1 -- "$2" "$1") || return 1
  lab_line_ms "$line"
}
