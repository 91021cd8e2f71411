#!/usr/bin/env bash
# track_process on a pair of holdfastd inside network namespaces (keepalived's needs
# the proc connector, which answers only in the initial one): a tracked process killed
# with SIGKILL moves the VIP at once (its pidfd); a quorum of 2 processes; a process
# started later is found (the /proc scan); `holdfastctl why` shows the items.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"

lab_init track_process 120
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
VIP=192.0.2.100
# Copies of sleep with distinctive names: their comm is the file name. Unique per run
# so that nothing else on the machine matches.
P1="hfa$$" P2="hfb$$"
cp "$(command -v sleep)" "$LAB_DIR/$P1"
cp "$(command -v sleep)" "$LAB_DIR/$P2"
spawn() { # NAME: a copy running in r1's namespace, killed at cleanup; sets LAB_PID
  lab_spawn "$R1" /dev/null "$LAB_DIR/$1" 1000
}
spawn "$P1"
K1=$LAB_PID
spawn "$P2"
Q1=$LAB_PID
spawn "$P2"
Q2=$LAB_PID

write() { # NODE PRIORITY
  cat >"$LAB_DIR/$1.conf" <<CONF
vrrp_track_process single {
    process $P1
    weight -20
}
vrrp_track_process pair {
    process $P2
    quorum 2
    weight -20
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 83
    priority $2
    advert_int 0.2
    version 3
    virtual_ipaddress {
        $VIP/24
    }
    track_process {
        single
        pair
    }
}
CONF
}
write a 100
# r2 tracks nothing: the copies run in r1's namespace but share the pid namespace, so
# r2 would see them die too.
write b 90
sed -i '/^vrrp_track_process/,/^}/d; /track_process {/,/}/d' "$LAB_DIR/b.conf"
grep -q track_process "$LAB_DIR/b.conf" && lab_fail "b.conf still tracks processes"
lab_holdfastd "$R1" a
lab_holdfastd "$R2" b
lab_wait "r1 to hold the VIP" 10 lab_has_vip "$R1" "$VIP"
prio_is() { [ "$(lab_ctl a vrrp --json | lab_json 'instances[name=VI_1].effective_priority')" = "$1" ]; }
lab_wait "r1 at 100" 5 prio_is 100
lab_expect_log "$LAB_DIR/a.log" "new processes through a /proc scan every 1000 ms" "scan fallback named"
grep -F "proc connector" "$LAB_DIR/a.log" | head -1
echo "ok: both tracked blocks have quorum; r1 (100) is master"

kill -KILL "$K1"
lab_wait "r1's priority to drop to 80" 5 prio_is 80
lab_wait "r2 to take the VIP" 5 lab_has_vip "$R2" "$VIP"
lab_wait "r1 to release it" 5 lab_lacks_vip "$R1" "$VIP"
echo "ok: SIGKILL of the tracked process -> r1 at 80, the VIP moved to r2"

why=$(lab_ctl a why VI_1) || lab_fail "holdfastctl why failed"
echo "$why"
grep -qE '^process +single +down +-20 +-20 +0 running' <<<"$why" || lab_fail "why does not show 'process single down'"
grep -qE '^process +pair +up +-20 +0 +2 running, quorum 2 or more' <<<"$why" || lab_fail "why does not show 'process pair up, 2 running'"
[ "$(lab_ctl a why VI_1 --json | lab_json 'why.items[0].kind' 'why.items[0].up')" = "process false" ] ||
  lab_fail "why --json does not show process single down"
[ "$(lab_ctl a vrrp --json | lab_json 'instances[name=VI_1].tracked[1].kind' 'instances[name=VI_1].tracked[1].detail')" = "process 2 running, quorum 2 or more" ] ||
  lab_fail "vrrp --json does not list process pair"
lab_ctl a vrrp | grep -qF "tracked:          process single down -20, process pair up 0" ||
  lab_fail "holdfastctl vrrp does not list the tracked processes"
echo "ok: holdfastctl why and vrrp show both processes"

spawn "$P1"
lab_wait "the new $P1 to be found (scan) and r1 back at 100" 5 prio_is 100
lab_wait "r1 to take the VIP back" 5 lab_has_vip "$R1" "$VIP"
echo "ok: a process started later is found; the VIP came back"

kill -KILL "$Q1"
lab_wait "r1's priority to drop to 80 (1 of 2)" 5 prio_is 80
lab_wait "r2 to take the VIP" 5 lab_has_vip "$R2" "$VIP"
echo "ok: quorum 2 with one process left -> r1 at 80, the VIP moved"
spawn "$P2"
lab_wait "quorum back (2 of 2) and r1 at 100" 5 prio_is 100
lab_wait "r1 to take the VIP back" 5 lab_has_vip "$R1" "$VIP"
echo "ok: a second process again -> quorum, the VIP came back"
kill -KILL "$Q2"
