#!/usr/bin/env bash
# What holdfastd does when a valid config meets this machine, as keepalived does: an
# instance on a missing interface refuses to start (exit 1) with its config line and
# leaves no VIP behind; a VIP on a missing interface is left out and a script whose
# user does not exist is disabled, each with a warning at its line, while the rest
# runs; an unsafe notify script is refused with its line while the rest runs; an HTTPS
# check without a loadable libcurl refuses the start and names the library.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"

lab_init daemon_start_errors 60
chmod 755 "$LAB_DIR"
lab_switch
lab_router 1
NS="$LAB-r1"

# refuses CASE EXPECTED CONFIG: holdfastd exits 1 and logs EXPECTED.
refuses() {
  local conf="$LAB_DIR/$1.conf"
  printf '%s\n' "$3" >"$conf"
  out=$(timeout 10 ip netns exec "$NS" "$HOLDFASTD" -l --no-syslog -f "$conf" \
    --pid-file "$LAB_DIR/$1.pid" 2>&1)
  rc=$?
  [ "$rc" -eq 1 ] || lab_fail "$1: exit $rc, expected 1: $out"
  grep -qF -- "$2" <<<"$out" || lab_fail "$1: expected '$2' in:
$out"
  lab_has_vip "$NS" 192.0.2.100 && lab_fail "$1: a VIP was left behind"
  echo "ok: $1 refused: $2"
}

refuses no-interface \
  "$LAB_DIR/no-interface.conf:2:3: error: vrrp_instance 'VI_1': interface 'nosuch0' does not exist (keepalived refuses this too)" \
  'vrrp_instance VI_1 {
  interface nosuch0
  virtual_router_id 1
  virtual_ipaddress { 192.0.2.100/24 }
}'

# An HTTPS check needs libcurl, which holdfastd loads only then (netio/curl_library.h):
# when it cannot be loaded, the daemon refuses to start and says why. An empty file
# stands in for a broken libcurl.so.4.
mkdir -p "$LAB_DIR/badlib" && : >"$LAB_DIR/badlib/libcurl.so.4"
printf '%s\n' 'backend web {' '  address 192.0.2.2' '  check http {' '    tls' '    interval 1s' '  }' '}' \
  >"$LAB_DIR/no-libcurl.conf"
out=$(timeout 10 ip netns exec "$NS" env LD_LIBRARY_PATH="$LAB_DIR/badlib" "$HOLDFASTD" -l --no-syslog \
  -f "$LAB_DIR/no-libcurl.conf" --pid-file "$LAB_DIR/no-libcurl.pid" 2>&1)
rc=$?
[ "$rc" -ne 0 ] || lab_fail "no-libcurl: started without a loadable libcurl: $out"
want="cannot start checks: backend web: HTTP check of / needs libcurl: cannot load libcurl.so.4: $LAB_DIR/badlib/libcurl.so.4"
grep -qF -- "$want" <<<"$out" || lab_fail "no-libcurl: expected '$want' in:
$out"
echo "ok: no-libcurl refused (exit $rc): an HTTPS check names the libcurl it cannot load"

# runs CASE WARNING CONFIG: holdfastd starts, takes 192.0.2.100, logs WARNING (a
# tolerated mistake), and removes the VIP at stop.
runs() {
  local conf="$LAB_DIR/$1.conf"
  printf '%s\n' "$3" >"$conf"
  lab_spawn "$NS" "$LAB_DIR/$1.log" "$HOLDFASTD" -l --no-syslog -f "$conf" --pid-file "$LAB_DIR/$1.pid"
  local pid=$LAB_PID
  lab_wait "$1: the instance to run" 5 lab_has_vip "$NS" 192.0.2.100
  lab_expect_log "$LAB_DIR/$1.log" "$conf:$2" "$1"
  kill -TERM "$pid"
  wait "$pid"
  lab_wait "$1: the VIP to go at stop" 5 lab_lacks_vip "$NS" 192.0.2.100
}

# A VIP on an interface that does not exist: keepalived runs without it, so does holdfastd.
runs no-vip-dev \
  "8:5: warning: vrrp_instance 'VI_1': interface 'nosuch1' of 192.0.2.101 does not exist; that address is not added, as keepalived does" \
  'vrrp_instance VI_1 {
  interface eth0
  version 3
  advert_int 0.1
  virtual_router_id 1
  virtual_ipaddress {
    192.0.2.100/24
    192.0.2.101/24 dev nosuch1
  }
}'
lab_has_vip "$NS" 192.0.2.101 && lab_fail "no-vip-dev: 192.0.2.101 was added somewhere"
echo "ok: a VIP on a missing interface is left out with a warning; the instance runs"

# A tracked script whose user does not exist: keepalived disables that tracking and
# runs; so does holdfastd, with a warning at the script's line.
runs no-script-user \
  "2:3: warning: vrrp_script 'chk': script user 'nosuchuser' does not exist; tracking of 'chk' is disabled, as keepalived does" \
  'vrrp_script chk {
  script "/bin/true"
  user nosuchuser
}
vrrp_instance VI_1 {
  interface eth0
  version 3
  advert_int 0.1
  virtual_router_id 1
  virtual_ipaddress { 192.0.2.100/24 }
  track_script { chk }
}'
echo "ok: a script whose user does not exist is disabled with a warning; the instance runs"

# An unsafe notify script: refused with its line, the instance still runs.
printf '#!/bin/sh\n' >"$LAB_DIR/open.sh"
chmod 777 "$LAB_DIR/open.sh"
cat >"$LAB_DIR/unsafe-notify.conf" <<CONF
vrrp_instance VI_1 {
  interface eth0
  version 3
  virtual_router_id 1
  advert_int 0.1
  virtual_ipaddress { 192.0.2.100/24 }
  notify_master "$LAB_DIR/open.sh"
}
CONF
lab_spawn "$NS" "$LAB_DIR/unsafe-notify.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/unsafe-notify.conf" \
  --pid-file "$LAB_DIR/unsafe-notify.pid"
PID=$LAB_PID
lab_wait "the instance to run anyway" 5 lab_has_vip "$NS" 192.0.2.100
lab_expect_log "$LAB_DIR/unsafe-notify.log" \
  "error: VI_1: refusing to run notify_master ($LAB_DIR/unsafe-notify.conf:1): $LAB_DIR/open.sh is writable by everyone" \
  "refusal"
kill -TERM "$PID"
wait "$PID"
echo "ok: unsafe notify script refused with its config line; the instance ran"
echo "PASS daemon_start_errors"
