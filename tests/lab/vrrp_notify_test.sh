#!/usr/bin/env bash
# notify_* and notify scripts: run on each transition with keepalived's arguments
# (INSTANCE name state priority), in order per instance even when one is slow, as the
# script_user (nobody here; root by default, as keepalived), without delaying VRRP;
# notify_stop runs on shutdown.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"

lab_init vrrp_notify 60
chmod 755 "$LAB_DIR"
lab_switch
lab_router 1
EVENTS="$LAB_DIR/events"
: >"$EVENTS"
chmod 666 "$EVENTS"
cat >"$LAB_DIR/notify.sh" <<SH
#!/bin/sh
# The slow one: BACKUP takes 0.5 s, and MASTER must still be written after it.
[ "\$1" = backup ] && sleep 0.5
echo "\$* uid=\$(id -u)" >>$EVENTS
SH
chmod 755 "$LAB_DIR/notify.sh"
cat >"$LAB_DIR/r1.conf" <<CONF
global_defs {
    script_user nobody
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 91
    priority 150
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
    notify_backup "$LAB_DIR/notify.sh backup"
    notify_master "$LAB_DIR/notify.sh master"
    notify_stop "$LAB_DIR/notify.sh stop"
    notify $LAB_DIR/notify.sh
}
CONF
lab_spawn "$LAB-r1" "$LAB_DIR/r1.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/r1.conf" \
  --pid-file "$LAB_DIR/r1.pid" --control-socket "$LAB_DIR/r1.sock"
PID=$LAB_PID
lab_wait "r1 to become master" 5 lab_has_vip "$LAB-r1" 192.0.2.100
# VRRP did not wait for the slow notify script: master within Master_Down_Interval
# (0.3 s + skew) of start, while notify_backup was still sleeping.
lab_wait "the notifications for MASTER" 5 grep -q "MASTER 150" "$EVENTS"
kill -TERM "$PID"
wait "$PID"
nobody=$(id -u nobody)
expected="backup uid=$nobody
INSTANCE VI_1 BACKUP 150 uid=$nobody
master uid=$nobody
INSTANCE VI_1 MASTER 150 uid=$nobody
stop uid=$nobody
INSTANCE VI_1 STOP 150 uid=$nobody"
[ "$(cat "$EVENTS")" = "$expected" ] || lab_fail "notify events:
$(cat "$EVENTS")
expected:
$expected"
echo "ok: notify scripts ran in order with keepalived's arguments, as nobody, notify_stop at shutdown"
echo "PASS vrrp_notify"
