#!/usr/bin/env bash
# Check-driven failover latency: holdfastd (native HTTP check, track_backend
# weight -20) vs keepalived doing the same job the classic way (a vrrp_script
# running curl, weight -20), same interval (1 s), fall (2), rise (2), advert_int 1,
# priorities 110 (r1) and 100 (r2), a real nginx on each router. Per trial the
# master's nginx starts answering 503; the time measured runs from the probe that
# makes the check cross its fall count (nginx's access log: the fall-th 503, in
# ms) to the new master's first advert on the wire (capture on the bridge).
# A report, not a test.
#
# Usage: tests/bench/check_failover.sh [TRIALS]   (default 5)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TRIALS=${1:-5}
FALL=2
source "$HERE/lib.sh"

bench_init check_failover_bench keepalived curl
chmod 755 "$LAB_DIR"
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
VIP=192.0.2.100
RESULTS="$LAB_DIR/results.txt"
lab_nginx "$R1" n1
lab_nginx "$R2" n2

config() { # DAEMON FILE PRIORITY
  local track
  if [ "$1" = holdfast ]; then
    cat >"$2" <<CONF
backend nginx_local {
    address 127.0.0.1
    check http { port 8080  path /health  interval 1s  timeout 500ms  fall $FALL  rise 2 }
}
CONF
    track="track_backend {
        nginx_local weight -20
    }"
  else
    cat >"$2" <<CONF
global_defs {
    script_user root
}
vrrp_script chk_nginx {
    script "/usr/bin/curl -sf -o /dev/null -m 0.5 http://127.0.0.1:8080/health"
    interval 1
    timeout 1
    fall $FALL
    rise 2
    weight -20
}
CONF
    track="track_script {
        chk_nginx
    }"
  fi
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
  config "$daemon" "$LAB_DIR/a-$tag.conf" 110
  config "$daemon" "$LAB_DIR/b-$tag.conf" 100
  bench_capture "$LAB-sw" "$LAB_DIR/$tag.pcap" -i br0 "ip proto 112"
  local cap=$LAB_PID
  bench_daemon "$daemon" "$R1" "a-$tag"
  local a=$LAB_PID
  lab_wait "$tag: r1 master" 15 lab_has_vip "$R1" "$VIP"
  bench_daemon "$daemon" "$R2" "b-$tag"
  local b=$LAB_PID
  sleep 5 # both checks up (rise 2 at 1 s), r2 settled as backup
  lab_has_vip "$R2" "$VIP" && lab_fail "$tag: r2 holds the VIP before the check fails"
  local t0
  t0=$(date +%s.%N)
  touch "$LAB_DIR/n1-down"
  lab_wait "$tag: r2 to take over" 15 lab_has_vip "$R2" "$VIP"
  sleep 0.5
  local detect
  # The fall-th 503 served to r1's checker after the switch.
  detect=$(awk -v t0="$t0" '{gsub(/[\[\]]/, "", $2)} $2 >= t0 && / 503 / {n++; if (n == '"$FALL"') {print $2; exit}}' \
    "$LAB_DIR/n1-nginx-access.log")
  [ -n "$detect" ] || lab_fail "$tag: no ${FALL}th 503 in r1's nginx log"
  lab_wait "$tag: the capture to show r2's advert" 10 \
    python3 "$HERE/first_advert_after.py" "$LAB_DIR/$tag.pcap" 192.0.2.12 "$detect"
  local first
  first=$(python3 "$HERE/first_advert_after.py" "$LAB_DIR/$tag.pcap" 192.0.2.12 "$detect")
  kill -TERM "$a" "$b" "$cap" 2>/dev/null
  wait "$a" "$b" "$cap" 2>/dev/null
  rm -f "$LAB_DIR/n1-down" "$LAB_DIR/$tag.pcap"
  ip -n "$R1" addr del "$VIP/24" dev eth0 2>/dev/null
  ip -n "$R2" addr del "$VIP/24" dev eth0 2>/dev/null
  local ms
  ms=$(python3 -c "print(round(($first - $detect) * 1000, 1))")
  echo "$daemon $ms" >>"$RESULTS"
  printf '  %-10s trial %d: %8.1f ms from the failing probe to the new master'"'"'s first advert\n' \
    "$daemon" "$n" "$ms"
}

echo "check-driven failover: $TRIALS trials each; interval 1s, fall $FALL, rise 2, weight -20, advert_int 1"
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
    print("%-10s %3d %10.1f %10.1f %10.1f" % (d, len(v), v[0], v[len(v) // 2], v[-1]))
print()
print("nginx logs in milliseconds, so each figure is within about 1 ms.")
PY
