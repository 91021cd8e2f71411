#!/usr/bin/env bash
# Each checker against real servers: a real nginx in its own namespace for HTTP
# (status, body, Host, a header, HEAD, an empty reply, a connect timeout: plain
# HTTP through Boost.Beast; HTTPS through libcurl) and TCP (open port, closed port -> refused, an address
# nobody holds -> timeout, an unreachable route -> unreachable), ICMP to a
# namespace whose link then goes down, IPv6 for each; the layer ladder's cause;
# identical checks run once; notify_up / notify_down run in order.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"

lab_init checkers 120
chmod 755 "$LAB_DIR"  # notify scripts run as an unprivileged user and write here
lab_switch
lab_router 1 # holdfastd
lab_router 3 # the web server: 192.0.2.13, 2001:db8::13
lab_router 4 # a host that drops what r1 sends: it answers ARP but its replies to r1 go nowhere
R1="$LAB-r1" SRV="$LAB-r3"
ip -n "$LAB-r4" route add blackhole 192.0.2.11/32
ip -n "$LAB-r4" route add blackhole 2001:db8::11/128
# An address with no route at all from r1: connect fails at once, EHOSTUNREACH.
ip -n "$R1" route add unreachable 192.0.2.201/32
LAB_NGINX_TLS=1 lab_nginx "$SRV" web
NGINX=$LAB_NGINX_PID
CERT="$LAB_DIR/web-cert.pem"

# notify scripts run as an unprivileged user: a file it may append to.
printf '#!/bin/sh\necho "$1" >> %s/notify.txt\n' "$LAB_DIR" >"$LAB_DIR/note.sh"
chmod 755 "$LAB_DIR/note.sh"
: >"$LAB_DIR/notify.txt"
chmod 666 "$LAB_DIR/notify.txt"

T="interval 200ms  timeout 300ms  rise 1  fall 2"
# Two checker threads: checks are dealt to both (two raw ICMP sockets per family
# with their own echo identifiers), judged on the first.
cat >"$LAB_DIR/h.conf" <<CONF
global_defs {
    checker_threads 2
    checker_cpu_affinity 0
}
backend http_ok {
    address 192.0.2.13
    check http { port 8080  path /health  expect_body "UP"  $T }
    notify_up "$LAB_DIR/note.sh up"
    notify_down "$LAB_DIR/note.sh down"
}
backend http_host {
    address 192.0.2.13
    check http { port 8080  path /health  host app.example  expect_body APP  $T }
}
backend http_status {
    address 192.0.2.13
    check http { port 8080  path /status/503  expect_status 200-299 301  $T }
}
backend http_status_set {
    address 192.0.2.13
    check http { port 8080  path /status/301  expect_status 200-299 301  $T }
}
backend http_body {
    address 192.0.2.13
    check http { port 8080  path /body  expect_body_regex "status: (ok|fine)"  $T }
}
backend http_head {
    address 192.0.2.13
    check http { port 8080  path /health  method HEAD  $T }
}
backend http_header {
    address 192.0.2.13
    check http { port 8080  path /header  header "X-Probe: holdfast"  expect_body HEADER  $T }
}
backend http_empty {
    address 192.0.2.13
    check http { port 8080  path /empty  $T }
}
backend http_timeout {
    address 192.0.2.14
    check http { port 8080  path /  $T }
}
backend tcp_open {
    address 192.0.2.13
    check tcp { port 8080  $T }
}
backend tcp_expect {
    address 192.0.2.13
    check tcp { port 8080  send "GET /health HTTP/1.0\r\n\r\n"  expect "UP"  $T }
}
backend tcp_refused {
    address 192.0.2.13
    check tcp { port 8081  $T }
}
backend tcp_timeout {
    address 192.0.2.14
    check tcp { port 8080  $T }
}
backend tcp_unreachable {
    address 192.0.2.201
    check tcp { port 8080  $T }
}
backend icmp4 {
    address 192.0.2.13
    check icmp { $T }
}
backend icmp6 {
    address 2001:db8::13
    check icmp { $T }
}
backend http6 {
    address 2001:db8::13
    check http { port 8080  path /health  expect_status 200  $T }
}
backend tcp6_refused {
    address 2001:db8::13
    check tcp { port 8081  $T }
}
backend ladder {
    address 192.0.2.13
    check icmp { $T }
    check tcp  { port 8080  $T }
    check http { port 8080  path /health  $T }
}
backend ladder_dead {
    address 192.0.2.14
    check icmp { $T }
    check http { port 8080  path /health  $T }
}
backend https_insecure {
    address 192.0.2.13
    check http { tls  port 8443  path /health  tls_verify off  expect_body TLS  $T }
}
backend https_verified {
    address 192.0.2.13
    check http { tls  port 8443  path /health  sni app.example  ca_file $CERT  expect_body TLS  $T }
}
backend https_untrusted {
    address 192.0.2.13
    check http { tls  port 8443  path /health  sni app.example  $T }
}
backend https_wrong_name {
    address 2001:db8::13
    check http { tls  port 8443  path /health  ca_file $CERT  $T }
}
backend scripted {
    address 192.0.2.13
    check script { script "/usr/bin/test ! -e $LAB_DIR/script-down"  $T }
}
backend_group web {
    backends http_ok ladder icmp4
    quorum 2
}
CONF
lab_spawn "$R1" "$LAB_DIR/h.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/h.conf" \
  --pid-file "$LAB_DIR/h.pid" --control-socket "$LAB_DIR/h.sock"
