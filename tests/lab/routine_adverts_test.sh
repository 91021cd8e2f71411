#!/usr/bin/env bash
# A backup sleeps through its master's routine adverts and still fails over:
# 20 instances at advert_int 0.1 on a pair of holdfastd. Over 3 s the backup receives
# about 600 adverts; its VRRP thread must have been switched in far fewer times.
# Four IPv6 instances run beside them.
# Twice: with CAP_BPF and CAP_SYS_ADMIN taken away (eBPF refused: the adverts wait
# in the queue behind the doorbell, a classic BPF filter), then as holdfastd runs
# (the kernel counts them in the routine filter, an eBPF program, and the daemon
# never reads them). Each time a report (`holdfastctl vrrp`) counts
# every advert: two reports 2 s apart differ by 20 on VI_1. Then the master's
# priority drops (a reload): the backup preempts; the master is SIGKILLed after
# taking the VIPs back: the backup takes all 20 VIPs. The master sends the 20
# adverts of each wake-up in one sendmmsg (strace counts its calls).
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"

lab_init routine_adverts 120
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
N=20

write() { # NODE PRIORITY
  printf 'global_defs {\n    vrrp_version 3\n}\n' >"$LAB_DIR/$1.conf"
  local i
  for ((i = 1; i <= N; i++)); do
    cat >>"$LAB_DIR/$1.conf" <<CONF
vrrp_instance VI_$i {
    state BACKUP
    interface eth0
    virtual_router_id $i
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        198.51.100.$i/32
    }
}
CONF
  done
  # And four IPv6 instances: their socket is filtered the same way.
  for ((i = 1; i <= 4; i++)); do
    cat >>"$LAB_DIR/$1.conf" <<CONF
vrrp_instance V6_$i {
    state BACKUP
    interface eth0
    virtual_router_id $((100 + i))
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        2001:db8:1::$i/128
    }
}
CONF
  done
}
holds_all() { # NS
  local n
  n=$(ip -n "$1" -o addr show dev eth0 | grep -c " 198\.51\.100\.")
  [ "$n" -eq "$N" ]
}
holds_none() { ! ip -n "$1" -o addr show dev eth0 | grep -q " 198\.51\.100\."; }
switches() { # PID: context switches of the VRRP thread (the last thread started)
  local tid
  tid=$(ls "/proc/$1/task" | sort -n | tail -1)
  awk '/^voluntary_ctxt_switches|^nonvoluntary_ctxt_switches/ {s += $2} END {print s}' \
    "/proc/$1/task/$tid/status"
}

write r1 150
write r2 100
lab_holdfastd "$R1" r1
A=$LAB_PID
lab_wait "r1 to hold all $N VIPs" 10 holds_all "$R1"
printf '#!/bin/sh\nexec setpriv --bounding-set -bpf,-sys_admin %q "$@"\n' "$HOLDFASTD" \
  >"$LAB_DIR/holdfastd-no-bpf"
chmod +x "$LAB_DIR/holdfastd-no-bpf"
HOLDFASTD="$LAB_DIR/holdfastd-no-bpf" lab_holdfastd "$R2" r2
B=$LAB_PID
sleep 2
lab_wait "r2 to be backup of all" 5 holds_none "$R2"

# backup_sleeps MODE: r2's VRRP thread sleeps through the routine adverts, and its
# reports count them all.
backup_sleeps() {
  local mode=$1 s0 s1 rx0 rx1 wakes received c0 c1
  s0=$(switches "$B")
  rx0=$(ip netns exec "$R2" cat /sys/class/net/eth0/statistics/rx_packets)
  sleep 3
  s1=$(switches "$B")
  rx1=$(ip netns exec "$R2" cat /sys/class/net/eth0/statistics/rx_packets)
  wakes=$((s1 - s0)) received=$((rx1 - rx0))
  echo "$mode: r2 received $received packets in 3 s; its VRRP thread was switched in $wakes times"
  [ "$received" -ge 500 ] || lab_fail "r2 received only $received packets (expected ~600 adverts)"
  [ "$wakes" -lt $((received / 4)) ] ||
    lab_fail "$mode: r2's VRRP thread woke $wakes times for $received packets"
  command -v strace >/dev/null || lab_fail "strace is missing (tools/install-deps installs it)"
  if grep -q "every advert wakes the daemon" "$LAB_DIR/r1.log" "$LAB_DIR/r2.log"; then
    grep "every advert wakes" "$LAB_DIR"/r[12].log
    lab_fail "the doorbell could not be set up"
  fi
  # The report hands on what was counted or queued first.
  c0=$(lab_vrrp r2 VI_1 counters.received) || lab_fail "no vrrp report from r2"
  sleep 2
  c1=$(lab_vrrp r2 VI_1 counters.received) || lab_fail "no vrrp report from r2"
  echo "$mode: r2's VI_1 counted $((c1 - c0)) adverts in 2 s (r1 sent 20)"
  [ $((c1 - c0)) -ge 17 ] && [ $((c1 - c0)) -le 23 ] ||
    lab_fail "$mode: r2's VI_1 counted $((c1 - c0)) adverts in 2 s, not 20"
  # With the routine filter the daemon reads no routine advert at all, IPv4 or IPv6;
  # with the doorbell it reads them from the queue at its deadlines.
  local tid reads
  tid=$(ls "/proc/$B/task" | sort -n | tail -1)
  timeout -s INT 2 strace -c -e trace=recvmmsg -o "$LAB_DIR/r2-$mode.strace" -p "$tid" 2>/dev/null
  reads=$(awk '$NF == "recvmmsg" {print $4}' "$LAB_DIR/r2-$mode.strace")
  echo "$mode: r2's VRRP thread made ${reads:-0} recvmmsg calls in 2 s"
  if [ "$mode" = eBPF ]; then
    [ "${reads:-0}" -eq 0 ] || lab_fail "eBPF: r2 read routine adverts (${reads} recvmmsg in 2 s)"
  else
    [ "${reads:-0}" -gt 0 ] || lab_fail "doorbell: r2 read no advert in 2 s"
  fi
  echo "ok ($mode): the backup sleeps through routine adverts and counts each"
}

