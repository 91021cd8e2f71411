#!/usr/bin/env bash
# Failover benchmark: holdfastd vs keepalived (Debian's 2.2.7) in the same run.
# Two routers on a lab bridge (r1 priority 150 master, r2 priority 100 backup,
# VRRPv3). Per trial: SIGKILL (or SIGTERM) the master and take, from a capture on the
# bridge, the gap between the old master's last advert (its priority-0 advert for
# SIGTERM) and the new master's first. Prints per setting: median and p95 gap, the
# RFC figure (Master_Down_Interval for SIGKILL, Skew_Time for SIGTERM) and gap
# minus theory. A report, not a test: it asserts nothing about speed.
#
# Usage: tests/bench/failover.sh [TRIALS] [INTERVALS]   (default 8, "1 0.1 0.01")
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TRIALS=${1:-8}
INTERVALS=${2:-"1 0.1 0.01"}
source "$HERE/lib.sh"

bench_init failover_bench keepalived
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
VIP=192.0.2.100
RESULTS="$LAB_DIR/results.txt"

config() { # FILE STATE PRIORITY INTERVAL
  cat >"$1" <<CONF
vrrp_instance VI_1 {
    state $2
    interface eth0
    version 3
    virtual_router_id 51
    priority $3
    advert_int $4
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}

trial() { # DAEMON INTERVAL KIND N
  local daemon=$1 interval=$2 kind=$3 n=$4 tag="$1-$2-$3-$4"
  config "$LAB_DIR/m-$tag.conf" MASTER 150 "$interval"
  config "$LAB_DIR/b-$tag.conf" BACKUP 100 "$interval"
  bench_capture "$LAB-sw" "$LAB_DIR/$tag.pcap" -i br0 "ip proto 112"
  local cap=$LAB_PID
  bench_daemon "$daemon" "$R1" "m-$tag"
  local m=$LAB_PID
  lab_wait "$tag: r1 master" 15 lab_has_vip "$R1" "$VIP"
  bench_daemon "$daemon" "$R2" "b-$tag"
  local b=$LAB_PID
  # Let the backup settle on the master's adverts.
  sleep "$(python3 -c "print(max(0.5, 4 * $interval))")"
  lab_has_vip "$R2" "$VIP" && lab_fail "$tag: backup holds the VIP before the failover"
  if [ "$kind" = kill ]; then
    # A crash: keepalived's VRRP child would otherwise see its parent die and leave
    # gracefully (priority 0), which is not what is measured here.
    local child=""
    [ "$daemon" = keepalived ] && child=$(cat "$LAB_DIR/m-$tag-vrrp.pid" 2>/dev/null)
    kill -KILL $child "$m"
  else
    kill -TERM "$m"
  fi
  wait "$m" 2>/dev/null
  lab_wait "$tag: r2 to take over" 15 lab_has_vip "$R2" "$VIP"
  lab_wait "$tag: the capture to show it" 10 \
    python3 "$HERE/failover_gap.py" "$LAB_DIR/$tag.pcap" 192.0.2.11 192.0.2.12 "$kind"
  local gap
  gap=$(python3 "$HERE/failover_gap.py" "$LAB_DIR/$tag.pcap" 192.0.2.11 192.0.2.12 "$kind")
  kill -TERM "$b" "$cap" 2>/dev/null
  wait "$b" "$cap" 2>/dev/null
  # SIGKILL leaves r1's VIP behind (and keepalived's r2 may too): clean for the next trial.
  ip -n "$R1" addr del "$VIP/24" dev eth0 2>/dev/null
  ip -n "$R2" addr del "$VIP/24" dev eth0 2>/dev/null
  rm -f "$LAB_DIR/$tag.pcap"
  echo "$daemon $interval $kind $gap" >>"$RESULTS"
  printf '  %-10s advert_int %-5s %-4s trial %d: gap %8.3f ms\n' "$daemon" "$interval" "$kind" "$n" \
    "$(python3 -c "print($gap / 1000)")"
}

echo "failover benchmark: $TRIALS trials per setting, intervals $INTERVALS"
echo "holdfastd: $("$HOLDFASTD" --version)   keepalived: $(keepalived --version 2>&1 | head -1)"
for interval in $INTERVALS; do
  for kind in kill term; do
    for daemon in holdfast keepalived; do
      for n in $(seq 1 "$TRIALS"); do trial "$daemon" "$interval" "$kind" "$n"; done
    done
  done
done

python3 - "$RESULTS" <<'PY'
import sys
from collections import defaultdict
rows = defaultdict(list)
for line in open(sys.argv[1]):
    d, i, k, g = line.split()
    rows[(float(i), k, d)].append(int(g) / 1000.0)

def theory_ms(interval_s, kind):
    # RFC 5798 6.1 in centiseconds, priority 100: Skew_Time = (256-100)*adv/256.
    adv_cs = round(interval_s * 100)
    skew_cs = (156 * adv_cs) // 256
    return 10.0 * (skew_cs if kind == "term" else 3 * adv_cs + skew_cs)

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]

print()
print("%-9s %-5s %-10s %4s %10s %10s %10s %12s %12s" % (
    "advert", "kind", "daemon", "n", "median ms", "p95 ms", "theory ms", "med-theory", "p95-theory"))
for (i, k, d) in sorted(rows, key=lambda x: (-x[0], x[1], x[2])):
    v = rows[(i, k, d)]
    t = theory_ms(i, k)
    print("%-9s %-5s %-10s %4d %10.3f %10.3f %10.3f %12.3f %12.3f" % (
        "%gs" % i, k, d, len(v), pct(v, 50), pct(v, 95), t, pct(v, 50) - t, pct(v, 95) - t))
print()
print("theory: SIGKILL -> Master_Down_Interval, SIGTERM -> Skew_Time, of the backup (priority 100),")
print("in RFC 5798 centiseconds (integer division); keepalived computes them in microseconds.")
PY