LOG="$LAB_DIR/h.log"
up() { grep -qF "backend $1: up" "$LOG"; }
down() { grep -qF "backend $1: down ($2)" "$LOG"; }

# ladder shares its icmp check with icmp4 and its tcp check with tcp_open.
lab_wait "the check count" 5 grep -qF "checks: 28 declared, 26 distinct, on 2 checker threads pinned to CPUs 0" "$LOG"
# checker_cpu_affinity 0, read back from the kernel: the two checker threads (and
# any short-lived thread they start, such as curl's resolver) may run on CPU 0
# only, the main thread anywhere.
if [ "$(nproc --all)" -lt 2 ]; then
  echo "NOT CHECKED: checker_cpu_affinity on a machine with one CPU (nothing to tell apart)" >&2
else
  hpid=$(cat "$LAB_DIR/h.pid")
  pinned=$(grep -h "^Cpus_allowed_list:" /proc/"$hpid"/task/*/status | awk '$2 == "0"' | wc -l)
  [ "$pinned" -ge 2 ] || lab_fail "expected the 2 checker threads pinned to CPU 0, found $pinned threads"
  grep -q "^Cpus_allowed_list:[[:space:]]*0$" "/proc/$hpid/status" && lab_fail "the main thread was pinned too"
  echo "ok: checker_cpu_affinity 0 pins the 2 checker threads (kernel's Cpus_allowed_list)"
fi
for b in http_ok http_host http_status_set http_head http_header tcp_open tcp_expect icmp4 icmp6 http6 ladder scripted \
  https_insecure https_verified; do
  lab_wait "backend $b up" 10 up "$b"
done
lab_wait "group web up" 5 grep -qF "backend_group web: up" "$LOG"
echo "ok: HTTP (status set, Host, HEAD, header), HTTPS (verify off; SNI + CA file), TCP (open, send/expect), ICMP, script, IPv4 and IPv6 all up"
grep -q "/libcurl\.so\.4" "/proc/$(cat "$LAB_DIR/h.pid")/maps" ||
  lab_fail "HTTPS checks are up, but libcurl.so.4 is not in holdfastd's maps (loaded on demand)"
echo "ok: the HTTPS checks loaded libcurl.so.4 on demand"

touch "$LAB_DIR/script-down"
lab_wait "the script check down" 5 down scripted "script: exited with status 1"
rm "$LAB_DIR/script-down"
lab_wait "the script check up again" 5 bash -c "[ \$(grep -cF 'backend scripted: up' $LOG) -ge 2 ]"
echo "ok: a script check follows its command's exit status"

# A reload with the same file keeps every check running (no restart, no new
# initial state).
kill -HUP "$(cat "$LAB_DIR/h.pid")"
lab_wait "the reload" 5 grep -qF "reload applied: VRRP instances and backends unchanged; they keep running" "$LOG"
[ "$(grep -cF "checks: 28 declared" "$LOG")" = 1 ] || lab_fail "the reload restarted the checks"
echo "ok: an unchanged reload keeps the checks running"

# Down from the start: said once with the reason, never "up".
lab_expect_log "$LOG" "backend http_status: down (L5: not checked yet) until its checks pass" "initial down"
sleep 1.5 # several intervals: the failing ones stay down and no flapping
for b in http_status http_body http_empty http_timeout tcp_refused tcp_timeout tcp_unreachable tcp6_refused ladder_dead \
  https_untrusted https_wrong_name; do
  up "$b" && lab_fail "backend $b came up"
done
echo "ok: failing backends never came up"

lab_wait "http_status's reason" 5 grep -qF "backend http_status: still down (L5: status 503, expected 200-299 301)" "$LOG"
lab_wait "http_body's reason" 5 grep -qF "backend http_body: still down (L5: body does not match /status: (ok|fine)/)" "$LOG"
lab_wait "http_empty's reason" 5 grep -qF "backend http_empty: still down (L5: Empty reply from server)" "$LOG"
lab_wait "http_timeout's reason" 5 grep -qF "backend http_timeout: still down (L5: no connection in 300ms)" "$LOG"
lab_wait "tcp_refused's reason" 5 grep -qF "backend tcp_refused: still down (L4: connection refused)" "$LOG"
lab_wait "tcp6_refused's reason" 5 grep -qF "backend tcp6_refused: still down (L4: connection refused)" "$LOG"
lab_wait "tcp_timeout's reason" 5 grep -qF "backend tcp_timeout: still down (L4: no connection in 300ms)" "$LOG"
lab_wait "tcp_unreachable's reason" 5 grep -qF "backend tcp_unreachable: still down (L4: No route to host)" "$LOG"
lab_wait "ladder_dead's reason" 5 grep -qF "backend ladder_dead: still down (L3: no echo reply in 300ms)" "$LOG"
lab_wait "https_untrusted's reason" 5 grep -qF "backend https_untrusted: still down (L5: SSL certificate problem: self-signed certificate)" "$LOG"
lab_wait "https_wrong_name's reason" 5 grep -qF "backend https_wrong_name: still down (L5: SSL: no alternative certificate subject name matches target host name '2001:db8::13')" "$LOG"
echo "ok: every failure cause named: status, body regex, empty reply, HTTP connect timeout, refused (v4, v6), timeout, unreachable, L3, untrusted and misnamed certificates"

# nginx stops: the HTTP checks fail at L5, the ladder names L4 (its TCP check) as
# the cause, and the group loses its quorum.
lab_stop "$NGINX"
# (Under load a check may time out first while nginx stops: then "still down".)
lab_wait "http_ok down" 5 grep -qE "backend http_ok: (down|still down) \(L5: connection refused\)" "$LOG"
# (Its HTTP check may cross its fall count first: then the cause moves to L4.)
lab_wait "ladder down at L4" 5 grep -qE "backend ladder: (down|still down) \(L4: connection refused\)" "$LOG"
lab_wait "group web down" 5 grep -qF "backend_group web: down (1 of 3 up, quorum 2; down: http_ok, ladder)" "$LOG"
lab_wait "notify_down to run" 5 grep -qx down "$LAB_DIR/notify.txt"
echo "ok: nginx stopped -> L5 refused, ladder cause L4, group below quorum, notify_down ran"

lab_nginx "$SRV" web
NGINX=$LAB_NGINX_PID
lab_wait "group web up again" 5 bash -c "[ \$(grep -cF 'backend_group web: up' $LOG) -ge 2 ]"
# In order: up, down, up (a loaded machine may add down/up pairs when a check
# times out; they alternate all the same, never two of a kind in a row).
notes_alternate() {
  local notes
  notes=$(tr '\n' ' ' <"$LAB_DIR/notify.txt")
  [[ "$notes" =~ ^up\ down\ up\ (down\ up\ )*$ ]]
}
lab_wait "notify_up to run again" 5 notes_alternate
echo "ok: nginx back -> backends and group up; notify scripts ran in order: $(tr '\n' ' ' <"$LAB_DIR/notify.txt")"

# The server's link goes down: ICMP fails (v4 and v6), and the ladder blames L3
# while its TCP and HTTP checks fail too.
ip -n "$SRV" link set eth0 down
lab_wait "icmp4 down" 5 down icmp4 "L3: no echo reply in 300ms"
lab_wait "icmp6 down" 5 down icmp6 "L3: no echo reply in 300ms"
lab_wait "ladder down at L3" 5 grep -qE "backend ladder: (down|still down) \(L3: no echo reply in 300ms\)" "$LOG"
echo "ok: link down -> L3 is the cause"
ip -n "$SRV" link set eth0 up
lab_wait "icmp4 up again" 10 bash -c "[ \$(grep -cF 'backend icmp4: up' $LOG) -ge 2 ]"
echo "ok: link up -> ICMP up again"

# Sanitizer reports (a check's own failure text, such as
# curl's SSL_ERROR_SYSCALL under load, is a check result, not an error of the daemon).
grep -qE "ERROR: |AddressSanitizer|LeakSanitizer|runtime error" "$LOG" &&
  lab_fail "errors in the daemon log"
echo "PASS"
