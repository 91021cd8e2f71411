#!/usr/bin/env bash
# Hitless reload: an instance whose configuration did not change keeps its state,
# its VIPs and its advert rhythm (no transition on either node, its VIP never
# leaves); a removed instance stops cleanly (priority 0, VIP removed, the peer
# takes over at once); an added one starts; a changed backend set rebuilds the
# checks but an unchanged check keeps its state (no rescoring); a changed
# instance restarts; a refused config changes nothing.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"
GAP="$(dirname "$0")/../bench/failover_gap.py"

lab_init hitless_reload 180
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"

instance() { # NAME VRID PRIORITY VIP [EXTRA]
  cat <<CONF
vrrp_instance $1 {
    state BACKUP
    interface eth0
    virtual_router_id $2
    version 3
    priority $3
    advert_int 0.1
    virtual_ipaddress {
        $4/24
    }
    ${5:-}
}
CONF
}
backend() { # NAME PORT
  cat <<CONF
backend $1 {
    address 127.0.0.1
    check http { port $2  path /health  interval 200ms  timeout 150ms  rise 2  fall 2 }
}
CONF
}
# after LOG MARK: the log's lines after the first line containing MARK
after() { sed -n "/$(printf '%s' "$2" | sed 's/[][\/.*^$]/\\&/g')/,\$p" "$1" | tail -n +2; }
transitions() { grep -cE "$2: [A-Z]+ -> [A-Z]+" "$1"; }

lab_nginx "$R1" n1
{ backend nginx_local 8080; instance VI_1 51 150 192.0.2.100 "track_backend { nginx_local weight -60 }"; instance VI_2 52 150 192.0.2.102; } >"$LAB_DIR/a.conf"
{ instance VI_1 51 100 192.0.2.100; instance VI_2 52 100 192.0.2.102; instance VI_3 53 100 192.0.2.103; } >"$LAB_DIR/b.conf"
lab_holdfastd "$R1" a
A=$LAB_PID
lab_wait "r1 to hold VI_1's VIP" 15 lab_has_vip "$R1" 192.0.2.100
lab_wait "r1 at full priority" 10 grep -qF "VI_1: priority 90 -> 150" "$LAB_DIR/a.log"
lab_wait "r1 to hold VI_2's VIP" 15 lab_has_vip "$R1" 192.0.2.102
lab_holdfastd "$R2" b
lab_wait "r2 master of VI_3 (r1 has none yet)" 15 lab_has_vip "$R2" 192.0.2.103
sleep 1
lab_has_vip "$R2" 192.0.2.100 && lab_fail "r2 took VI_1's VIP"

# --- reload 1 (SIGHUP): VI_1 unchanged, VI_2 removed, VI_3 added (150 > r2's 100),
# and a new backend: the check engine is rebuilt, nginx_local's check carries over.
{ backend nginx_local 8080; backend spare 8081; instance VI_1 51 150 192.0.2.100 "track_backend { nginx_local weight -60 }"; instance VI_3 53 150 192.0.2.103; } >"$LAB_DIR/a.conf"
b1=$(transitions "$LAB_DIR/b.log" VI_1)
lab_spawn "$R1" "$LAB_DIR/capture.log" tcpdump -i eth0 -Q out -U -n -w "$LAB_DIR/r1.pcap" 'ip proto 112'
CAP=$LAB_PID
lab_spawn "$R1" "$LAB_DIR/addr-monitor.log" ip monitor address
MON=$LAB_PID
sleep 1
kill -HUP "$A"
lab_wait "reload 1 applied" 10 grep -qF "reload applied: instances kept VI_1; changed in place none; added VI_3; removed VI_2; restarted none; backends rebuilt" "$LAB_DIR/a.log"
lab_wait "r2 to take VI_2 (r1 left it)" 5 lab_has_vip "$R2" 192.0.2.102
lab_wait "r1 to release VI_2's VIP" 5 lab_lacks_vip "$R1" 192.0.2.102
lab_wait "r1 to take VI_3 (preempting r2)" 10 lab_has_vip "$R1" 192.0.2.103
sleep 1.5
lab_stop "$CAP"
lab_stop "$MON"
after "$LAB_DIR/a.log" "reload: reading" >"$LAB_DIR/a.after1"
grep -E "VI_1: [A-Z]+ -> " "$LAB_DIR/a.after1" && lab_fail "VI_1 changed state on r1 during a reload that kept it"
grep -F "VI_1: priority" "$LAB_DIR/a.after1" && lab_fail "VI_1 was rescored: the unchanged check did not keep its state"
grep -F "backend nginx_local:" "$LAB_DIR/a.after1" && lab_fail "nginx_local changed state across the reload"
[ "$(transitions "$LAB_DIR/b.log" VI_1)" = "$b1" ] || lab_fail "r2's VI_1 changed state during r1's reload"
grep -F "Deleted" "$LAB_DIR/addr-monitor.log" | grep -qF "192.0.2.100/" && lab_fail "VI_1's VIP left r1 during the reload"
grep -qF "VI_2: removed from the configuration; stopping" "$LAB_DIR/a.after1" || lab_fail "VI_2's removal not logged"
grep -qF "VI_2: MASTER -> STOP" "$LAB_DIR/a.after1" || lab_fail "VI_2 did not stop"
zero=$(tcpdump -r "$LAB_DIR/r1.pcap" -n 2>/dev/null | grep -c "vrid 52, prio 0,")
[ "$zero" -ge 1 ] || lab_fail "r1 sent no priority-0 advert for VRID 52 when VI_2 was removed"
gap=$(python3 "$GAP" --max-gap "$LAB_DIR/r1.pcap" 192.0.2.11 51) || lab_fail "no VRID 51 adverts captured"
echo "ok: reload kept VI_1 (no transition on either node, VIP never removed, no rescoring; largest VRID 51 advert gap across it: $gap), removed VI_2 (priority 0 sent $zero time(s), r2 took over), added VI_3 (r1 preempted r2)"

