#!/usr/bin/env bash
# What a client of the VIP sees when the master fails or hands over: holdfastd vs
# keepalived 2.2.7, the same topology and faults, in one run.
#
# A switch, routers r1 (priority 150) and r2 (100), each with a real nginx answering
# on the VIP 192.0.2.100:80 with its own name (n1, n2), and a client namespace
# opening a NEW TCP connection + HTTP GET to the VIP every 5 ms (300 ms timeout),
# logging each request: when, whether it succeeded, who answered
# (outage_client.py). advert_int 1. Each trial starts both daemons afresh, waits
# for r1 to be master and r2 backup, starts the client, causes a fault at a random
# phase, and waits for r2's nginx to answer. Measured per trial, from the fault:
#   outage    fault -> the end of the first successful answer from r2's nginx
#   max gap   the longest time between two successful answers (any server),
#             counted from the last one before the fault
#   failed    requests that failed during the trial
# Scenarios (each: both daemons, TRIALS trials):
#   1  the master's nginx is SIGKILLed (nginx runs as one process, by pid):
#      1a holdfastd, native HTTP check (interval 1s, fall 2, rise 2), track_backend -100
#      1b holdfastd, vrrp_track_process on nginx, weight -100
#      1c keepalived, vrrp_script running curl (interval 1, fall 2, rise 2, weight -100)
#      1d keepalived, vrrp_track_process on nginx, weight -100: its proc connector
#         does not work outside the initial network namespace; what it does is
#         recorded (no failover: one trial, bounded wait)
#      (both routers track their own nginx: the process blocks match nginx's
#      command line up to its own -e log path, since the lab's two nginx share one
#      pid namespace)
#   2  planned handover: holdfastd `holdfastctl handover --all` on r1; keepalived
#      the usual way, r1's config edited to priority 50 and SIGHUP
#   3  master node lost: r1's daemon SIGKILLed (keepalived: its parent and VRRP
#      child) and r1's eth0 set down at the same moment
# A report, not a test: no timing is judged (the machine is noisy). It fails only
# when the setup breaks (no master, a client that never gets an answer, ...); a
# scenario that should fail over and does not within 20 s is reported, and makes
# the exit status 1.
# Reading it: keepalived 2.2.7's backup discards an advert of lower priority than
# its own ("received lower priority (50) advert ... - discarding") and takes over
# only when Master_Down_Interval (3.6 s here) runs out, in 1c and 2 as well as 3;
# holdfastd's takes over at once (its strict_preempt keyword is the RFC way).
# About 15 s a trial: TRIALS=2 runs in about 4.5 minutes.
#
# Usage: tests/bench/outage.sh [TRIALS]     (default 3)
#   SCENARIOS="1a 1b 1c 1d 2 3" (default: all) runs only some.
#   HOLDFASTD, CTL: the binaries (default build/holdfastd, build/holdfastctl).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TRIALS=${1:-3}
SCENARIOS=${SCENARIOS:-1a 1b 1c 1d 2 3}
CTL=${CTL:-$HERE/../../build/holdfastctl}
source "$HERE/lib.sh"
[[ "$TRIALS" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [TRIALS]" >&2; exit 2; }
[ -x "$CTL" ] || { echo "build holdfastctl first ($CTL)" >&2; exit 1; }

bench_init outage_bench nginx keepalived curl
chmod 755 "$LAB_DIR"
cp "$CTL" "$LAB_DIR/holdfastctl"
CTL="$LAB_DIR/holdfastctl"
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2" C="$LAB-c"
VIP=192.0.2.100
RESULTS="$LAB_DIR/results.txt"
: >"$RESULTS"
NO_FAILOVER=0
# The client opens ~200 connections a second: let it reuse TIME_WAIT ports.
lab_exec "$C" sysctl -qw net.ipv4.tcp_tw_reuse=1
lab_nginx "$R1" n1 80
N1_PID=$LAB_NGINX_PID
lab_nginx "$R2" n2 80

# --- configs -------------------------------------------------------------------

# config DAEMON NODE PRIORITY TRACK: writes $LAB_DIR/NODE.conf; NODE is a (r1) or
# b (r2), TRACK http|process|script|none. Each router tracks its own nginx.
config() {
  local daemon=$1 node=$2 prio=$3 track=$4 f="$LAB_DIR/$2.conf" n tracking=""
  n=n$([ "$node" = a ] && echo 1 || echo 2)
  : >"$f"
  case "$track" in
  http) # holdfastd's native check
    cat >>"$f" <<CONF
backend nginx_local {
    address 127.0.0.1
    check http { port 80  path /health  interval 1s  timeout 500ms  fall 2  rise 2 }
}
CONF
    tracking="track_backend {
        nginx_local weight -100
    }" ;;
  process) # the same block for both daemons (keepalived's syntax)
    cat >>"$f" <<CONF
