#!/usr/bin/env bash
# holdfastctl maintenance between two holdfastd routers with nginx behind the VIP and a
# client opening a new connection every 5 ms: `maintenance on` on the master (150)
# hands the VIP over without a failed request and holds the node at priority 1; it is
# shown in status, why, events, metrics, and the notify script gets a MAINTENANCE line;
# it survives a reload and a restart (the state file); with the peer gone the node
# takes the VIP anyway (availability beats maintenance) and gives it back when the
# peer returns; `maintenance off` restores priority 150, and the node preempts as
# configured. An unreadable state file starts the node in maintenance, loudly.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || { echo "SKIPPED: nginx is not installed" >&2; exit 77; }

lab_init maintenance 240
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2" C="$LAB-c"
VIP=192.0.2.100
lab_nginx "$R1" n1 80
lab_nginx "$R2" n2 80
lab_exec "$C" sysctl -qw net.ipv4.tcp_tw_reuse=1

config() { # NAME PRIORITY METRICS_ADDRESS
  cat >"$LAB_DIR/$1.conf" <<CONF
global_defs {
    script_user root
    metrics_listen $3:9650
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 72
    priority $2
    advert_int 1
    virtual_ipaddress {
        $VIP/24
    }
    notify "/bin/sh $LAB_DIR/notify.sh $1"
}
CONF
}
cat >"$LAB_DIR/notify.sh" <<EOF2
#!/bin/sh
echo "\$@" >>"$LAB_DIR/notify-\$1.log"
EOF2
priority() { lab_vrrp a VI_1 effective_priority; }
state() { lab_vrrp "$1" VI_1 state; }

config a 150 192.0.2.11
config b 100 192.0.2.12
lab_holdfastd "$R1" a
A=$LAB_PID
lab_wait "r1 to hold $VIP" 15 lab_has_vip "$R1" "$VIP"
lab_holdfastd "$R2" b
B=$LAB_PID
sleep 3 # r2 settles as backup
[ "$(lab_ctl a maintenance)" = "maintenance: off" ] || lab_fail "maintenance is on at first: $(lab_ctl a maintenance)"

# 1. On: the VIP moves to r2 with no failed request.
lab_vip_client_start "$C" "$VIP:80" on
sleep 1
out=$(SUDO_USER=alice lab_ctl a maintenance on --reason "kernel upgrade" --wait 5)
rc=$?
[ "$rc" = 0 ] || lab_fail "maintenance on exited $rc: $out"
grep -qE "^maintenance: on \(kernel upgrade; set by alice at [0-9T:-]+Z\); every instance runs at priority 1$" <<<"$out" || lab_fail "maintenance on said: $out"
grep -qE "^VI_1: handed over to 192\.0\.2\.12 in [0-9]+ ms$" <<<"$out" || lab_fail "maintenance on said: $out"
lab_wait "r2 to hold $VIP" 5 lab_has_vip "$R2" "$VIP"
lab_lacks_vip "$R1" "$VIP" || lab_fail "r1 still holds $VIP in maintenance"
sleep 1
lab_vip_client_stop
read -r ok failed served <<<"$LAB_CLIENT_COUNTS"
# At most one, for the reason handover_test.sh gives (a connection caught in the instant
# of the switch).
[ "$failed" -le 1 ] || lab_fail "$failed of $((ok + failed)) requests failed entering maintenance: $LAB_CLIENT_JSON"
[[ "$served" == *n1:* && "$served" == *n2:* ]] || lab_fail "not served by both: $served"
echo "ok: maintenance on: $(grep VI_1 <<<"$out"); $ok requests, $failed failed ($served)"

# 2. Shown everywhere.
[ "$(priority)" = 1 ] || lab_fail "r1's priority in maintenance is $(priority)"
status=$(lab_ctl a status)
grep -qF "MAINTENANCE: on (kernel upgrade; set by alice at" <<<"$status" || lab_fail "status: $status"
[ "$(lab_ctl a status --json | lab_json maintenance.reason maintenance.by)" = "kernel upgrade alice" ] ||
  lab_fail "status --json: $(lab_ctl a status --json)"