# --- reload 2 (holdfastctl): VI_1's VRID changes (51 -> 61), which VRRP cannot do
# live: VI_1 restarts (priority 0 on VRID 51, r2 takes it over); VI_3 kept.
# (Changes applied in place without a transition: inplace_reload_test.sh.)
{ backend nginx_local 8080; backend spare 8081; instance VI_1 61 150 192.0.2.100 "track_backend { nginx_local weight -60 }"; instance VI_3 53 150 192.0.2.103; } >"$LAB_DIR/a.conf"
lab_ctl a reload >"$LAB_DIR/reload2.out" || lab_fail "reload 2: $(cat "$LAB_DIR/reload2.out")"
grep -qF "reload applied: instances kept VI_3; changed in place none; added none; removed none; restarted VI_1 (virtual_router_id 51 -> 61); backends unchanged" "$LAB_DIR/reload2.out" ||
  lab_fail "reload 2 summary: $(cat "$LAB_DIR/reload2.out")"
lab_wait "r2 to take VRID 51's VIP (r1 left it)" 10 lab_has_vip "$R2" 192.0.2.100
lab_wait "r1 master of VRID 61 (no peer)" 10 lab_has_vip "$R1" 192.0.2.100
lab_has_vip "$R1" 192.0.2.103 || lab_fail "VI_3 lost its VIP in a reload that kept it"
echo "ok: a VRID change restarts that instance (VI_1), the unchanged one (VI_3) keeps running"

# --- reload 3: refused; nothing moves
cp "$LAB_DIR/a.conf" "$LAB_DIR/a.good"
echo "vrrp_instance VI_9 { interface eth0 virtual_router_id 300 }" >>"$LAB_DIR/a.conf"
n=$(wc -l <"$LAB_DIR/a.log")
kill -HUP "$A"
lab_wait "reload 3 refused" 5 grep -qF "reload refused: " "$LAB_DIR/a.log"
sleep 1
tail -n +"$((n + 1))" "$LAB_DIR/a.log" >"$LAB_DIR/a.after3"
grep -qE "a\.conf:[0-9]+:[0-9]+: error: " "$LAB_DIR/a.after3" || lab_fail "refusal without file:line: $(cat "$LAB_DIR/a.after3")"
grep -E "VI_[0-9]: [A-Z]+ -> " "$LAB_DIR/a.after3" && lab_fail "a refused reload changed a state"
lab_has_vip "$R1" 192.0.2.100 && lab_has_vip "$R1" 192.0.2.103 || lab_fail "a refused reload moved a VIP"
echo "ok: a refused reload (file:line logged) moves nothing"

echo "PASS hitless_reload"
