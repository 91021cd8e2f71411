#!/usr/bin/env bash
# Malformed-packet flood, holdfastd and keepalived 2.2.7 in the same run: a pair
# (VRID 51 VRRPv2 PASS advert_int 1; VRID 52 VRRPv3 IPv6 advert_int 0.1) takes
# COUNT packets (default 1,000,000) from tests/lab/vrrp_flood.py. Prints, per
# daemon: state changes during the flood, CPU seconds the pair spent, RSS before and
# after, the master's largest VRID 52 advert gap, and for holdfastd the discards
# counted by reason.
#   tests/bench/flood.sh [COUNT]
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
COUNT=${1:-1000000}
source "$HERE/lib.sh"
CTL=${HOLDFASTCTL:-$HERE/../../build/holdfastctl}
bench_init flood keepalived tcpdump python3
lab_switch
lab_router 1
lab_router 2
lab_client

conf() { # NAME PRIORITY: the pair the flood tool targets
  python3 "$HERE/../lab/vrrp_flood.py" --config "$2" >"$LAB_DIR/$1.conf"
}
cpu_ticks() { # PID...: utime + stime of each, summed (all threads)
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

printf '%-10s %9s %12s %9s %18s %18s %s\n' daemon packets transitions "cpu s" "r1 RSS KiB" "r2 RSS KiB" "max VRID 52 gap"
for daemon in holdfast keepalived; do
  conf "$daemon-a" 150
  conf "$daemon-b" 100
  bench_daemon "$daemon" "$LAB-r1" "$daemon-a"
  A=$LAB_PID
  lab_wait "$daemon r1 master" 20 lab_has_vip "$LAB-r1" 2001:db8::100
  bench_daemon "$daemon" "$LAB-r2" "$daemon-b"
  B=$LAB_PID
  sleep 5
  if [ "$daemon" = keepalived ]; then  # the VRRP child does the work
    A=$(cat "$LAB_DIR/$daemon-a-vrrp.pid")
    B=$(cat "$LAB_DIR/$daemon-b-vrrp.pid")
  fi
  before=$(cat "$LAB_DIR"/$daemon-[ab].log | grep -ciE "entering (master|backup|fault)|-> (MASTER|BACKUP|FAULT)")
  c0=$(cpu_ticks "$A" "$B")
  ra0=$(rss "$A")
  rb0=$(rss "$B")
  bench_capture "$LAB-r1" "$LAB_DIR/$daemon.pcap" -i eth0 -Q out 'ip6 proto 112'
  CAP=$LAB_PID
  ip netns exec "$LAB-c" python3 "$HERE/../lab/vrrp_flood.py" eth0 "$COUNT" >"$LAB_DIR/$daemon-flood.json"
  sleep 1
  lab_stop "$CAP"
  c1=$(cpu_ticks "$A" "$B")
  after=$(cat "$LAB_DIR"/$daemon-[ab].log | grep -ciE "entering (master|backup|fault)|-> (MASTER|BACKUP|FAULT)")
  gap=$(python3 "$HERE/failover_gap.py" --max-gap "$LAB_DIR/$daemon.pcap" any 52 || echo "?")
  sent=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%d/%ss" % (d["sent"], d["seconds"]))' "$LAB_DIR/$daemon-flood.json")
  printf '%-10s %9s %12s %9s %18s %18s %s\n' "$daemon" "$sent" "$((after - before))" \
    "$(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN {printf "%.2f", t / hz}')" "$ra0->$(rss "$A")" "$rb0->$(rss "$B")" "$gap"
  if [ "$daemon" = holdfast ]; then
    ip netns exec "$LAB-r2" "$CTL" -s "$LAB_DIR/$daemon-b.sock" vrrp >"$LAB_DIR/vrrp.txt" &&
      grep -E "discarded|on the interface" "$LAB_DIR/vrrp.txt" | sed 's/^/    r2 /'
  fi
  # Both stop; the next daemon starts from a clean pair.
  kill -TERM "$(cat "$LAB_DIR/$daemon-a.pid")" "$(cat "$LAB_DIR/$daemon-b.pid")" 2>/dev/null
  sleep 2
done
