#!/usr/bin/env bash
# The classic pair with native checks: two holdfastd nodes, each tracking a real
# nginx in its own namespace through an HTTP check (track_backend weight -60).
# Stop the master's nginx -> the VIP moves to the backup at once (the master
# advertises its lower priority, the backup preempts); start it again -> the VIP
# moves back; stop nginx on both -> the node with the higher remaining priority
# keeps the VIP.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"

lab_init check_failover 120
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
VIP=192.0.2.100

write() { # NAME PRIORITY
  cat >"$LAB_DIR/$1.conf" <<CONF
backend nginx_local {
    address 127.0.0.1
    check http { port 8080  path /health  interval 200ms  timeout 300ms  rise 2  fall 2 }
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    virtual_ipaddress {
        $VIP/24
    }
    track_backend {
        nginx_local weight -60
    }
}
CONF
}
start() { # NS NAME
  lab_spawn "$1" "$LAB_DIR/$2.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/$2.conf" \
    --pid-file "$LAB_DIR/$2.pid" --control-socket "$LAB_DIR/$2.sock"
}
gone() { ! lab_has_vip "$1" "$2"; }
ms_of() { # LOG PATTERN [NTH]: the time of the NTH matching line, in ms since midnight
  grep -F -- "$2" "$1" | sed -n "${3:-1}p" |
    awk '{split(substr($1,12),t,":"); printf "%d\n", (t[1]*3600+t[2]*60+t[3])*1000}'
}

lab_nginx "$R1" n1
N1=$LAB_NGINX_PID
lab_nginx "$R2" n2
N2=$LAB_NGINX_PID
write a 150
write b 100
start "$R1" a
start "$R2" b
lab_wait "r1 to hold the VIP" 15 lab_has_vip "$R1" "$VIP"
lab_wait "r1's nginx_local up" 5 grep -qF "backend nginx_local: up" "$LAB_DIR/a.log"
lab_wait "r1 at full priority" 5 grep -qF "VI_1: priority 90 -> 150: base 150; backend nginx_local up: 0 => 150" "$LAB_DIR/a.log"
lab_wait "r2 at full priority" 5 grep -qF "VI_1: priority 40 -> 100: base 100; backend nginx_local up: 0 => 100" "$LAB_DIR/b.log"
lab_wait "r2 to be backup" 5 gone "$R2" "$VIP"
echo "ok: both nginx up -> r1 (150) master, r2 (100) backup"

lab_stop "$N1"
lab_wait "r2 to take over" 5 lab_has_vip "$R2" "$VIP"
lab_wait "r1 to release" 5 gone "$R1" "$VIP"
lab_expect_log "$LAB_DIR/a.log" "warning: backend nginx_local: down (L5: connection refused)" "backend down"
lab_expect_log "$LAB_DIR/a.log" "VI_1: priority 150 -> 90: base 150; backend nginx_local down (L5: connection refused): -60 => 90" "score"
lab_expect_log "$LAB_DIR/b.log" "VI_1: BACKUP -> MASTER: preempting 192.0.2.11 (priority 90 < ours 100)" "fast preempt"
down=$(ms_of "$LAB_DIR/a.log" "warning: backend nginx_local: down")
took=$(ms_of "$LAB_DIR/b.log" "BACKUP -> MASTER")
echo "ok: r1's nginx stopped -> r2 master $((took - down)) ms after the check crossed its fall count"

lab_nginx "$R1" n1
N1=$LAB_NGINX_PID
lab_wait "r1 to take the VIP back" 5 lab_has_vip "$R1" "$VIP"
lab_wait "r2 to release" 5 gone "$R2" "$VIP"
echo "ok: r1's nginx back -> the VIP moves back (preempt)"

lab_stop "$N1"
lab_stop "$N2"
lab_wait "r1 at 90" 5 bash -c "[ \$(grep -cF 'VI_1: priority 150 -> 90' $LAB_DIR/a.log) -ge 2 ]"
lab_wait "r2 at 40" 5 grep -qF "VI_1: priority 100 -> 40" "$LAB_DIR/b.log"
sleep 4 # longer than Master_Down_Interval: nothing must move
lab_has_vip "$R1" "$VIP" || lab_fail "r1 (90) lost the VIP to r2 (40)"
gone "$R2" "$VIP" || lab_fail "r2 (40) holds the VIP too"
echo "ok: nginx down on both -> r1 (90) keeps the VIP over r2 (40)"

# Without a weight a down backend is a FAULT (keepalived's rule for weight 0):
# r1 reloads with that, its nginx still down -> FAULT, r2 (40) takes the VIP;
# r1's nginx back -> r1 leaves FAULT and preempts.
sed -i 's/nginx_local weight -60/nginx_local/' "$LAB_DIR/a.conf"
kill -HUP "$(cat "$LAB_DIR/a.pid")"
lab_wait "r1 in FAULT" 10 grep -qE "VI_1: [A-Z]+ -> FAULT: tracked item down: base 150; backend nginx_local down \(L5: (connection refused|not checked yet)\): FAULT => FAULT" "$LAB_DIR/a.log"
lab_wait "r2 to take over from the faulted r1" 10 lab_has_vip "$R2" "$VIP"
gone "$R1" "$VIP" || lab_fail "r1 holds the VIP in FAULT"
lab_nginx "$R1" n1
lab_wait "r1 back as master" 10 lab_has_vip "$R1" "$VIP"
lab_wait "r2 to release" 5 gone "$R2" "$VIP"
echo "ok: track_backend without weight: down -> FAULT (VIP to r2), up -> master again"

grep -qE "ERROR|error:|AddressSanitizer|runtime error" "$LAB_DIR/a.log" "$LAB_DIR/b.log" &&
  lab_fail "errors in a daemon log"
echo "PASS"