vrrp_track_process nginx {
    process nginx -e $LAB_DIR/$n-nginx-error.log
    param_match partial
    weight -100
}
CONF
    tracking="track_process {
        nginx
    }" ;;
  script) # keepalived's classic way
    cat >>"$f" <<CONF
global_defs {
    script_user root
}
vrrp_script chk_nginx {
    script "$(command -v curl) -sf -o /dev/null -m 0.5 http://127.0.0.1:80/health"
    interval 1
    timeout 1
    fall 2
    rise 2
    weight -100
}
CONF
    tracking="track_script {
        chk_nginx
    }" ;;
  esac
  cat >>"$f" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority $prio
    advert_int 1
    virtual_ipaddress {
        $VIP/24
    }
    $tracking
}
CONF
}

# --- the client ------------------------------------------------------------------

client_start() { # TAG
  CLIENT_LOG="$LAB_DIR/client-$1.log"
  rm -f "$LAB_DIR/client.stop"
  ip -n "$C" neigh flush dev eth0 2>/dev/null
  lab_spawn "$C" "$LAB_DIR/client-$1.out" "$LAB_PYTHON" "$HERE/outage_client.py" --log "$CLIENT_LOG" \
    --target "$VIP:80" --interval 0.005 --timeout 0.3 --duration 90 --stop-file "$LAB_DIR/client.stop"
  CLIENT_PID=$LAB_PID
  lab_wait "$1: the client to get an answer from $VIP" 5 grep -qx ready "$LAB_DIR/client-$1.out"
}

client_stop() { # TAG
  touch "$LAB_DIR/client.stop"
  lab_wait "$1: the client's report" 5 grep -q '^{' "$LAB_DIR/client-$1.out"
  lab_stop "$CLIENT_PID"
}

# r2's nginx answered the client (before the fault r2 lacks the VIP: only after it).
new_master_answered() { grep -q " ok n2$" "$CLIENT_LOG"; }

