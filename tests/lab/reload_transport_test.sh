#!/usr/bin/env bash
# A reload that turns a unicast pair into a multicast one: each instance restarts
# (unicast <-> multicast cannot change live), and the restarted instances must hear
# each other on the multicast group although their sockets were opened by unicast
# instances that never joined it. Otherwise the lower router would never hear the
# higher one, and both would stay master. r1 at 100, r2 at 150 (r2 must end master).
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"

lab_init reload_transport 120
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"

conf() { # PRIORITY PEER|-
  local peers=""
  [ "$2" != - ] && peers="unicast_peer {
        $2
    }"
  cat <<CONF
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    version 3
    priority $1
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
    $peers
}
CONF
}

conf 100 192.0.2.12 >"$LAB_DIR/a.conf"
conf 150 192.0.2.11 >"$LAB_DIR/b.conf"
lab_holdfastd "$R1" a
lab_holdfastd "$R2" b
lab_wait "r2 (150) master over unicast" 15 lab_has_vip "$R2" 192.0.2.100
lab_wait "r1 backup over unicast" 10 test "$(lab_vrrp a VI_1 state 2>/dev/null)" = BACKUP
echo "ok: unicast pair settled: r2 master, r1 backup"

# r1 first (backup): it restarts as a multicast instance and still hears r2's unicast.
conf 100 - >"$LAB_DIR/a.conf"
lab_ctl a reload >"$LAB_DIR/reload-a.out" || lab_fail "r1 reload: $(cat "$LAB_DIR/reload-a.out")"
grep -qF "restarted VI_1 (unicast -> multicast)" "$LAB_DIR/reload-a.out" ||
  lab_fail "r1 reload summary: $(cat "$LAB_DIR/reload-a.out")"
# Then r2 (master): it restarts (priority 0: r1 takes over), and its new instance
# must hear r1's multicast adverts to preempt it back (150 > 100).
conf 150 - >"$LAB_DIR/b.conf"
lab_ctl b reload >"$LAB_DIR/reload-b.out" || lab_fail "r2 reload: $(cat "$LAB_DIR/reload-b.out")"
grep -qF "restarted VI_1 (unicast -> multicast)" "$LAB_DIR/reload-b.out" ||
  lab_fail "r2 reload summary: $(cat "$LAB_DIR/reload-b.out")"
settled() {
  [ "$(lab_vrrp b VI_1 state 2>/dev/null)" = MASTER ] &&
    [ "$(lab_vrrp a VI_1 state master.address 2>/dev/null)" = "BACKUP 192.0.2.12" ]
}
lab_wait "r2 master and r1 backup of it, over multicast" 15 settled
sleep 1
settled || lab_fail "not settled: r1 $(lab_vrrp a VI_1 state master.address), r2 $(lab_vrrp b VI_1 state master.address)"
holders=$(lab_vip_holders 192.0.2.100 "$R1" "$R2")
[ "$holders" = "$R2 " ] || lab_fail "VIP held by '$holders', expected r2 alone"
received=$(lab_vrrp a VI_1 counters.received)
[ "$received" -gt 5 ] || lab_fail "r1's multicast instance received $received adverts"
echo "ok: after both reloads r2 is master, r1 its backup (r1 received $received multicast adverts)"
echo "PASS reload_transport"
