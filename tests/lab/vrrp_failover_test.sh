#!/usr/bin/env bash
# Two holdfastd routers on one LAN (VRRPv2, PASS auth, as the guides' nginx pair):
# election, the VIP answering the client from the master's MAC, SIGKILL of the
# master (backup takes over, gratuitous ARP on the wire), restart of the killed node
# (stale VIP removed, preempts back), SIGTERM handoff (priority 0 advert), and
# adverts with the wrong password ignored and counted.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"

lab_init vrrp_failover 90
lab_switch
lab_router 1
lab_router 2
lab_client
VIP=192.0.2.100
R1="$LAB-r1" R2="$LAB-r2" C="$LAB-c"

config() { # NAME PRIORITY PASS
  cat >"$LAB_DIR/$1.conf" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass $3
    }
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}
config r1 150 1111
config r2 100 1111

start() { # N
  lab_spawn "$LAB-r$1" "$LAB_DIR/r$1.log" "$HOLDFASTD" -l --no-syslog --log-level debug \
    -f "$LAB_DIR/r$1.conf" --pid-file "$LAB_DIR/r$1.pid" --control-socket "$LAB_DIR/r$1.sock"
  eval "PID$1=$LAB_PID"
}

lab_spawn "$LAB-sw" "$LAB_DIR/capture.log" tcpdump -i br0 -U -n -w "$LAB_DIR/wire.pcap" "ip proto 112 or arp"
CAPTURE=$LAB_PID
sleep 0.5

start 1
start 2
lab_wait "r1 to hold the VIP" 10 lab_has_vip "$R1" "$VIP"
sleep 1.5
[ "$(lab_vip_holders $VIP "$R1" "$R2")" = "$R1 " ] || lab_fail "VIP held by: $(lab_vip_holders $VIP "$R1" "$R2")"
mac=$(lab_arp_mac "$C" "$VIP")
[ "$mac" = "$(lab_mac "$R1")" ] || lab_fail "client resolves $VIP to '$mac', r1 is $(lab_mac "$R1")"
echo "ok: r1 (priority 150) is master, the client reaches $VIP at r1's MAC"

# SIGKILL the master: no priority 0, the backup waits Master_Down_Interval.
kill -KILL "$PID1"
wait "$PID1" 2>/dev/null
lab_wait "r2 to take the VIP" 10 lab_has_vip "$R2" "$VIP"
mac=$(lab_arp_mac "$C" "$VIP")
[ "$mac" = "$(lab_mac "$R2")" ] || lab_fail "after failover the client resolves $VIP to '$mac'"
lab_expect_log "$LAB_DIR/r2.log" "VI_1: BACKUP -> MASTER: no advert for Master_Down_Interval" "r2 logs why"
echo "ok: SIGKILL of r1 -> r2 is master and answers for $VIP"

# The killed r1 left its VIP behind; a restart removes it, then preempts back.
lab_has_vip "$R1" "$VIP" || lab_fail "expected r1's stale VIP after SIGKILL"
start 1
lab_wait "r1 to log the stale VIP" 10 grep -qF "removed VIP $VIP from eth0, left by an earlier run" "$LAB_DIR/r1.log"
lab_wait "r1 to preempt" 10 grep -qF "VI_1: BACKUP -> MASTER: preempting 192.0.2.12 (priority 100 < ours 150)" "$LAB_DIR/r1.log"
lab_wait "r2 to give the VIP up" 5 bash -c "! ip -n $R2 -o addr show dev eth0 | grep -qF ' $VIP/'"
echo "ok: restarted r1 removed its stale VIP and preempted back"

# Adverts with a wrong password are ignored and counted (debug log names them).
config r3 200 wrong
lab_router 3
lab_spawn "$LAB-r3" "$LAB_DIR/r3.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/r3.conf" \
  --pid-file "$LAB_DIR/r3.pid" --control-socket "$LAB_DIR/r3.sock"
PID3=$LAB_PID
lab_wait "r1 to discard r3's adverts" 10 grep -qF "discarded advert from 192.0.2.13: auth_mismatch" "$LAB_DIR/r1.log"
lab_has_vip "$R1" "$VIP" || lab_fail "r1 lost the VIP to a router with the wrong password"
kill -TERM "$PID3"
wait "$PID3"
# r3 became master on its own (it hears nobody it trusts); stopping it removes its VIP.
lab_has_vip "$LAB-r3" "$VIP" && lab_fail "r3 left its VIP behind after SIGTERM"
echo "ok: wrong-password adverts ignored and counted"

# SIGTERM on the master: priority 0, the backup takes over after Skew_Time.
kill -TERM "$PID1"
wait "$PID1"
rc=$?
[ "$rc" -eq 0 ] || lab_fail "r1 exited $rc on SIGTERM"
lab_has_vip "$R1" "$VIP" && lab_fail "r1 kept the VIP after SIGTERM"
lab_wait "r2 to take over" 5 lab_has_vip "$R2" "$VIP"
lab_expect_log "$LAB_DIR/r2.log" "master 192.0.2.11 left (priority 0 advert)" "r2 saw the priority 0 advert"
echo "ok: SIGTERM hands over with a priority 0 advert"

kill -TERM "$PID2"
wait "$PID2"
# tcpdump may lag behind under load (-U writes each packet as it is processed):
# wait for the capture to show what happened before stopping it.
zeros() { tcpdump -n -v -r "$LAB_DIR/wire.pcap" 2>/dev/null | grep -c "prio 0,"; }
lab_wait "the capture to hold 3 priority-0 adverts (r3, r1, r2)" 10 bash -c "[ \$(tcpdump -n -v -r $LAB_DIR/wire.pcap 2>/dev/null | grep -c 'prio 0,') -ge 3 ]"
kill -TERM "$CAPTURE"
wait "$CAPTURE" 2>/dev/null
garps=$(tcpdump -n -r "$LAB_DIR/wire.pcap" 2>/dev/null | grep -c "ARP, Request who-has $VIP tell $VIP")
zero=$(zeros)
[ "$garps" -ge 5 ] || lab_fail "expected gratuitous ARPs for $VIP on the wire, saw $garps"
[ "$zero" -ge 2 ] || lab_fail "expected priority 0 adverts on the wire, saw $zero"
echo "ok: wire shows $garps gratuitous ARPs for $VIP and $zero priority-0 adverts"
echo "PASS vrrp_failover"
