#!/usr/bin/env bash
# Two holdfastd routers: VRRPv3 IPv6 failover (the client reaches the VIP), unicast
# VRRPv2 failover, interface down -> FAULT -> failover and back, and a VIP removed by
# hand from the master is put back.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"

lab_init vrrp_modes 120
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2" C="$LAB-c"

write() { # NAME PRIORITY BODY
  cat >"$LAB_DIR/$1.conf" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 71
    priority $2
$3
}
CONF
}
start() { # NS NAME
  lab_spawn "$1" "$LAB_DIR/$2.log" "$HOLDFASTD" -l --no-syslog --log-level debug -f "$LAB_DIR/$2.conf" \
    --pid-file "$LAB_DIR/$2.pid" --control-socket "$LAB_DIR/$2.sock"
}
gone() { ! lab_has_vip "$1" "$2"; }

# --- VRRPv3 over IPv6, 100 ms adverts ------------------------------------------
V6="    version 3
    advert_int 0.1
    virtual_ipaddress {
        2001:db8::100/64
    }"
write v6-a 150 "$V6"
write v6-b 100 "$V6"
start "$R1" v6-a
A=$LAB_PID
start "$R2" v6-b
B=$LAB_PID
lab_wait "r1 to hold 2001:db8::100" 10 lab_has_vip "$R1" 2001:db8::100
lab_wait "the client to reach 2001:db8::100" 10 lab_exec "$C" ping -6 -c1 -W1 2001:db8::100
kill -KILL "$A"
wait "$A" 2>/dev/null
lab_wait "r2 to take 2001:db8::100" 5 lab_has_vip "$R2" 2001:db8::100
lab_exec "$R1" ip -6 addr del 2001:db8::100/64 dev eth0  # what a restart would clean
lab_exec "$C" ip -6 neigh flush dev eth0
lab_wait "the client to reach 2001:db8::100 on r2" 10 lab_exec "$C" ping -6 -c1 -W1 2001:db8::100
mac=$(lab_exec "$C" ip -6 neigh show 2001:db8::100 | sed -nE 's/.*lladdr ([0-9a-f:]+).*/\1/p')
[ "$mac" = "$(lab_mac "$R2")" ] || lab_fail "client resolves 2001:db8::100 to '$mac', r2 is $(lab_mac "$R2")"
kill -TERM "$B"
wait "$B"
echo "ok: VRRPv3 IPv6 failover, the client follows the VIP"

# --- unicast VRRPv2 -------------------------------------------------------------
write uc-a 150 "    unicast_src_ip 192.0.2.11
    unicast_peer {
        192.0.2.12
    }
    virtual_ipaddress {
        192.0.2.101/24
    }"
write uc-b 100 "    unicast_src_ip 192.0.2.12
    unicast_peer {
        192.0.2.11
    }
    virtual_ipaddress {
        192.0.2.101/24
    }"
# On r2: the bridge device itself stops seeing unicast once it has learnt the MACs.
lab_spawn "$R2" "$LAB_DIR/uc-capture.log" tcpdump -i eth0 -U -n -w "$LAB_DIR/uc.pcap" "ip proto 112"
CAP=$LAB_PID
sleep 0.5
start "$R1" uc-a
A=$LAB_PID
start "$R2" uc-b
B=$LAB_PID
lab_wait "r1 to hold 192.0.2.101" 10 lab_has_vip "$R1" 192.0.2.101
sleep 1
gone "$R2" 192.0.2.101 || lab_fail "unicast: both hold the VIP"
kill -KILL "$A"
wait "$A" 2>/dev/null
lab_wait "r2 to take 192.0.2.101" 10 lab_has_vip "$R2" 192.0.2.101
kill -TERM "$B"
wait "$B"
kill -TERM "$CAP"
wait "$CAP" 2>/dev/null
mcast=$(tcpdump -n -r "$LAB_DIR/uc.pcap" 2>/dev/null | grep -c "> 224.0.0.18")
ucast=$(tcpdump -n -r "$LAB_DIR/uc.pcap" 2>/dev/null | grep -cF "192.0.2.11 > 192.0.2.12")
[ "$mcast" -eq 0 ] || lab_fail "unicast mode sent $mcast multicast adverts"
[ "$ucast" -ge 2 ] || lab_fail "expected unicast adverts from r1 to r2, saw $ucast"
lab_exec "$R1" ip addr del 192.0.2.101/24 dev eth0
echo "ok: unicast failover, $ucast unicast adverts and no multicast on the wire"

# --- interface down -> FAULT -> failover, and back --------------------------------
V4="    advert_int 1
    virtual_ipaddress {
        192.0.2.102/24
    }"
write if-a 150 "$V4"
write if-b 100 "$V4"
start "$R1" if-a
A=$LAB_PID
start "$R2" if-b
B=$LAB_PID
lab_wait "r1 to hold 192.0.2.102" 10 lab_has_vip "$R1" 192.0.2.102
lab_exec "$R1" ip link set eth0 down
lab_wait "r1 to enter FAULT" 5 grep -qF "VI_1: MASTER -> FAULT: interface eth0 is down" "$LAB_DIR/if-a.log"
lab_wait "r1 to give up the VIP" 5 gone "$R1" 192.0.2.102
lab_wait "r2 to take over" 10 lab_has_vip "$R2" 192.0.2.102
lab_exec "$R1" ip link set eth0 up
lab_wait "r1 to leave FAULT" 5 grep -qF "VI_1: FAULT -> BACKUP: fault cleared: interface eth0 is up" "$LAB_DIR/if-a.log"
lab_wait "r1 to preempt back" 10 lab_has_vip "$R1" 192.0.2.102
lab_wait "r2 to release" 5 gone "$R2" 192.0.2.102
echo "ok: interface down -> FAULT -> failover; up -> BACKUP -> preempt back"

# --- the advert source address removed -> FAULT; put back -> BACKUP -------------
lab_exec "$R1" ip addr del 192.0.2.11/24 dev eth0
lab_wait "r1 to fault on its lost address" 5 grep -qF "VI_1: MASTER -> FAULT: address 192.0.2.11 is gone from eth0" "$LAB_DIR/if-a.log"
lab_wait "r2 to take over" 10 lab_has_vip "$R2" 192.0.2.102
lab_exec "$R1" ip addr add 192.0.2.11/24 dev eth0
lab_wait "r1 to preempt back" 10 lab_has_vip "$R1" 192.0.2.102
echo "ok: source address removed -> FAULT -> failover; restored -> preempt back"

# --- a VIP removed by hand from the master is put back ----------------------------
lab_exec "$R1" ip addr del 192.0.2.102/24 dev eth0
lab_wait "r1 to put the VIP back" 5 lab_has_vip "$R1" 192.0.2.102
lab_expect_log "$LAB_DIR/if-a.log" "VIP 192.0.2.102 was removed from eth0 while master; putting it back" "logged"
kill -TERM "$A" "$B"
wait "$A" "$B"
echo "ok: a VIP removed by hand is put back and logged"
echo "PASS vrrp_modes"