why=$(lab_ctl a why VI_1)
grep -qE "^maintenance +on +on +=1 +kernel upgrade; set by alice" <<<"$why" || lab_fail "why: $why"
grep -qE "^VI_1 is BACKUP with priority 1$" <<<"$why" || lab_fail "why: $why"
events=$(lab_ctl a events)
grep -qF "daemon: maintenance on: kernel upgrade; set by alice" <<<"$events" || lab_fail "events: $events"
grep -qF "instance VI_1: MASTER -> BACKUP: handed over to 192.0.2.12" <<<"$events" || lab_fail "events: $events"
metrics=$(lab_exec "$R1" curl -sf http://192.0.2.11:9650/metrics)
grep -qx 'holdfast_vrrp_maintenance{vrrp_instance="VI_1"} 1' <<<"$metrics" || lab_fail "metrics: $(grep maintenance <<<"$metrics")"
grep -qx 'holdfast_vrrp_handovers_total{vrrp_instance="VI_1",result="started"} 1' <<<"$metrics" || lab_fail "metrics: $(grep handovers <<<"$metrics")"
lab_wait "the MAINTENANCE notify line" 5 grep -qx "a INSTANCE VI_1 MAINTENANCE 1" "$LAB_DIR/notify-a.log"
[ "$(grep -c MAINTENANCE "$LAB_DIR/notify-a.log")" = 1 ] || lab_fail "notify: $(cat "$LAB_DIR/notify-a.log")"
echo "ok: status, why, events, metrics and one notify MAINTENANCE line show it"

# 3. A reload and a restart keep it: r1 stays backup at priority 1.
kill -HUP "$A"
lab_wait "r1's reload" 5 grep -q "reload applied" "$LAB_DIR/a.log"
[ "$(priority)" = 1 ] || lab_fail "after a reload r1's priority is $(priority)"
[ -f "$LAB_DIR/a.state/maintenance.json" ] || lab_fail "no state file in $LAB_DIR/a.state"
lab_stop "$A"
lab_holdfastd "$R1" a
A=$LAB_PID
lab_wait "r1's control socket" 10 lab_ctl a status --quiet
sleep 4 # longer than Master_Down_Interval: it would have preempted by now
[ "$(state a)" = BACKUP ] && [ "$(priority)" = 1 ] || lab_fail "after a restart r1 is $(state a) at $(priority)"
lab_has_vip "$R2" "$VIP" || lab_fail "r2 lost $VIP when r1 restarted in maintenance"
grep -qF "maintenance is on (kernel upgrade; set by alice" "$LAB_DIR/a.log" || lab_fail "the restart did not say it is in maintenance"
echo "ok: a reload and a restart keep maintenance on (r1 backup at priority 1, the VIP stays on r2)"

# 4. The peer gone: r1 takes the VIP at priority 1; the peer back: it takes it again.
lab_stop "$B"
lab_wait "r1 (in maintenance) to take $VIP when r2 is gone" 10 lab_has_vip "$R1" "$VIP"
[ "$(priority)" = 1 ] || lab_fail "r1 master at $(priority)"
lab_holdfastd "$R2" b
B=$LAB_PID
lab_wait "r2 to take $VIP back from r1 in maintenance" 10 lab_has_vip "$R2" "$VIP"
lab_wait "r1 to drop $VIP" 5 lab_lacks_vip "$R1" "$VIP"
echo "ok: alone, r1 holds $VIP in maintenance; r2 back takes it"

# 5. Off: r1 at 150 preempts r2 (preempt is on).
out=$(lab_ctl a maintenance off)
[ $? = 0 ] && [ "$out" = "maintenance: off" ] || lab_fail "maintenance off said: $out"
lab_wait "r1 to preempt after maintenance off" 10 lab_has_vip "$R1" "$VIP"
[ "$(priority)" = 150 ] || lab_fail "after maintenance off r1's priority is $(priority)"
[ ! -e "$LAB_DIR/a.state/maintenance.json" ] || lab_fail "the state file is still there"
lab_wait "the MAINTENANCE_OFF notify line" 5 grep -qx "a INSTANCE VI_1 MAINTENANCE_OFF 150" "$LAB_DIR/notify-a.log"
echo "ok: maintenance off: priority 150, r1 master again"

# 6. An unreadable state file: r1 starts in maintenance and says why.
lab_stop "$A"
echo "{ not json" >"$LAB_DIR/a.state/maintenance.json"
lab_holdfastd "$R1" a
A=$LAB_PID
lab_wait "r1's control socket" 10 lab_ctl a status --quiet
lab_wait "the error about the state file" 5 grep -qF "maintenance state: $LAB_DIR/a.state/maintenance.json: not a JSON object; starting in maintenance" "$LAB_DIR/a.log"
[ "$(priority)" = 1 ] || lab_fail "with an unreadable state file r1's priority is $(priority)"
lab_ctl a maintenance off >/dev/null || lab_fail "maintenance off after an unreadable file"
lab_wait "r1 to preempt" 10 lab_has_vip "$R1" "$VIP"
echo "ok: an unreadable state file starts r1 in maintenance (logged); off ends it"

# 7. Usage.
out=$(lab_ctl a maintenance sideways 2>&1)
[ $? = 2 ] || lab_fail "maintenance sideways: $out"
lab_stop "$A"
lab_stop "$B"
echo "PASS maintenance"
