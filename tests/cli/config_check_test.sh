#!/usr/bin/env bash
# holdfastd -t: every example in conf/ passes with a summary and exit 0 (warnings only
# about keywords without effect); a config with tolerated mistakes exits 4 (1 with
# --strict) and lists them; a refused config exits 1 with all its errors; the last
# line says which; the CLI's help, version and usage errors behave.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 HOLDFASTD HOLDFASTCTL CONF_DIR}
HOLDFASTCTL=${2:?}
CONF_DIR=${3:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d /tmp/holdfast-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

count=0
while IFS= read -r f; do
  out=$("$HOLDFASTD" -t -f "$f" 2>"$tmp/err") || fail "$f: holdfastd -t exit $?: $(cat "$tmp/err")"
  grep -q "vrrp_instance" <<<"$out" || fail "$f: no summary printed"
  tail -n 1 <<<"$out" | grep -qE ": configuration OK.*\(exit 0\)$" || fail "$f: last line: $(tail -n 1 <<<"$out")"
  grep -v "no effect" "$tmp/err" | grep -v ": note: " | grep -q . && fail "$f: warnings on an example config: $(cat "$tmp/err")"
  echo "ok: $f"
  count=$((count + 1))
done < <(find "$CONF_DIR" -name '*.conf' | sort)
[ "$count" -ge 5 ] || fail "expected at least 5 example configs, found $count"

# The nginx pair's summary shows what an operator needs to see.
out=$("$HOLDFASTD" -t -f "$CONF_DIR/nginx-pair/keepalived-master.conf")
grep -qF "vrrp_instance VI_1: eth0 vrid 51 VRRPv2 IPv4, starts MASTER, priority 100, advert_int 1s, auth PASS" <<<"$out" ||
  fail "summary of the master config: $out"
grep -qF "track script check_nginx weight -20" <<<"$out" || fail "summary lacks the tracked script"

# Tolerated mistakes: exit 4, each one at file:line:col, and the last line says so.
cat >"$tmp/messy.conf" <<'CONF'
vrrp_instance VI_1 {
    state MASTR
    interface lo
    virtual_router_id 51
    priorty 100
    virtual_ipaddress {
        192.0.2.1
    }
CONF
"$HOLDFASTD" -t -f "$tmp/messy.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 4 ] || fail "config with tolerated mistakes: exit $rc, expected 4: $(cat "$tmp/err")"
expected="$tmp/messy.conf:2:11: warning: state MASTR is not MASTER or BACKUP: starting as BACKUP, as keepalived does
$tmp/messy.conf:5:5: warning: unknown keyword 'priorty' in vrrp_instance (did you mean 'priority'?); skipped with its values and block, as keepalived does
$tmp/messy.conf:8: warning: expected '}' to close 'vrrp_instance VI_1' opened at $tmp/messy.conf:1; the block ends at the end of the file, as keepalived does"
[ "$(cat "$tmp/err")" = "$expected" ] || fail "tolerated mistakes:
$(cat "$tmp/err")
expected:
$expected"
[ "$(tail -n 1 "$tmp/out")" = "$tmp/messy.conf: configuration runs, with 3 tolerated mistakes handled as keepalived does (exit 4)" ] ||
  fail "last line: $(tail -n 1 "$tmp/out")"
"$HOLDFASTD" -t --strict -f "$tmp/messy.conf" >"$tmp/out" 2>/dev/null
rc=$?
[ "$rc" -eq 1 ] || fail "--strict with tolerated mistakes: exit $rc, expected 1"
grep -qF "(exit 1: --strict)" "$tmp/out" || fail "--strict last line: $(tail -n 1 "$tmp/out")"
echo "ok: tolerated mistakes exit 4 (1 with --strict), each at file:line:col"

# Keywords without effect only: exit 0, but 1 with --strict.
cat >"$tmp/lvs.conf" <<'CONF'
global_defs {
    enable_snmp_vrrp
}
vrrp_instance VI_1 {
    interface lo
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.1
    }
}
CONF
"$HOLDFASTD" -t -f "$tmp/lvs.conf" >"$tmp/out" 2>"$tmp/err" || fail "no-effect keyword: exit $?"
grep -qF "$tmp/lvs.conf:2:5: warning: 'enable_snmp_vrrp'" "$tmp/err" || fail "no-effect warning: $(cat "$tmp/err")"
tail -n 1 "$tmp/out" | grep -qF "configuration OK, 1 keyword without effect in holdfast (exit 0)" || fail "last line: $(tail -n 1 "$tmp/out")"
"$HOLDFASTD" -t --strict -f "$tmp/lvs.conf" >/dev/null 2>&1
[ $? -eq 1 ] || fail "--strict with a no-effect keyword should exit 1"
echo "ok: keywords without effect exit 0 (1 with --strict)"

# An interface this machine lacks is a note under -t (configs are checked elsewhere).
sed 's/interface lo/interface hfnosuch0/' "$tmp/lvs.conf" >"$tmp/noif.conf"
"$HOLDFASTD" -t -f "$tmp/noif.conf" >"$tmp/out" 2>"$tmp/err" || fail "missing interface under -t: exit $?"
grep -qF "$tmp/noif.conf:5:5: note: vrrp_instance 'VI_1': interface 'hfnosuch0' does not exist on this machine; holdfastd would refuse to start here, as keepalived does" "$tmp/err" ||
  fail "missing interface note: $(cat "$tmp/err")"
echo "ok: a missing interface is a note under -t"

# A refused config: exit 1, every error, gcc style, no summary.
cat >"$tmp/bad.conf" <<'CONF'
vrrp_instance VI_1 {
    interface eth0
    priority 100
    virtual_ipaddress {
        192.0.2.1
    }
}
backend web {
    adress 192.0.2.7
}
CONF
"$HOLDFASTD" -t -f "$tmp/bad.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "broken config: exit $rc, expected 1"
expected="$tmp/bad.conf:1:1: error: vrrp_instance 'VI_1' needs 'virtual_router_id'
$tmp/bad.conf:8:1: error: backend 'web' needs an 'address'
$tmp/bad.conf:8:1: warning: backend 'web' has no check; it is always up
$tmp/bad.conf:9:5: error: unknown keyword 'adress' in backend; did you mean 'address'?"
[ "$(cat "$tmp/err")" = "$expected" ] || fail "broken config errors:
$(cat "$tmp/err")
expected:
$expected"
[ "$(cat "$tmp/out")" = "$tmp/bad.conf: configuration refused: 3 errors (exit 1)" ] || fail "broken config output: $(cat "$tmp/out")"
echo "ok: broken config refused with every error"

"$HOLDFASTD" -t -f /nonexistent/holdfast.conf 2>"$tmp/err"
[ $? -eq 1 ] || fail "missing config should exit 1"
grep -qF "/nonexistent/holdfast.conf: error: cannot read config file: No such file or directory" "$tmp/err" ||
  fail "missing config message: $(cat "$tmp/err")"

"$HOLDFASTD" --help | grep -q -- "--config-test" || fail "--help lacks --config-test"
"$HOLDFASTD" --version | grep -q "^holdfastd [0-9]" || fail "--version"
"$HOLDFASTD" --bogus 2>/dev/null
[ $? -eq 2 ] || fail "unknown option should exit 2"
"$HOLDFASTCTL" --help | grep -q "status" || fail "holdfastctl --help lacks its commands"
"$HOLDFASTCTL" 2>/dev/null
[ $? -eq 2 ] || fail "holdfastctl without a command should exit 2"
echo "ok: command lines"
echo "PASS config_check ($count example configs)"
