#!/usr/bin/env bash
# SMTP alerts as the guides' configs expect them (notification_email + smtp_server in
# global_defs, nothing in the instance): one mail per transition to a sink in the lab.
# With an unreachable mail server, VRRP is not delayed and the daemon still stops
# promptly.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

lab_init vrrp_smtp 60
lab_switch
lab_router 1
lab_client
MAIL="$LAB_DIR/mail.txt"
: >"$MAIL"
lab_spawn "$LAB-c" "$LAB_DIR/sink.log" python3 "$HERE/smtp_sink.py" 192.0.2.250 2525 "$MAIL"
lab_wait "the SMTP sink" 5 lab_exec "$LAB-c" bash -c "exec 3<>/dev/tcp/192.0.2.250/2525"

config() { # SMTP_HOST
  cat >"$LAB_DIR/r1.conf" <<CONF
global_defs {
   notification_email {
     ops@example.com
     noc@example.com
   }
   notification_email_from lb1@example.com
   smtp_server $1 2525
   smtp_connect_timeout 3
   router_id LB1
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 97
    priority 150
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF
}
config 192.0.2.250
lab_spawn "$LAB-r1" "$LAB_DIR/r1.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/r1.conf" \
  --pid-file "$LAB_DIR/r1.pid" --control-socket "$LAB_DIR/r1.sock"
PID=$LAB_PID
lab_wait "r1 to become master" 5 lab_has_vip "$LAB-r1" 192.0.2.100
lab_wait "two alerts" 10 bash -c "[ \$(grep -c -- ---END--- $MAIL) -ge 2 ]"
kill -TERM "$PID"
wait "$PID"
lab_wait "three alerts" 10 bash -c "[ \$(grep -c -- ---END--- $MAIL) -ge 3 ]"
for s in BACKUP MASTER STOP; do
  grep -qF "Subject: [LB1] VRRP Instance VI_1 - Entering $s state" "$MAIL" || lab_fail "no alert for $s:
$(cat "$MAIL")"
done
grep -qF "MAIL FROM:<lb1@example.com>" "$MAIL" || lab_fail "envelope sender"
[ "$(grep -c "RCPT TO:<ops@example.com>" "$MAIL")" -eq 3 ] || lab_fail "ops@ should get 3 mails"
[ "$(grep -c "RCPT TO:<noc@example.com>" "$MAIL")" -eq 3 ] || lab_fail "noc@ should get 3 mails"
grep -qF "=> VRRP Instance VI_1 is now MASTER (priority 150): no advert for Master_Down_Interval" "$MAIL" ||
  lab_fail "the MASTER alert says why"
echo "ok: one alert per transition (BACKUP, MASTER, STOP) to both recipients, saying why"

# A mail server that does not answer: VRRP goes on, the stop stays prompt.
config 192.0.2.249
lab_spawn "$LAB-r1" "$LAB_DIR/r1b.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/r1.conf" \
  --pid-file "$LAB_DIR/r1.pid" --control-socket "$LAB_DIR/r1.sock"
PID=$LAB_PID
lab_wait "r1 to become master without waiting for mail" 2 lab_has_vip "$LAB-r1" 192.0.2.100
start=$(date +%s%N)
kill -TERM "$PID"
wait "$PID"
took=$(( ($(date +%s%N) - start) / 1000000 ))
echo "ok: unreachable mail server: master anyway, SIGTERM took ${took} ms"
echo "PASS vrrp_smtp"
