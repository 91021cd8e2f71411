#!/usr/bin/env bash
# Advert timing under check load: a master at advert_int 0.1 (VRRPv3) and a backup,
# first with no backend checks, then while the master runs N HTTP checks a second
# against a real nginx in its own namespace (127.1.x.y, all reaching one nginx on
# lo). From a capture: the distribution of the intervals between the
# master's consecutive adverts and their deviation from 100 ms (p50, p99, max),
# and any state change on either node (there must be none). Captured on the
# master's eth0 (outgoing). Three phases: idle, loaded, and loaded with the VRRP
# thread and the checker threads pinned to different CPUs (vrrp_cpu_affinity 0,
# checker_cpu_affinity 1). A report, not a test.
#
# Usage: tests/bench/advert_timing.sh [N] [SECONDS]   (default 10000, 30)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
N=${1:-10000}
SECONDS_RUN=${2:-30}
source "$HERE/lib.sh"

bench_init advert_timing_bench tcpdump
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
ip netns exec "$R1" sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
lab_nginx "$R1" web

config() { # FILE STATE PRIORITY CHECKS [GLOBAL_DEFS LINES]
  : >"$1"
  [ -n "${5:-}" ] && printf 'global_defs {\n%s\n}\n' "$5" >>"$1"
  local i
  for ((i = 0; i < $4; i++)); do
    echo "backend b$i { address 127.1.$((i / 250)).$((i % 250 + 1))  check http { port 8080  path /health  interval 1s  timeout 1s  rise 1  fall 1 } }" >>"$1"
  done
  cat >>"$1" <<CONF
vrrp_instance VI_1 {
    state $2
    interface eth0
    version 3
    virtual_router_id 51
    priority $3
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF
}

phase() { # NAME CHECKS [MASTER'S GLOBAL_DEFS LINES]
  local tag=$1
  config "$LAB_DIR/m-$tag.conf" MASTER 150 "$2" "${3:-}"
  config "$LAB_DIR/b-$tag.conf" BACKUP 100 0
  bench_daemon holdfast "$R1" "m-$tag"
  local m=$LAB_PID
  # The backup starts once the master holds the VIP: building ten thousand
  # checks takes the master about a second, and the backup would take over
  # meanwhile (a start-up race, not what is measured).
  lab_wait "$tag: r1 master" 15 lab_has_vip "$R1" "$VIP"
  bench_daemon holdfast "$R2" "b-$tag"
  local b=$LAB_PID
  sleep 3 # checks spread over their first second, then steady
  local a0
  a0=$(wc -l <"$LAB_DIR/web-nginx-access.log")
  # Captured on the master's own eth0: the time each advert leaves it, before the
  # bridge's softirq work (which a loaded host defers to ksoftirqd) adds its own.
  bench_capture "$R1" "$LAB_DIR/$tag.pcap" -i eth0 -Q out -j adapter_unsynced \
    --time-stamp-precision=nano "ip proto 112 and src 192.0.2.11"
  local cap=$LAB_PID
  sleep "$SECONDS_RUN"
  kill -TERM "$cap"
  wait "$cap" 2>/dev/null
  local a1
  a1=$(wc -l <"$LAB_DIR/web-nginx-access.log")
  lab_stop "$b"
  lab_stop "$m"
  local changes
  changes=$(grep -hcE " -> (MASTER|BACKUP|FAULT): " "$LAB_DIR/m-$tag.log" "$LAB_DIR/b-$tag.log" | paste -sd+ | bc)
  # Expected: r1 INIT -> BACKUP -> MASTER (state MASTER waits one advert_int for a
  # master, as keepalived) and r2 INIT -> BACKUP at start, then nothing.
  printf '%s checks=%d served=%d transitions=%d\n' "$tag" "$2" "$((a1 - a0))" "$changes"
  grep -hE " -> (MASTER|BACKUP|FAULT): " "$LAB_DIR/m-$tag.log" "$LAB_DIR/b-$tag.log" | sed 's/^/    /'
  python3 - "$LAB_DIR/$tag.pcap" "$tag" <<'PY'
import os, sys
sys.path.insert(0, os.environ["HERE"])
from failover_gap import adverts
times = [a[0] for a in adverts(sys.argv[1])]
iv = sorted(abs((b - a) * 1000 - 100.0) for a, b in zip(times, times[1:]))
raw = sorted((b - a) * 1000 for a, b in zip(times, times[1:]))
def pct(v, p): return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]
print("  %-8s adverts %5d  interval ms: min %.3f p50 %.3f max %.3f   |deviation| ms: p50 %.3f p99 %.3f max %.3f" % (
    sys.argv[2], len(times), raw[0], pct(raw, 50), raw[-1], pct(iv, 50), pct(iv, 99), iv[-1]))
PY
}

VIP=192.0.2.100
export HERE
echo "advert timing: advert_int 0.1, $SECONDS_RUN s per phase; load = $N HTTP checks a second"
echo "holdfastd: $("$HOLDFASTD" --version)"
phase idle 0
phase loaded "$N"
# The VRRP thread and the checker threads on CPUs of their own: the checks'
# softirq work (their traffic is handled on the CPU that sends it) stays off the
# VRRP thread's CPU.
phase pinned "$N" "    vrrp_cpu_affinity 0
    checker_cpu_affinity 1"
echo "transitions counts the start (r1 INIT -> BACKUP -> MASTER, r2 INIT -> BACKUP): 3 means none spurious."
