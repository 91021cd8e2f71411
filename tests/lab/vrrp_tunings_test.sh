#!/usr/bin/env bash
# keepalived's protocol tunings on real sockets (issue 13, item 5):
#  - unicast_ttl: the adverts leave with that TTL; a keepalived 2.2.7 backup and a
#    holdfastd backup accept them (a unicast advert may be routed), and a holdfastd
#    peer with min_ttl above it drops them (bad_ttl) and takes over;
#  - a master that hears a lower priority answers and re-announces its VIPs
#    (garp_lower_prio_repeat), the other router steps down;
#  - dont_track_primary: the interface going down is not a FAULT;
#  - unicast_fault_no_peer: FAULT, with the reason in holdfastctl;
#  - vrrp_startup_delay: the instances wait in INIT; garp_group spaces the GARPs;
#  - down_timer_adverts: Master_Down_Interval is that many adverts + skew;
#  - a sync group's track_script moves every member; status has a line for the group.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"

lab_init vrrp_tunings 240
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"

conf() { # NODE BODY
  printf '%s\n' "$2" >"$LAB_DIR/$1.conf"
}
stop() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
unicast() { # PRIORITY SRC PEER [EXTRA_INSTANCE_LINES] [PEER_MODIFIERS]
  cat <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 81
    priority $1
    advert_int 1
    unicast_src_ip $2
    unicast_peer {
        $3 ${5:-}
    }
${4:-}
    virtual_ipaddress {
        192.0.2.181/24
    }
}
CONF
}

# --- unicast_ttl ----------------------------------------------------------------
lab_spawn "$R2" "$LAB_DIR/ttl-capture.log" tcpdump -i eth0 -U -n -v -c 3 "ip proto 112 and src 192.0.2.11"
CAP=$LAB_PID
sleep 0.5
conf ttl-a "$(unicast 150 192.0.2.11 192.0.2.12 '    unicast_ttl 64')"
lab_holdfastd "$R1" ttl-a
A=$LAB_PID
wait "$CAP"
grep -q "ttl 64," "$LAB_DIR/ttl-capture.log" || lab_fail "r1's adverts do not carry TTL 64: $(cat "$LAB_DIR/ttl-capture.log")"
if grep -q "ttl 255," "$LAB_DIR/ttl-capture.log"; then lab_fail "an advert left with TTL 255"; fi
echo "ok: unicast_ttl 64 is on the wire"

if command -v keepalived >/dev/null; then
  conf ttl-ka "$(unicast 100 192.0.2.12 192.0.2.11)"
  lab_spawn "$R2" "$LAB_DIR/ttl-ka.log" keepalived -n -l -D -P -f "$LAB_DIR/ttl-ka.conf" \
    -p "$LAB_DIR/ttl-ka.pid" -r "$LAB_DIR/ttl-ka-vrrp.pid"
  K=$LAB_PID
  lab_wait "keepalived to enter BACKUP" 10 grep -q "Entering BACKUP STATE" "$LAB_DIR/ttl-ka.log"
  sleep 4  # past keepalived's Master_Down_Interval (3.6 s)
  lab_lacks_vip "$R2" 192.0.2.181 || lab_fail "keepalived took the VIP: it dropped TTL-64 adverts"
  grep -q "Entering MASTER" "$LAB_DIR/ttl-ka.log" && lab_fail "keepalived became master"
  stop "$K"
  echo "ok: keepalived 2.2.7 accepts holdfastd's TTL-64 unicast adverts"
else
  echo "SKIPPED part: keepalived is not installed (the TTL interop check did not run)" >&2
fi

conf ttl-b "$(unicast 100 192.0.2.12 192.0.2.11)"
lab_holdfastd "$R2" ttl-b
B=$LAB_PID
sleep 4.5
[ "$(lab_vrrp ttl-b VI_1 state)" = BACKUP ] || lab_fail "holdfastd r2 is not BACKUP under TTL-64 adverts"
stop "$B"
conf ttl-c "$(unicast 100 192.0.2.12 192.0.2.11 '' 'min_ttl 250')"
lab_holdfastd "$R2" ttl-c
B=$LAB_PID
lab_wait "r2 (min_ttl 250) to drop r1's adverts and take the VIP" 10 lab_has_vip "$R2" 192.0.2.181
[ "$(lab_vrrp ttl-c VI_1 counters.discarded.bad_ttl)" -gt 0 ] || lab_fail "no bad_ttl discard counted"
stop "$B"
stop "$A"
echo "ok: a peer's min_ttl drops adverts below it; without it any TTL is taken"

