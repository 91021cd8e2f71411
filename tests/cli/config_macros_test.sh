#!/usr/bin/env bash
# keepalived's definitions, conditional lines and ~SEQ (holdfast.conf(5), DEFINITIONS AND
# CONDITIONAL LINES): for each file and config id, keepalived 2.2.7 (`keepalived -t -i ID`)
# and `holdfastd -t -i ID` agree on it. keepalived -t exits 0 (clean), 5 (runs with config
# errors) or 4 (cannot run); holdfastd -t exits 0 (clean), 4 (runs with tolerated mistakes)
# or 1 (refused). keepalived is required: without it this test fails, it does not skip.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 HOLDFASTD}
KEEPALIVED=${KEEPALIVED:-$(command -v keepalived || echo /usr/sbin/keepalived)}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$KEEPALIVED" ] || fail "keepalived not found (looked for $KEEPALIVED): this test compares with keepalived 2.2.7; install it (apt-get install keepalived)"
tmp=$(mktemp -d /tmp/holdfast-macros.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# keepalived -t checks that an interface exists and does multicast and ARP: use one
# of this machine's that does.
IF=$(ip -o link show | awk -F': ' '/MULTICAST/ && !/NOARP|LOOPBACK/ { sub(/@.*/, "", $2); print $2; exit }')
[ -n "$IF" ] || fail "no interface with multicast and ARP on this machine"

mkdir -p "$tmp/conf.d"
cat >"$tmp/good.conf" <<CONF
! Definitions, a multi-line definition used twice, conditional lines, ~SEQ.
\$IF=$IF
@lb1 \$PRIO=150
@^lb1 \$PRIO=100
\$INSTANCE= \\
    vrrp_instance VI_\${NUM} { \\
        interface \$IF \\
        virtual_router_id 5\${NUM} \\
        priority \$PRIO \\
        @lb1 state MASTER \\
        virtual_ipaddress { \\
            ~SEQ(HOST, 10, 12) 192.0.2.\${HOST}/24 \\
        } \\
    }
global_defs {
    router_id \${_INSTANCE}
}
\$NUM=1
\$INSTANCE
\$NUM=2
\$INSTANCE
CONF

cat >"$tmp/seq.conf" <<CONF
! An invalid ~SEQ on lb2 only: keepalived skips the line and reports it.
@lb2 ~SEQ(I, 1, -1, 5) 192.0.2.\${I}/24
vrrp_instance VI_1 {
    interface $IF
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.10/24
    }
}
CONF

cat >"$tmp/include.conf" <<CONF
! Definitions carry into an included file and back; the include line is conditional.
\$IF=$IF
@lb1 \$DIR=conf.d
@^lb1 \$DIR=conf.d
include \${DIR}/*.conf
vrrp_instance VI_2 {
    interface \$IF
    virtual_router_id \$VRID
    virtual_ipaddress {
        192.0.2.20/24
    }
}
CONF
cat >"$tmp/conf.d/vi1.conf" <<'CONF'
$VRID=52
vrrp_instance VI_1 {
    interface $IF
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.10/24
    }
}
CONF

# check FILE ID EXPECTED: EXPECTED is clean, tolerated or refused.
check() {
  local f=$1 id=$2 want=$3 krc hrc kwant
  (cd "$tmp" && "$KEEPALIVED" -t -f "$f" -i "$id" -l -D) >"$tmp/k.out" 2>&1
  krc=$?
  "$HOLDFASTD" -t -f "$tmp/$f" -i "$id" >"$tmp/h.out" 2>"$tmp/h.err"
  hrc=$?
  case $want in clean) kwant=0 ;; tolerated) kwant=5 ;; refused) kwant=4 ;; esac
  [ "$krc" -eq "$kwant" ] ||
    fail "$f -i $id: keepalived -t exited $krc, expected $kwant ($want):
$(sort -u "$tmp/k.out")"
  case $want in
    clean)
      [ "$hrc" -eq 0 ] && [ ! -s "$tmp/h.err" ] ||
        fail "$f -i $id: keepalived takes it cleanly, holdfastd -t exited $hrc:
$(cat "$tmp/h.err")" ;;
    tolerated)
      # holdfastd runs it (exit 4 for tolerated mistakes; 0 before -t knew them), and says why.
      { [ "$hrc" -eq 4 ] || [ "$hrc" -eq 0 ]; } && grep -q ": warning: " "$tmp/h.err" ||
        fail "$f -i $id: keepalived runs it with config errors (exit 5), holdfastd -t exited $hrc:
$(cat "$tmp/h.err")" ;;
    refused)
      [ "$hrc" -eq 1 ] || fail "$f -i $id: keepalived refuses it, holdfastd -t exited $hrc" ;;
  esac
  echo "ok: $f -i $id: both $want (keepalived $krc, holdfastd $hrc)"
}

echo "$("$KEEPALIVED" --version 2>&1 | head -1)"
check good.conf lb1 clean
check good.conf lb2 clean
check seq.conf lb1 clean
check seq.conf lb2 tolerated
check include.conf lb1 clean
check include.conf lb2 clean

# What the definitions made of good.conf, read back from holdfastd's summary.
"$HOLDFASTD" -t -f "$tmp/good.conf" -i lb1 >"$tmp/h.out" 2>&1
for want in "vrrp_instance VI_1: $IF vrid 51 VRRPv2 IPv4, starts MASTER, priority 150" \
  "vrrp_instance VI_2: $IF vrid 52 VRRPv2 IPv4, starts MASTER, priority 150" "VIP 192.0.2.12/24"; do
  grep -qF "$want" "$tmp/h.out" || fail "good.conf -i lb1: summary lacks '$want':
$(cat "$tmp/h.out")"
done
"$HOLDFASTD" -t -f "$tmp/good.conf" -i lb2 >"$tmp/h.out" 2>&1
grep -qF "vrrp_instance VI_1: $IF vrid 51 VRRPv2 IPv4, starts BACKUP, priority 100" "$tmp/h.out" ||
  fail "good.conf -i lb2: $(cat "$tmp/h.out")"
# The warning names the file, line and column of the ~SEQ.
"$HOLDFASTD" -t -f "$tmp/seq.conf" -i lb2 >/dev/null 2>"$tmp/h.err"
grep -qF "$tmp/seq.conf:2:6: warning: invalid ~SEQ" "$tmp/h.err" || fail "seq.conf warning: $(cat "$tmp/h.err")"
echo "PASS config_macros"
