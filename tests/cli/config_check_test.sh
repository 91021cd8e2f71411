#!/usr/bin/env bash
# holdfastd -t: every example in conf/ passes with a summary; a broken config exits 1
# with all its errors; the CLI's help, version and usage errors behave.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 HOLDFASTD HOLDFASTCTL CONF_DIR}
HOLDFASTCTL=${2:?}
CONF_DIR=${3:?}
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d /tmp/holdfast-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

count=0
while IFS= read -r f; do
  out=$("$HOLDFASTD" -t -f "$f" 2>"$tmp/err") || fail "$f: holdfastd -t failed: $(cat "$tmp/err")"
  grep -q "configuration OK" <<<"$out" || fail "$f: no summary printed"
  [ -s "$tmp/err" ] && fail "$f: warnings on an example config: $(cat "$tmp/err")"
  echo "ok: $f"
  count=$((count + 1))
done < <(find "$CONF_DIR" -name '*.conf' | sort)
[ "$count" -ge 5 ] || fail "expected at least 5 example configs, found $count"

# The nginx pair's summary shows what an operator needs to see.
out=$("$HOLDFASTD" -t -f "$CONF_DIR/nginx-pair/keepalived-master.conf")
grep -qF "vrrp_instance VI_1: eth0 vrid 51 VRRPv2 IPv4, starts MASTER, priority 100, advert_int 1s, auth PASS" <<<"$out" ||
  fail "summary of the master config: $out"
grep -qF "track script check_nginx weight -20" <<<"$out" || fail "summary lacks the tracked script"

# A broken config: exit 1, every error, gcc style.
cat >"$tmp/bad.conf" <<'CONF'
vrrp_instance VI_1 {
    state MASTR
    interface eth0
    virtual_router_id 51
    priorty 100
    virtual_ipaddress {
        192.0.2.1
    }
CONF
"$HOLDFASTD" -t -f "$tmp/bad.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "broken config: exit $rc, expected 1"
expected="$tmp/bad.conf:2:11: error: 'state': expected MASTER or BACKUP, found 'MASTR'
$tmp/bad.conf:5:5: error: unknown keyword 'priorty' in vrrp_instance; did you mean 'priority'?
$tmp/bad.conf:8: error: expected '}' to close 'vrrp_instance VI_1' opened at $tmp/bad.conf:1
$tmp/bad.conf: 3 error(s); configuration refused"
[ "$(cat "$tmp/err")" = "$expected" ] || fail "broken config errors:
$(cat "$tmp/err")
expected:
$expected"
[ -s "$tmp/out" ] && fail "broken config printed a summary"
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