# --- a lower priority heard by the master: advert + GARPs -----------------------
mcast() { # PRIORITY EXTRA
  cat <<CONF
global_defs {
    vrrp_garp_master_delay 0
    vrrp_garp_lower_prio_repeat 3
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 82
    priority $1
    advert_int 0.5
    version 3
$2
    virtual_ipaddress {
        192.0.2.182/24
    }
}
CONF
}
conf lp-a "$(mcast 150 '')"
conf lp-b "$(mcast 100 '')"
lab_holdfastd "$R1" lp-a
A=$LAB_PID
lab_wait "r1 to hold 192.0.2.182" 10 lab_has_vip "$R1" 192.0.2.182
# r2 cannot hear r1 for a while: it becomes master too, then is heard by r1.
lab_exec "$R2" nft add table inet hftest
lab_exec "$R2" nft add chain inet hftest in '{ type filter hook input priority 0; }'
lab_exec "$R2" nft add rule inet hftest in ip protocol vrrp drop
# Counted before r2 starts: r1 answers r2's very first advert as master with a burst,
# at once, before a count taken after r2's VIP shows up (on a loaded machine r2 may
# step down before its second advert). r1's own takeover GARPs are long over.
before=$(lab_vrrp lp-a VI_2 counters.garps_sent)
lab_holdfastd "$R2" lp-b
B=$LAB_PID
lab_wait "r2 to become a second master" 10 lab_has_vip "$R2" 192.0.2.182
lab_exec "$R2" nft delete table inet hftest
lab_wait "r2 to step down" 5 lab_lacks_vip "$R2" 192.0.2.182
lab_wait "r1 to re-announce (3 GARPs)" 5 bash -c \
  "[ \$(\"$CTL\" -s '$LAB_DIR/lp-a.sock' vrrp --json | '$LAB_PYTHON' -c 'import json,sys; print(json.load(sys.stdin)[\"instances\"][0][\"counters\"][\"garps_sent\"])' 2>/dev/null || echo 0) -ge $((before + 3)) ]"
lab_has_vip "$R1" 192.0.2.182 || lab_fail "r1 lost the VIP"
stop "$B"
stop "$A"
echo "ok: the master answered a lower priority and re-announced ($before -> $(( before + 3 ))+ GARPs)"

# --- dont_track_primary, unicast_fault_no_peer, vrrp_startup_delay -------------
cat >"$LAB_DIR/misc.conf" <<CONF
global_defs {
    vrrp_startup_delay 2
    vrrp_garp_master_repeat 3
    vrrp_garp_master_delay 0
}
garp_group {
    garp_interval 0.2
    interface eth0
}
vrrp_instance VI_3 {
    interface eth0
    virtual_router_id 83
    priority 150
    advert_int 0.5
    version 3
    dont_track_primary
    virtual_ipaddress {
        192.0.2.183/24
    }
}
vrrp_instance VI_4 {
    interface eth0
    virtual_router_id 84
    priority 150
    unicast_fault_no_peer
    virtual_ipaddress {
        192.0.2.184/24
    }
}
CONF
lab_spawn "$R2" "$LAB_DIR/garp.log" tcpdump -i eth0 -U -n -tt -c 3 "arp and arp[6:2] = 1 and arp[14:4] = 0xc00002b7"
CAP=$LAB_PID
sleep 0.5
lab_holdfastd "$R1" misc
A=$LAB_PID
lab_wait "the control socket" 5 test -S "$LAB_DIR/misc.sock"
sleep 0.5
[ "$(lab_vrrp misc VI_3 state)" = INIT ] || lab_fail "VI_3 is not waiting in INIT under vrrp_startup_delay"
grep -q "vrrp_startup_delay: the instances start in 2s" "$LAB_DIR/misc.log" || lab_fail "no startup delay log line"
lab_wait "VI_3 to start after the delay and become master" 6 lab_has_vip "$R1" 192.0.2.183
[ "$(lab_vrrp misc VI_4 state)" = FAULT ] || lab_fail "VI_4 (unicast_fault_no_peer, no peer) is not in FAULT"
lab_wait "3 gratuitous ARPs for 192.0.2.183" 5 bash -c "! kill -0 $CAP 2>/dev/null"
# garp_group's interval: no two of the burst closer than 0.2 s (the kernel may only
# make them later).
gaps=$(awk '/^[0-9]+\.[0-9]+ ARP/ { if (n++) printf "%.3f\n", $1 - prev; prev = $1 }' "$LAB_DIR/garp.log")
[ "$(wc -l <<<"$gaps")" = 2 ] || lab_fail "expected 3 GARPs: $(cat "$LAB_DIR/garp.log")"
while read -r g; do
  awk -v g="$g" 'BEGIN { exit !(g >= 0.195) }' || lab_fail "GARPs $g s apart, garp_group says 0.2 s"