# eBPF refused (Debian's kernel.unprivileged_bpf_disabled keeps it to CAP_BPF or
# CAP_SYS_ADMIN): the doorbell.
[ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled)" != 0 ] ||
  lab_fail "kernel.unprivileged_bpf_disabled is 0: eBPF cannot be refused to test the doorbell"
lab_expect_log "$LAB_DIR/r2.log" \
  "routine adverts wait in the queue instead of being counted in the kernel" "eBPF refused"
backup_sleeps "doorbell"

# As holdfastd runs: the routine filter.
lab_stop "$B"
mv "$LAB_DIR/r2.log" "$LAB_DIR/r2-doorbell.log"
lab_holdfastd "$R2" r2
B=$LAB_PID
sleep 2
lab_wait "r2 to be backup of all" 5 holds_none "$R2"
lab_expect_log "$LAB_DIR/r2.log" "(IPv4): routine adverts are counted in the kernel (eBPF)" \
  "the IPv4 routine filter loaded"
lab_expect_log "$LAB_DIR/r2.log" "(IPv6): routine adverts are counted in the kernel (eBPF)" \
  "the IPv6 routine filter loaded"
backup_sleeps "eBPF"

# The master hands the 20 adverts of a wake-up to the kernel in one sendmmsg, not a
# sendmsg each: strace counts the calls of r1's VRRP thread for 2 s.
command -v strace >/dev/null || lab_fail "strace is missing (tools/install-deps installs it)"
tid=$(ls "/proc/$A/task" | sort -n | tail -1)
timeout -s INT 2 strace -c -e trace=sendmsg,sendmmsg -o "$LAB_DIR/r1.strace" -p "$tid" 2>/dev/null
calls() { awk -v s="$1" '$NF == s {print $4}' "$LAB_DIR/r1.strace"; }
mm=$(calls sendmmsg) sm=$(calls sendmsg)
echo "r1's VRRP thread in 2 s: ${mm:-0} sendmmsg, ${sm:-0} sendmsg"
[ "${mm:-0}" -ge 5 ] || { cat "$LAB_DIR/r1.strace"; lab_fail "r1 sent its adverts without sendmmsg"; }
[ "${sm:-0}" -le $((${mm:-0} / 4)) ] || lab_fail "r1 sent adverts one sendmsg each (${sm} against ${mm})"
echo "ok: a wake-up's adverts go out in one system call"

# The master's priority drops below the backup's: a priority that differs rings the
# doorbell, and r2 preempts (holdfast's fast preemption) on every instance.
write r1 50
kill -HUP "$A"
lab_wait "r2 to take all VIPs after r1's priority drop" 3 holds_all "$R2"
lab_expect_log "$LAB_DIR/r2.log" "VI_7: BACKUP -> MASTER" "VI_7 preempted"
echo "ok: a changed priority is read"

# Back, then the master dies: the timers the queued adverts re-armed run out.
write r1 150
kill -HUP "$A"
lab_wait "r1 to take all VIPs back" 5 holds_all "$R1"
lab_wait "r2 to release them" 5 holds_none "$R2"
kill -KILL "$A"
lab_wait "r2 to take all VIPs after r1 died" 3 holds_all "$R2"
echo "ok: Master_Down_Timer runs out from the queued adverts' arrival"
lab_stop "$B"
echo "PASS routine_adverts"
