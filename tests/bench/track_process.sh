#!/usr/bin/env bash
# Process-driven failover latency: a tracked process on the master (a copy of sleep
# with a distinctive name) is killed with SIGKILL; the time measured runs from the
# kill to the backup's first advert as master on the wire (capture on the bridge).
# holdfastd: vrrp_track_process (weight -20; the exit is seen through a pidfd).
# keepalived 2.2.7: what its users run inside a namespace or container, a vrrp_script
# `pgrep -x NAME` at interval 1, fall 1, rise 1, weight -20 (pidof itself returns 1
# under keepalived 2.2.7 here; pgrep -x is the same exact-name test) -- because its own
# vrrp_track_process needs the proc connector, which fails outside the initial network
# namespace (its log line is printed below as evidence). advert_int 1, priorities 110
# (r1) and 100 (r2; it tracks nothing: one pid namespace, it would see the kill too).
# A report, not a test.
#
# Usage: tests/bench/track_process.sh [TRIALS]   (default 5)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TRIALS=${1:-5}
source "$HERE/lib.sh"

bench_init track_process_bench keepalived tcpdump pgrep
chmod 755 "$LAB_DIR"
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
VIP=192.0.2.100
RESULTS="$LAB_DIR/results.txt"
NAME="hfbench$$"
cp "$(command -v sleep)" "$LAB_DIR/$NAME"

config() { # DAEMON FILE PRIORITY [untracked]
  local track=""
  if [ -n "${4:-}" ]; then
    : # the backup tracks nothing: it shares the pid namespace and would see the kill too
  elif [ "$1" = holdfast ]; then
    cat >"$2" <<CONF
vrrp_track_process app {
    process $NAME
    weight -20
}
CONF
    track="track_process {
        app
    }"
  else
    cat >"$2" <<CONF
global_defs {
    script_user root
}
vrrp_script chk_app {
    script "$(command -v pgrep) -x $NAME"
    interval 1
    timeout 1
    fall 1
    rise 1
    weight -20
}
CONF
    track="track_script {
        chk_app
    }"
  fi
  [ -n "${4:-}" ] && : >"$2"
  cat >>"$2" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $3
    advert_int 1
    virtual_ipaddress {
        $VIP/24
    }
    $track
}
CONF
}

trial() { # DAEMON N
  local daemon=$1 n=$2 tag="$1-$2"
  lab_spawn "$R1" /dev/null "$LAB_DIR/$NAME" 1000
  local app=$LAB_PID
  config "$daemon" "$LAB_DIR/a-$tag.conf" 110
  config "$daemon" "$LAB_DIR/b-$tag.conf" 100 untracked
  bench_capture "$LAB-sw" "$LAB_DIR/$tag.pcap" -i br0 "ip proto 112"
  local cap=$LAB_PID
  bench_daemon "$daemon" "$R1" "a-$tag"
  local a=$LAB_PID
  lab_wait "$tag: r1 master" 15 lab_has_vip "$R1" "$VIP"
  bench_daemon "$daemon" "$R2" "b-$tag"
  local b=$LAB_PID
  sleep 4 # scripts up, r2 settled as backup
  lab_has_vip "$R2" "$VIP" && lab_fail "$tag: r2 holds the VIP before the process dies"
  # A random phase against keepalived's 1 s script interval.
  sleep "0.$((RANDOM % 1000))"
  local t0
  # The clock read and the kill in one process, back to back.
  t0=$(python3 -c 'import os, sys, time; t = time.time(); os.kill(int(sys.argv[1]), 9); print("%.6f" % t)' "$app")
  lab_wait "$tag: r2 to take over" 15 lab_has_vip "$R2" "$VIP"
  lab_wait "$tag: the capture to show r2's advert" 10 \
    python3 "$HERE/first_advert_after.py" "$LAB_DIR/$tag.pcap" 192.0.2.12 "$t0"
  local first
  first=$(python3 "$HERE/first_advert_after.py" "$LAB_DIR/$tag.pcap" 192.0.2.12 "$t0")
  kill -TERM "$a" "$b" "$cap" 2>/dev/null
  wait "$a" "$b" "$cap" "$app" 2>/dev/null
  rm -f "$LAB_DIR/$tag.pcap"
  ip -n "$R1" addr del "$VIP/24" dev eth0 2>/dev/null
  ip -n "$R2" addr del "$VIP/24" dev eth0 2>/dev/null
  local ms seen=""
  ms=$(python3 -c "print(round(($first - $t0) * 1000, 2))")
  echo "$daemon $ms" >>"$RESULTS"
  if [ "$daemon" = holdfast ]; then
    # r1's log line (ms resolution): how much of it was the exit reaching holdfastd.
    local line
    line=$(lab_log_ms "$LAB_DIR/a-$tag.log" "quorum lost") &&
      seen=$(python3 -c "print(' (r1 logged the loss %.0f ms after the kill)' % ($line - $t0 * 1000))")
  fi
  printf '  %-10s trial %d: %8.2f ms from SIGKILL to the new master'"'"'s first advert%s\n' \
    "$daemon" "$n" "$ms" "$seen"
}

echo "process-driven failover: $TRIALS trials each; advert_int 1, weight -20"
echo "holdfastd: $("$HOLDFASTD" --version)   keepalived: $(keepalived --version 2>&1 | head -1)"
for n in $(seq 1 "$TRIALS"); do
  trial holdfast "$n"
  trial keepalived "$n"
done
python3 - "$RESULTS" <<'PY'
import sys
from collections import defaultdict
rows = defaultdict(list)
for line in open(sys.argv[1]):
    d, ms = line.split()
    rows[d].append(float(ms))
print()
print("%-10s %3s %10s %10s %10s" % ("daemon", "n", "min ms", "median ms", "max ms"))
for d, v in sorted(rows.items()):
    v.sort()
    print("%-10s %3d %10.2f %10.2f %10.2f" % (d, len(v), v[0], v[len(v) // 2], v[-1]))
PY

# Evidence: keepalived's own vrrp_track_process inside a network namespace.
lab_spawn "$R1" /dev/null "$LAB_DIR/$NAME" 1000
cat >"$LAB_DIR/ka-tp.conf" <<CONF
vrrp_track_process app {
    process $NAME
    weight -20
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority 110
    advert_int 1
    virtual_ipaddress {
        192.0.2.101/24
    }
    track_process {
        app
    }
}
CONF
bench_daemon keepalived "$R1" ka-tp
ka=$LAB_PID
sleep 3
kill -TERM "$ka" 2>/dev/null
wait "$ka" 2>/dev/null
echo
echo "keepalived's vrrp_track_process inside a network namespace (its log):"
grep -E "process event listen|effective priority" "$LAB_DIR/ka-tp.log" | head -3 ||
  { echo "(no such line; its log:)"; head -20 "$LAB_DIR/ka-tp.log"; }
echo "(the process runs: $(pgrep -x "$NAME" | head -1); keepalived counted none)"
