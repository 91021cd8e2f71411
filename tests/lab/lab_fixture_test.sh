#!/usr/bin/env bash
# The lab itself: routers and a client reach each other over the bridge on IPv4 and
# IPv6, and after the test every namespace it made is gone.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

lab_init lab_fixture 60
lab_switch
lab_router 1
lab_router 2
lab_client
lab_wait "r1 to ping r2 (IPv4)" 10 lab_exec "$LAB-r1" ping -c1 -W1 192.0.2.12
lab_wait "client to ping r1 (IPv6)" 10 lab_exec "$LAB-c" ping -6 -c1 -W1 2001:db8::11
# Nothing in the lab routes anywhere else.
lab_exec "$LAB-r1" ip route get 198.51.100.1 >/dev/null 2>&1 &&
  lab_fail "r1 has a route out of the lab"
[ "$(ip netns list | grep -c "^$LAB-")" -eq 4 ] || lab_fail "expected 4 namespaces"
echo "PASS lab_fixture ($LAB: r1, r2, c on br0)"
