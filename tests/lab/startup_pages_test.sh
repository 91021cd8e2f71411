#!/usr/bin/env bash
# What only start-up read goes back, and nothing the daemon needs later is lost with
# it. Two holdfastd routers (one VRRPv3 instance, advert_int 0.1, lock_memory on by
# default): each unmaps the clean file pages start-up touched once it runs, and again
# 15 s later, once its first transitions are over; the second pass leaves each
# daemon smaller than before it. Then the paths those pages held run again from the
# page cache: the backup takes over when the master is killed (the code of becoming
# master, never run by that process before), the old master comes back and preempts,
# holdfastctl answers, and a reload applies.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"

lab_init startup_pages 120
lab_switch
lab_router 1
lab_router 2
VIP=192.0.2.100
R1="$LAB-r1" R2="$LAB-r2"

config() { # NODE PRIORITY
  cat >"$LAB_DIR/$1.conf" <<CONF
global_defs {
    vrrp_version 3
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}
config r1 150
config r2 100
rss() { awk '$1 == "Rss:" {print $2}' "/proc/$1/smaps_rollup"; }
passes() { grep -c "memory: unmapped [0-9]* KiB of clean file pages" "$LAB_DIR/$1.log"; }

lab_holdfastd "$R1" r1
PID1=$LAB_PID
lab_wait "r1 to hold the VIP" 10 lab_has_vip "$R1" "$VIP"
lab_holdfastd "$R2" r2
PID2=$LAB_PID
lab_wait "r2 to start" 10 grep -qF "started with" "$LAB_DIR/r2.log"
for n in r1 r2; do
  [ "$(passes $n)" -eq 1 ] || lab_fail "$n: $(passes $n) passes at start, expected 1"
done
echo "ok: each daemon unmaps what start-up read once it runs"

# Both have settled (r1 is master, r2 backup) well before their second pass.
sleep 8
before1=$(rss "$PID1") before2=$(rss "$PID2")
lab_wait "r2's second pass" 15 eval '[ "$(passes r2)" -ge 2 ]'
[ "$(passes r1)" -ge 2 ] || lab_fail "r1 made $(passes r1) passes, expected 2 by now"
sleep 1
after1=$(rss "$PID1") after2=$(rss "$PID2")
[ "$after1" -lt "$before1" ] || lab_fail "r1: RSS $after1 KiB after its settled pass, $before1 before"
[ "$after2" -lt "$before2" ] || lab_fail "r2: RSS $after2 KiB after its settled pass, $before2 before"
start1=$(grep -m1 -F "memory: unmapped" "$LAB_DIR/r1.log" | cut -d' ' -f1)
second1=$(grep -F "memory: unmapped" "$LAB_DIR/r1.log" | sed -n 2p | cut -d' ' -f1)
gap=$(($(lab_line_ms "$second1") - $(lab_line_ms "$start1")))
[ "$gap" -ge 14900 ] && [ "$gap" -le 17000 ] || lab_fail "r1's second pass came ${gap} ms after its first, expected 15 s"
echo "ok: 15 s after the start a second pass: r1 $before1 -> $after1 KiB, r2 $before2 -> $after2 KiB"

# The backup has never run the code of becoming master; it is not mapped now.
kill -KILL "$PID1"
lab_wait "r2 to take the VIP" 5 lab_has_vip "$R2" "$VIP"
lab_expect_log "$LAB_DIR/r2.log" "VI_1: BACKUP -> MASTER" "r2 became master"
echo "ok: the backup takes over after the pages were unmapped"

lab_holdfastd "$R1" r1
PID1=$LAB_PID
lab_wait "r1 to preempt back" 10 lab_has_vip "$R1" "$VIP"
lab_wait "r2 to give the VIP up" 5 lab_lacks_vip "$R2" "$VIP"
out=$(lab_ctl r2 status) || lab_fail "holdfastctl status on r2 failed: $out"
grep -q "BACKUP" <<<"$out" || lab_fail "r2 status: $out"
sed -i 's/priority 100/priority 110/' "$LAB_DIR/r2.conf"
kill -HUP "$PID2"
lab_wait "r2's reload" 10 grep -qF "reload applied" "$LAB_DIR/r2.log"
kill -0 "$PID2" 2>/dev/null || lab_fail "r2 died"
echo "ok: preemption back, holdfastctl and a reload run on the backup after its pages were unmapped"
echo "PASS startup_pages"
