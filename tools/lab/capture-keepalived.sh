#!/usr/bin/env bash
# Captures real VRRP adverts from keepalived (Debian's package) inside a lab
# namespace, for the codec's table tests. Writes tests/data/vrrp/keepalived-*.pcap.
# Rerun by hand when the keepalived version changes; the tests read the files.
set -uo pipefail
OUT=${1:-$(dirname "$0")/../../tests/data/vrrp}
OUT=$(realpath "$OUT")
source "$(dirname "$0")/../../tests/lab/lib.sh"
lab_init capture_keepalived 60
lab_switch
lab_router 1
NS="$LAB-r1"

capture() {
  local name=$1 filter=$2 conf=$3
  printf '%s\n' "$conf" >"$LAB_DIR/$name.conf"
  lab_spawn "$NS" "$LAB_DIR/$name-tcpdump.log" tcpdump -i eth0 -U -c 3 -w "$OUT/keepalived-$name.pcap" "$filter"
  local dump=$LAB_PID
  sleep 0.5
  lab_spawn "$NS" "$LAB_DIR/$name-keepalived.log" keepalived -n -l -G -P -f "$LAB_DIR/$name.conf" \
    -p "$LAB_DIR/$name.pid" -r "$LAB_DIR/$name-vrrp.pid"
  local ka=$LAB_PID
  lab_wait "3 adverts for $name" 20 bash -c "! kill -0 $dump 2>/dev/null"
  kill -TERM "$ka"
  wait "$ka" 2>/dev/null
  echo "captured $OUT/keepalived-$name.pcap"
}

capture v2-ipv4-pass "ip proto 112" '
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass 1111
  }
  virtual_ipaddress {
    192.0.2.100/24
    192.0.2.101/24
  }
}'

capture v3-ipv4 "ip proto 112" '
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  version 3
  virtual_router_id 52
  priority 150
  advert_int 0.5
  virtual_ipaddress {
    192.0.2.102/24
  }
}'

capture v3-ipv6 "ip6 proto 112" '
vrrp_instance VI_6 {
  state MASTER
  interface eth0
  version 3
  virtual_router_id 53
  priority 200
  advert_int 0.1
  virtual_ipaddress {
    2001:db8::102/64
    fe80::102/64
  }
}'