done <<<"$gaps"
lab_vrrp misc VI_4 fault_reason | grep -q unicast_fault_no_peer || lab_fail "VI_4's fault reason does not say why"
lab_exec "$R1" ip link set eth0 down
sleep 1
[ "$(lab_vrrp misc VI_3 state)" = MASTER ] || lab_fail "VI_3 (dont_track_primary) left MASTER when eth0 went down"
lab_exec "$R1" ip link set eth0 up
stop "$A"
echo "ok: vrrp_startup_delay, unicast_fault_no_peer, dont_track_primary, garp_group spacing ($(tr '\n' ' ' <<<"$gaps")s)"

# --- down_timer_adverts ---------------------------------------------------------
conf dt-a "$(mcast 150 '')"
conf dt-b "$(mcast 100 '    down_timer_adverts 1')"
lab_holdfastd "$R1" dt-a
A=$LAB_PID
lab_wait "r1 to hold 192.0.2.182" 10 lab_has_vip "$R1" 192.0.2.182
lab_holdfastd "$R2" dt-b
B=$LAB_PID
sleep 1.5
[ "$(lab_vrrp dt-b VI_2 timers.master_down_interval_ms)" = 800 ] ||
  lab_fail "down_timer_adverts 1: Master_Down_Interval is $(lab_vrrp dt-b VI_2 timers.master_down_interval_ms) ms, not 500 + skew 300"
kill -KILL "$A"
wait "$A" 2>/dev/null
lab_wait "r2 to take over" 5 lab_has_vip "$R2" 192.0.2.182
grep -q "no advert for Master_Down_Interval 800ms" "$LAB_DIR/dt-b.log" || lab_fail "r2's takeover reason: $(grep -- '-> MASTER' "$LAB_DIR/dt-b.log")"
stop "$B"
echo "ok: down_timer_adverts 1 makes Master_Down_Interval one advert + skew"

# --- sync group track_script ----------------------------------------------------
group() { # PRIORITY
  cat <<CONF
vrrp_script chk {
    script "/usr/bin/test -e $LAB_DIR/healthy"
    interval 1
    weight -100
}
vrrp_sync_group G {
    group {
        VI_5
        VI_6
    }
    track_script {
        chk
    }
}
vrrp_instance VI_5 {
    interface eth0
    virtual_router_id 85
    priority $1
    advert_int 0.5
    version 3
    virtual_ipaddress {
        192.0.2.185/24
    }
}
vrrp_instance VI_6 {
    interface eth0
    virtual_router_id 86
    priority $1
    advert_int 0.5
    version 3
    virtual_ipaddress {
        192.0.2.186/24
    }
}
CONF
}
touch "$LAB_DIR/healthy"
conf sg-a "$(group 150)"
conf sg-b "$(group 100)"
sed -i "s|$LAB_DIR/healthy|/bin|" "$LAB_DIR/sg-b.conf"  # r2's script always succeeds
lab_holdfastd "$R1" sg-a
A=$LAB_PID
lab_holdfastd "$R2" sg-b
B=$LAB_PID
lab_wait "r1 to hold both VIPs" 10 bash -c "ip -n $R1 -o addr | grep -q 192.0.2.185/ && ip -n $R1 -o addr | grep -q 192.0.2.186/"
lab_ctl sg-a why VI_6 | grep -q "chk" || lab_fail "holdfastctl why VI_6 does not show the group's script"
lab_ctl sg-a status | grep -qE "^G +MASTER +VI_5 MASTER, VI_6 MASTER +192.0.2.185/24 dev eth0, 192.0.2.186/24 dev eth0" ||
  lab_fail "holdfastctl status has no line for sync group G: $(lab_ctl sg-a status)"
rm "$LAB_DIR/healthy"
lab_wait "r2 to take both VIPs" 10 bash -c "ip -n $R2 -o addr | grep -q 192.0.2.185/ && ip -n $R2 -o addr | grep -q 192.0.2.186/"
stop "$B"
stop "$A"
echo "ok: a sync group's track_script moves every member"
echo "PASS vrrp_tunings"
