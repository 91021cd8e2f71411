#!/usr/bin/env bash
# holdfastd in a namespace: starts, refuses a second instance on its pid file, keeps
# running on a broken config sent with SIGHUP (logging each error with file:line),
# applies a good one, and exits 0 on SIGTERM leaving no pid file. A config with a
# tolerated mistake runs; reloads keep its mistakes but refuse new ones. It tells systemd
# (a stand-in notify socket) READY=1 once running, RELOADING=1 then READY=1 around
# each reload, STOPPING=1 at stop.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"

lab_init daemon_lifecycle 60
lab_switch
lab_router 1
NS="$LAB-r1"
CONF="$LAB_DIR/holdfast.conf"
PID="$LAB_DIR/holdfastd.pid"
LOG="$LAB_DIR/holdfastd.log"

cat >"$CONF" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF

NOTES="$LAB_DIR/notify.log"
lab_spawn "$NS" "$LAB_DIR/listener.log" python3 "$(dirname "$0")/notify_listener.py" "$LAB_DIR/notify.sock" "$NOTES"
lab_wait "the notify socket" 5 test -S "$LAB_DIR/notify.sock"
lab_spawn "$NS" "$LOG" env NOTIFY_SOCKET="$LAB_DIR/notify.sock" "$HOLDFASTD" -l --no-syslog -f "$CONF" \
  --pid-file "$PID" --control-socket "$LAB_DIR/holdfast.sock"
DAEMON=$LAB_PID
lab_wait "holdfastd to start" 10 grep -qF "started with $CONF" "$LOG"
lab_wait "READY=1 to systemd" 5 grep -qF "READY=1" "$NOTES"
[ "$(cat "$PID")" = "$DAEMON" ] || lab_fail "pid file holds $(cat "$PID"), expected $DAEMON"
echo "ok: started, pid file $PID holds $DAEMON"

# A second daemon on the same pid file refuses to start.
out=$(lab_exec "$NS" "$HOLDFASTD" -l --no-syslog -f "$CONF" --pid-file "$PID" 2>&1)
rc=$?
[ "$rc" -eq 1 ] || lab_fail "second holdfastd exited $rc, expected 1"
grep -qF "another holdfastd (pid $DAEMON) is running with pid file $PID" <<<"$out" ||
  lab_fail "second holdfastd said: $out"
echo "ok: a second holdfastd is refused"

