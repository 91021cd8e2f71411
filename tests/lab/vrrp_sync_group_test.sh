#!/usr/bin/env bash
# vrrp_sync_group: an IPv4 and an IPv6 instance that must live on the same router.
# A member becoming MASTER pulls the other along (VI_6 does not wait out its own
# 3.6 s Master_Down_Interval); preemption moves both; a member in FAULT faults the
# group, so both VIPs move to the other router, and both come back after.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"

lab_init vrrp_sync_group 60
chmod 755 "$LAB_DIR"  # group notify scripts run as an unprivileged user
EVENTS="$LAB_DIR/group-events"
: >"$EVENTS"
chmod 666 "$EVENTS"
printf '#!/bin/sh\necho "$*" >>%s\n' "$EVENTS" >"$LAB_DIR/gnotify.sh"
chmod 755 "$LAB_DIR/gnotify.sh"
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
ip -n "$R1" link add trk0 type veth peer name trk1 || lab_fail "cannot create trk0"
ip -n "$R1" link set trk1 up
ip -n "$R1" link set trk0 up

write() { # NAME PRIORITY EXTRA_FOR_VI_6 EXTRA_FOR_GROUP
  cat >"$LAB_DIR/$1.conf" <<CONF
vrrp_instance VI_4 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 95
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_6 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 95
    priority $2
    advert_int 1
    virtual_ipaddress {
        2001:db8::100/64
    }
$3
}
vrrp_sync_group LB {
    group {
        VI_4
        VI_6
    }
$4
}
CONF
}
write r1 150 "    track_interface {
        trk0
    }" "    notify $LAB_DIR/gnotify.sh"
write r2 100 "" ""
start() { # NS NAME
  lab_spawn "$1" "$LAB_DIR/$2.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/$2.conf" \
    --pid-file "$LAB_DIR/$2.pid" --control-socket "$LAB_DIR/$2.sock"
}
both_on() { lab_has_vip "$1" 192.0.2.100 && lab_has_vip "$1" 2001:db8::100; }
none_on() { ! lab_has_vip "$1" 192.0.2.100 && ! lab_has_vip "$1" 2001:db8::100; }

start "$R2" r2
B=$LAB_PID
# VI_4 (100 ms adverts) becomes master after ~0.36 s; VI_6 follows at once.
lab_wait "r2 to hold both VIPs" 2 both_on "$R2"
lab_expect_log "$LAB_DIR/r2.log" "VI_6: BACKUP -> MASTER: sync group LB: VI_4 became MASTER" "VI_6 followed"
echo "ok: VI_6 followed VI_4 to MASTER without waiting its own Master_Down_Interval"

start "$R1" r1
A=$LAB_PID
lab_wait "r1 to take both VIPs" 5 both_on "$R1"
lab_wait "r2 to release both" 5 none_on "$R2"
# r1's two members become master together and send their adverts at once; r2 may
# handle either first (its IPv4 and IPv6 sockets are read in the order the loop sees
# them, which load can change). Whichever steps down on the advert, the other must
# follow it through the group, not on an advert of its own.
if ! grep -qF "VI_6: MASTER -> BACKUP: sync group LB: VI_4 became BACKUP" "$LAB_DIR/r2.log" &&
  ! grep -qF "VI_4: MASTER -> BACKUP: sync group LB: VI_6 became BACKUP" "$LAB_DIR/r2.log"; then
  lab_fail "the group followed down: neither member followed the other; r2's transitions: $(grep -E 'VI_[46]: MASTER -> ' "$LAB_DIR/r2.log" | tr '\n' '|')"
fi
echo "ok: preemption moved the whole group to r1"

ip -n "$R1" link set trk0 down
lab_wait "r2 to take both VIPs" 5 both_on "$R2"
lab_wait "r1 to release both" 5 none_on "$R1"
lab_expect_log "$LAB_DIR/r1.log" "VI_4: MASTER -> FAULT: sync group LB: VI_6 is in FAULT" "group fault"
ip -n "$R1" link set trk0 up
lab_wait "r1 to take both back" 10 both_on "$R1"
lab_wait "r2 to release both" 5 none_on "$R2"
echo "ok: a member's FAULT faulted the group; both VIPs moved, and came back"
kill -TERM "$A" "$B"
wait "$A" "$B"
expected="GROUP LB BACKUP
GROUP LB MASTER
GROUP LB FAULT
GROUP LB BACKUP
GROUP LB MASTER
GROUP LB STOP"
[ "$(cat "$EVENTS")" = "$expected" ] || lab_fail "group notify events:
$(cat "$EVENTS")
expected:
$expected"
echo "ok: the group's notify ran once per group state: $(tr '\n' ' ' <"$EVENTS")"
echo "PASS vrrp_sync_group"
