#!/usr/bin/env bash
# Check-driven failover with vrrp_script, as the guides' check_nginx does it: when the
# master's check fails, it advertises its lower priority at once and the backup takes
# over at once (no Master_Down_Interval); when the check recovers, the VIP comes back.
# Also: a script that hangs is killed at its timeout and counts as a failure; a
# script file others may modify is refused; track_interface with weight 0 faults.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"

lab_init vrrp_tracking 90
chmod 755 "$LAB_DIR"  # the scripts run as an unprivileged user and look in here
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
VIP=192.0.2.100

write() { # NAME PRIORITY EXTRA_TOP EXTRA_INSTANCE
  cat >"$LAB_DIR/$1.conf" <<CONF
$3
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 81
    priority $2
    advert_int 1
    virtual_ipaddress {
        $VIP/24
    }
$4
}
CONF
}
start() { # NS NAME
  lab_spawn "$1" "$LAB_DIR/$2.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/$2.conf" \
    --pid-file "$LAB_DIR/$2.pid" --control-socket "$LAB_DIR/$2.sock"
}
gone() { ! lab_has_vip "$1" "$2"; }
ms_of() { # LOG PATTERN: the time of the first matching line, in ms since midnight
  grep -F -- "$2" "$1" | head -1 | awk '{split(substr($1,12),t,":"); printf "%d\n", (t[1]*3600+t[2]*60+t[3])*1000}'
}

check="vrrp_script chk_nginx {
    script \"test ! -e $LAB_DIR/nginx-down-%s\"
    interval 0.2
    weight -60
    fall 2
    rise 2
}"
write a 150 "$(printf "$check" r1)" "    track_script {
        chk_nginx
    }"
write b 100 "$(printf "$check" r2)" "    track_script {
        chk_nginx
    }"
start "$R1" a
A=$LAB_PID
start "$R2" b
B=$LAB_PID
lab_wait "r1 to hold the VIP" 10 lab_has_vip "$R1" "$VIP"
lab_expect_log "$LAB_DIR/a.log" "VI_1: initial score: base 150; script chk_nginx pending: 0 => 150" "initial score"

touch "$LAB_DIR/nginx-down-r1"
lab_wait "r2 to take over" 5 lab_has_vip "$R2" "$VIP"
lab_wait "r1 to release" 5 gone "$R1" "$VIP"
lab_expect_log "$LAB_DIR/a.log" "vrrp_script chk_nginx: now DOWN (exit 1, 2 in a row)" "script down"
lab_expect_log "$LAB_DIR/a.log" "VI_1: priority 150 -> 90: base 150; script chk_nginx down: -60 => 90" "score"
lab_expect_log "$LAB_DIR/b.log" "VI_1: BACKUP -> MASTER: preempting 192.0.2.11 (priority 90 < ours 100)" "fast preempt"
down=$(ms_of "$LAB_DIR/a.log" "now DOWN")
took=$(ms_of "$LAB_DIR/b.log" "BACKUP -> MASTER")
echo "ok: check failed on r1 -> r2 master $((took - down)) ms after the check crossed its fall count"

rm "$LAB_DIR/nginx-down-r1"
lab_wait "r1 to take the VIP back" 5 lab_has_vip "$R1" "$VIP"
lab_wait "r2 to release" 5 gone "$R2" "$VIP"
lab_expect_log "$LAB_DIR/a.log" "VI_1: priority 90 -> 150: base 150; script chk_nginx up: 0 => 150" "recovered"
echo "ok: check recovered -> the VIP moves back (preempt)"

# Both checks down: the higher remaining priority (r1: 90 > r2: 40) keeps the VIP.
touch "$LAB_DIR/nginx-down-r1" "$LAB_DIR/nginx-down-r2"
lab_wait "r2's check to fail" 5 grep -qF "VI_1: priority 100 -> 40" "$LAB_DIR/b.log"
lab_wait "r1's check to fail" 5 grep -qF "VI_1: priority 150 -> 90" "$LAB_DIR/a.log"
sleep 1
lab_has_vip "$R1" "$VIP" || lab_fail "with both checks down the higher remaining priority should hold the VIP"
echo "ok: both checks down -> r1 (90 > 40) keeps the VIP"
kill -TERM "$A" "$B"
wait "$A" "$B"

# A hanging script is killed at its timeout and counts as a failure; a script file
# that others may modify is refused; track_interface with no weight faults.
printf '#!/bin/sh\nexit 0\n' >"$LAB_DIR/unsafe.sh"
chmod 777 "$LAB_DIR/unsafe.sh"
# The hanging script's argument is this run's own (30 s and a fraction), so that the
# process counts below see only this test's scripts.
HANG="sleep 30.$$"
write c 150 "vrrp_script hang {
    script \"$HANG\"
    interval 0.5
    timeout 0.2
    fall 1
    rise 1
    weight -10
}
vrrp_script unsafe {
    script \"$LAB_DIR/unsafe.sh\"
    weight -20
}" "    track_script {
        hang
        unsafe
    }
    track_interface {
        trk0
    }"
# A veth pair inside r1 stands for a second NIC (no dummy driver here).
ip -n "$R1" link add trk0 type veth peer name trk1 || lab_fail "cannot create trk0"
ip -n "$R1" link set trk1 up
ip -n "$R1" link set trk0 up
start "$R1" c
C=$LAB_PID
lab_wait "the hanging script to time out" 5 grep -qF "vrrp_script hang: now DOWN (timed out after 200ms (killed)" "$LAB_DIR/c.log"
lab_expect_log "$LAB_DIR/c.log" "vrrp_script unsafe (" "refusal names the script"
lab_expect_log "$LAB_DIR/c.log" "refusing to run it: $LAB_DIR/unsafe.sh is writable by everyone; it counts as down" "refusal"
sleep 1
leftover=$(ps -eo pid,args | grep -c "[s]${HANG#s}$")
[ "$leftover" -le 1 ] || lab_fail "timed-out scripts are piling up: $leftover '$HANG' processes"
lab_wait "r1 to be master" 10 lab_has_vip "$R1" "$VIP"
ip -n "$R1" link set trk0 down
lab_wait "r1 to fault on trk0" 5 grep -qF "VI_1: MASTER -> FAULT: tracked item down:" "$LAB_DIR/c.log"
lab_wait "r1 to release the VIP" 5 gone "$R1" "$VIP"
ip -n "$R1" link set trk0 up
lab_wait "r1 to leave FAULT" 5 grep -qF "VI_1: FAULT -> BACKUP" "$LAB_DIR/c.log"
kill -TERM "$C"
wait "$C"
# holdfastd kills its running scripts as it stops; the kernel may take a moment to
# deliver that SIGKILL on a loaded machine, so wait (bounded) for them to go; a script
# left running lives on for 30 s.
no_hang() { [ "$(ps -eo args | grep -c "[s]${HANG#s}$")" -eq 0 ]; }
lab_wait "the scripts to end with holdfastd (a script outlived holdfastd)" 3 no_hang
echo "ok: hanging script killed at its timeout, unsafe script refused, track_interface faults"
echo "PASS vrrp_tracking"
