#!/usr/bin/env bash
# holdfastctl lint, the binary on files: the shipped nginx pair passes (with the
# track_process advice for its killall script), a pair whose weight cannot move the
# VIP fails with exit 1, a file shared by both nodes is read per node with FILE@ID,
# --json carries the counts, a file that does not load is a problem, no file is a
# usage error.
set -uo pipefail
CTL=${1:?usage: $0 PATH/TO/holdfastctl CONF_DIR}
CONF=${2:?usage: $0 PATH/TO/holdfastctl CONF_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$CTL" lint "$CONF/nginx-pair/keepalived-master.conf" "$CONF/nginx-pair/keepalived-backup.conf")
rc=$?
[ "$rc" = 0 ] || fail "the shipped nginx pair: exit $rc: $out"
grep -q "script check_nginx failing on .*keepalived-master.conf (VI_1) leaves it at 80, .*keepalived-backup.conf (VI_1) at 99: the VIP moves" <<<"$out" ||
  fail "the nginx pair's failover line: $out"
grep -qF '`vrrp_track_process nginx { process nginx weight -20 }`' <<<"$out" ||
  fail "no track_process advice for check_nginx.sh's killall: $out"
echo "ok: the shipped nginx pair: the VIP moves when nginx dies; killall -0 gets its vrrp_track_process block"

node() { # FILE PRIORITY
  cat >"$1" <<CONF
vrrp_script chk {
    script "/usr/bin/curl -sf http://127.0.0.1:8080/health"
    interval 1
    weight -20
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 60
    priority $2
    advert_int 1
    virtual_ipaddress {
        192.0.2.60/24
    }
    track_script {
        chk
    }
}
CONF
}
node "$tmp/a.conf" 150
node "$tmp/b.conf" 100
out=$("$CTL" lint "$tmp/a.conf" "$tmp/b.conf")
rc=$?
[ "$rc" = 1 ] || fail "150/100 with weight -20: exit $rc, expected 1: $out"
grep -qF "leaves it at 130, $tmp/b.conf (VI_1) at 100: the VIP never moves" <<<"$out" || fail "no 'never moves': $out"
grep -qF '`backend chk { address 127.0.0.1  check http { port 8080  path /health' <<<"$out" || fail "no backend advice: $out"
echo "ok: weights that cannot move the VIP: exit 1, the priorities named; curl gets its backend block"

json=$("$CTL" --json lint "$tmp/a.conf" "$tmp/b.conf")
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["problems"] == 1 and d["advice"] == 2, d' "$json" ||
  fail "--json: $json"
echo "ok: --json counts 1 problem and 2 advice"

# One file for both nodes, keepalived's @ID lines telling them apart.
node "$tmp/shared.conf" 150
sed -i 's/^    priority 150$/    @lb1 priority 101\n    @lb2 priority 100/' "$tmp/shared.conf"
out=$("$CTL" lint "$tmp/shared.conf@lb1" "$tmp/shared.conf@lb2")
rc=$?
[ "$rc" = 0 ] || fail "shared file, 101/100: exit $rc: $out"
grep -qF "leaves it at 81, $tmp/shared.conf@lb2 (VI_1) at 100: the VIP moves" <<<"$out" || fail "FILE@ID: $out"
echo "ok: FILE@ID reads one shared file as each node"

out=$("$CTL" lint "$tmp/a.conf" "$tmp/missing.conf")
[ $? = 1 ] || fail "a missing file is not a problem"
grep -qF "$tmp/missing.conf does not load" <<<"$out" || fail "missing file: $out"
"$CTL" lint >/dev/null 2>&1
[ $? = 2 ] || fail "lint without files is not a usage error"
echo "ok: a file that does not load is a problem; no file is a usage error"
echo PASS