# wait_until SECONDS CMD...: like lab_wait, but returns 1 on time out (a result, not
# a broken setup).
wait_until() {
  local seconds=$1 i
  shift
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# --- one trial -----------------------------------------------------------------

# trial SCENARIO DAEMON TRACK N FAULT [WAIT_S]: both daemons afresh, r1 master, the
# client running, then FAULT (a function that sets T0, the fault's epoch ms), then
# up to WAIT_S (20) for r2's nginx to answer; the trial's row goes to $RESULTS.
trial() {
  local scen=$1 daemon=$2 track=$3 n=$4 fault=$5 wait_s=${6:-20} tag="${1%% *}-$2-$3-$4"
  DAEMON=$daemon TAG=$tag
  config "$daemon" a 150 "$track"
  config "$daemon" b 100 "$track"
  bench_daemon "$daemon" "$R1" a
  A_PID=$LAB_PID
  lab_wait "$tag: r1 to become master" 15 lab_has_vip "$R1" "$VIP"
  bench_daemon "$daemon" "$R2" b
  B_PID=$LAB_PID
  sleep 5 # the checks up on both (rise 2 at 1 s), r2 settled as backup
  local note=""
  if ! lab_has_vip "$R1" "$VIP" || lab_has_vip "$R2" "$VIP"; then
    [ "$track/$daemon" = process/keepalived ] || lab_fail "$tag: r1 is not the only master before the fault"
    note="r2 master before the fault"
  fi
  client_start "$tag"
  sleep "$(printf '1.%03d' $((RANDOM % 1000)))" # a second of baseline, at a random phase
  T0="" FAULT_NOTE=""
  if ! "$fault" || [ -z "$T0" ]; then lab_fail "$tag: the fault failed"; fi
  local outcome=failover
  if ! wait_until "$wait_s" new_master_answered; then
    outcome="no failover in ${wait_s}s"
    [ "$track/$daemon" = process/keepalived ] || NO_FAILOVER=1
  fi
  sleep 1 # what the client sees right after
  client_stop "$tag"
  local sum
  sum=$("$LAB_PYTHON" "$HERE/outage_client.py" --summarize "$CLIENT_LOG" --fault-ms "$T0" --new-master n2)
  teardown
  printf '%s\t%s\t%s\t%s\t%s\n' "$scen" "$daemon ($(label "$track" "$scen" "$daemon"))" "$n" "$sum" \
    "${note:-$outcome}" >>"$RESULTS"
  "$LAB_PYTHON" -c '
import json, sys
s = json.loads(sys.argv[1])
ms = lambda v: "none" if v is None else "%d ms" % v
print("  %-34s trial %s: outage %s, max gap %s, %d failed, served %s%s" % (
    sys.argv[2], sys.argv[3], ms(s["outage_ms"]), ms(s["max_gap_ms"]), s["failed"],
    " ".join("%s:%d" % kv for kv in sorted(s["served_by"].items())),
    "" if sys.argv[4] == "failover" else "  [" + sys.argv[4] + "]"))' \
    "$sum" "$scen $daemon/$track" "$n" "${note:-$outcome}"
  [ -z "$FAULT_NOTE" ] || echo "      $FAULT_NOTE"
}

label() { # TRACK SCENARIO DAEMON: how the daemon was set up, for the table
  case "$1/$2" in
  http/*) echo "HTTP check" ;;
  process/*) echo "track_process" ;;
  script/*) echo "vrrp_script curl" ;;
  none/2*) [ "$3" = holdfast ] && echo "holdfastctl handover" || echo "prio 50 + SIGHUP" ;;
  none/*) echo "kill + eth0 down" ;;
  esac
}

# Both daemons stopped, r1 whole again (eth0 up, nginx running), no VIP anywhere.
teardown() {
  lab_stop "$A_PID"
  lab_stop "$B_PID"
  ip -n "$R1" link set eth0 up
  ip -n "$R1" addr replace 2001:db8::11/64 dev eth0 nodad # dropped with the link
  ip -n "$R1" addr del "$VIP/24" dev eth0 2>/dev/null
  ip -n "$R2" addr del "$VIP/24" dev eth0 2>/dev/null
  rm -f "$LAB_DIR"/a*.pid "$LAB_DIR"/b*.pid # a SIGKILLed daemon leaves its own
  local f # the trial's configs and logs, kept under its tag (LAB_KEEP=1 keeps them)
  for f in a.conf a.log b.conf b.log; do mv "$LAB_DIR/$f" "$LAB_DIR/$TAG-$f"; done
  if [ ! -d "/proc/$N1_PID" ]; then
    lab_nginx "$R1" n1 80
    N1_PID=$LAB_NGINX_PID
  fi
}

# --- the faults: each sets T0 to its epoch ms, read just before it --------------------

# Scenario 1: SIGKILL to r1's nginx (one process: lab_nginx runs it with
# master_process off), the clock read and the kill back to back.
fault_kill_nginx() {
  [ "$(cat "/proc/$N1_PID/comm" 2>/dev/null)" = nginx ] || return 1
  T0=$("$LAB_PYTHON" -c 'import os, sys, time; t = time.time(); os.kill(int(sys.argv[1]), 9); print(int(t * 1000))' "$N1_PID")
  wait "$N1_PID" 2>/dev/null # reaped, so that teardown sees it gone
  return 0
}

# Scenario 2, holdfastd: a planned handover of every instance r1 is master of.
fault_handover() {
  T0=$(lab_now_ms)
  FAULT_NOTE="holdfastctl: $(ip netns exec "$R1" "$CTL" -s "$LAB_DIR/a.sock" handover --all --wait 10 2>&1)"
  return 0 # a handover that did not happen shows in the outcome
}

# Scenario 2, keepalived: r1's priority lowered to 50 in its config, then SIGHUP.
fault_reprioritize() {
  sed -i 's/priority 150/priority 50/' "$LAB_DIR/a.conf"
  T0=$(lab_now_ms)
  kill -HUP "$A_PID"
}

# Scenario 3: r1's daemon SIGKILLed (keepalived: the parent and its VRRP child) and
# its eth0 set down, in one process right after the clock read.
fault_node_lost() {
  local pids=$A_PID child
  if [ "$DAEMON" = keepalived ]; then
    child=$(cat "$LAB_DIR/a-vrrp.pid" 2>/dev/null)
    [ "$(cat "/proc/$child/comm" 2>/dev/null)" = keepalived ] || return 1
    pids="$pids $child"
  fi
  T0=$("$LAB_PYTHON" -c '
import os, subprocess, sys, time
t = time.time()
for pid in sys.argv[2:]:
    os.kill(int(pid), 9)
subprocess.run(["ip", "-n", sys.argv[1], "link", "set", "eth0", "down"], check=True)
print(int(t * 1000))' "$R1" $pids)
}

# --- the scenarios -----------------------------------------------------------------

scenario_1() { # the master's nginx is SIGKILLed
  local n
  for n in $(seq 1 "$TRIALS"); do
    want 1a && trial "1 nginx SIGKILL" holdfast http "$n" fault_kill_nginx
    want 1b && trial "1 nginx SIGKILL" holdfast process "$n" fault_kill_nginx
    want 1c && trial "1 nginx SIGKILL" keepalived script "$n" fault_kill_nginx
  done
  # keepalived's own vrrp_track_process: one trial shows what it does here.
  want 1d && trial "1 nginx SIGKILL" keepalived process 1 fault_kill_nginx 10
  return 0
}

scenario_2() { # planned handover
  local n
  for n in $(seq 1 "$TRIALS"); do
    trial "2 planned handover" holdfast none "$n" fault_handover
    trial "2 planned handover" keepalived none "$n" fault_reprioritize
  done
}

scenario_3() { # the master node is lost
  local n
  for n in $(seq 1 "$TRIALS"); do
    trial "3 master node lost" holdfast none "$n" fault_node_lost
    trial "3 master node lost" keepalived none "$n" fault_node_lost
  done
}

want() { [[ " $SCENARIOS " == *" $1 "* ]]; }

# --- main ------------------------------------------------------------------------

started=$(date +%s)
echo "what a client of $VIP sees: a new connection + GET every 5 ms, 300 ms timeout; advert_int 1"
echo "holdfastd: $("$HOLDFASTD" --version)   keepalived: $(keepalived --version 2>&1 | head -1)   $(nginx -v 2>&1)"
echo "$TRIALS trials per scenario and daemon (1d: one); scenarios: $SCENARIOS"
{ want 1a || want 1b || want 1c || want 1d; } && scenario_1
want 2 && scenario_2
want 3 && scenario_3

# Evidence for 1d: keepalived's log about its process tracking.
if want 1d; then
  echo
  echo "keepalived's vrrp_track_process in a network namespace (r1's log, 1d):"
  grep -hE "process event listen|effective priority|Entering" "$LAB_DIR/1-keepalived-process-1-a.log" |
    head -4 | sed 's/^/  r1: /'
  grep -hE "process event listen|effective priority|Entering" "$LAB_DIR/1-keepalived-process-1-b.log" |
    head -4 | sed 's/^/  r2: /'
fi

echo
"$LAB_PYTHON" - "$RESULTS" <<'PY'
import json, statistics, sys
rows, order = {}, []
for line in open(sys.argv[1]):
    scen, daemon, n, s, outcome = line.rstrip("\n").split("\t")
    key = (scen, daemon)
    if key not in rows:
        rows[key] = []
        order.append(key)
    rows[key].append((json.loads(s), outcome))

def ms(values):
    v = [x for x in values if x is not None]
    if not v:
        return "none", "none"
    return "%d" % statistics.median(v), "%d" % max(v)

head = ("scenario", "daemon", "n", "outage med", "outage max", "gap med", "gap max",
        "failed", "failed/trial")
fmt = "%-19s %-36s %2s %10s %10s %8s %8s %7s %12s  %s"
print(fmt % (head + ("",)))
for key in order:
    trials = rows[key]
    s = [t[0] for t in trials]
    om, ox = ms([x["outage_ms"] for x in s])
    gm, gx = ms([x["max_gap_ms"] for x in s])
    failed = [x["failed"] for x in s]
    notes = sorted({o for _, o in trials if o != "failover"})
    print(fmt % (key[0], key[1], len(s), om, ox, gm, gx, sum(failed),
                 "%g" % statistics.median(failed), "; ".join(notes)))
print()
print("outage: fault -> first answer from r2's nginx (ms); gap: longest time between two")
print("successful answers; failed: requests that failed or timed out (300 ms).")
PY
echo "took $(($(date +%s) - started)) s"
exit "$NO_FAILOVER"