# SIGHUP with a broken config: every error logged with file:line, daemon keeps running.
cp "$CONF" "$LAB_DIR/good.conf"
cat >"$CONF" <<CONF
vrrp_instance VI_1 {
    state MASTR
    interface eth0
    virtual_router_id 300
CONF
kill -HUP "$DAEMON"
lab_wait "the reload to be refused" 10 grep -qF "reload refused" "$LOG"
lab_expect_log "$LOG" "$CONF:2:11: warning: state MASTR is not MASTER or BACKUP: starting as BACKUP, as keepalived does" "bad state"
lab_expect_log "$LOG" "$CONF:4:23: warning: 'virtual_router_id': value 300 is out of range 1-255; ignored, as keepalived does" "bad VRID"
lab_expect_log "$LOG" "$CONF:1:1: error: vrrp_instance 'VI_1' needs 'virtual_router_id'" "no VRID left"
lab_expect_log "$LOG" "the running configuration is kept unchanged" "refusal says the old config stays"
sleep 0.3
kill -0 "$DAEMON" 2>/dev/null || lab_fail "holdfastd died after a refused reload"
echo "ok: broken config refused, daemon still running"

# SIGHUP with a good config: applied.
sed 's/priority 100/priority 120/' "$LAB_DIR/good.conf" >"$CONF"
kill -HUP "$DAEMON"
lab_wait "the reload to be applied" 10 grep -qF "reload applied" "$LOG"
echo "ok: good config applied"

# After a reload freed memory goes back to the kernel (malloc_trim), with the lock
# lifted around it: lock_memory must be on again afterwards.
if grep -qF "lock_memory: not applied in a sanitizer build" "$LOG"; then
  echo "NOTE: sanitizer build, lock_memory is not applied: VmLck after a reload NOT checked" >&2
else
  lab_wait "READY=1 after the reload" 5 eval '[ "$(grep -c "READY=1" "$NOTES")" -ge 3 ]'
  lck=$(awk '$1 == "VmLck:" {print $2}' "/proc/$DAEMON/status")
  [ "${lck:-0}" -gt 0 ] || lab_fail "memory not locked after a reload (VmLck ${lck:-?} kB)"
  echo "ok: memory locked again after the reload's trim (VmLck $lck kB)"
fi

# The clean file pages start-up and the reload touched (symbol tables, the parser)
# are unmapped after it: what those mappings hold now must be less than they held
# before, and the daemon runs on (the rest of this test).
line=$(grep -F "memory: unmapped " "$LOG" | tail -1)
before=$(sed -E 's/.*memory: unmapped ([0-9]+) KiB.*/\1/' <<<"$line")
[ -n "$line" ] && [ "${before:-0}" -gt 0 ] || lab_fail "no clean file pages unmapped after the reload: '$line'"
sleep 0.5
now=$(awk '/^[0-9a-f]+-[0-9a-f]+ / {c = ($2 ~ /^r-.p$/ && $6 ~ /^\//)} c && $1 == "Rss:" {r = $2}
  c && $1 == "Anonymous:" && $2 == 0 {t += r} END {print t + 0}' "/proc/$DAEMON/smaps")
[ "$now" -lt "$before" ] ||
  lab_fail "clean file mappings hold $now KiB after the reload, $before before it: nothing was unmapped"
echo "ok: clean file pages unmapped after the reload ($before KiB held before, $now KiB now)"

# SIGTERM: exit 0, pid file gone.
kill -TERM "$DAEMON"
wait "$DAEMON"
rc=$?
[ "$rc" -eq 0 ] || lab_fail "holdfastd exited $rc on SIGTERM, expected 0"
lab_expect_log "$LOG" "stopping: received SIGTERM" "stop reason logged"
[ -e "$PID" ] && lab_fail "pid file $PID left behind"
echo "ok: SIGTERM exits 0 and removes the pid file"
lab_wait "STOPPING=1 to systemd" 5 grep -qF "STOPPING=1" "$NOTES"
got=$(cut -d';' -f1 "$NOTES" | tr '\n' ' ')
[ "$got" = "READY=1 RELOADING=1 READY=1 RELOADING=1 READY=1 STOPPING=1 " ] ||
  lab_fail "sd_notify sequence: '$got', expected ready, (reloading, ready) x2, stopping"
echo "ok: systemd notify: $got"

# A config with a tolerated mistake (an unknown keyword, skipped as keepalived does):
# it runs at start; a reload that only changes the priority (the same mistake, now on
# another line) is applied; a reload that brings a new mistake is refused.
sed 's/^    priority 100$/    frobnicate 1\n    priority 100/' "$LAB_DIR/good.conf" >"$CONF"
grep -qF "frobnicate" "$CONF" || lab_fail "test setup: no mistake written"
LOG2="$LAB_DIR/holdfastd2.log"
lab_spawn "$NS" "$LOG2" "$HOLDFASTD" -l --no-syslog -f "$CONF" --pid-file "$PID" \
  --control-socket "$LAB_DIR/holdfast.sock"
DAEMON=$LAB_PID
lab_wait "holdfastd to start with a tolerated mistake" 10 grep -qF "started with $CONF" "$LOG2"
lab_expect_log "$LOG2" "$CONF:5:5: warning: unknown keyword 'frobnicate' in vrrp_instance" "the mistake at start"
sed -i 's/^    priority 100$/    priority 110/; s/^    frobnicate 1$//; s/^    state BACKUP$/    state BACKUP\n    frobnicate 1/' "$CONF"
kill -HUP "$DAEMON"
lab_wait "the reload with the same mistake to be applied" 10 grep -qF "reload applied" "$LOG2"
echo "frobnicate 2" >>"$CONF"
kill -HUP "$DAEMON"
lab_wait "the reload with a new mistake to be refused" 10 grep -qF "reload refused: 1 new tolerated mistake(s)" "$LOG2"
kill -0 "$DAEMON" 2>/dev/null || lab_fail "holdfastd died after a refused reload"
kill -TERM "$DAEMON"
wait "$DAEMON"
echo "ok: a tolerated mistake runs at start; the same mistake reloads, a new one is refused"
echo "PASS daemon_lifecycle"
