#!/usr/bin/env bash
# no_accept (RFC 5798 6.4.3): two holdfastd, VRRPv3, an IPv4 and an IPv6 instance in
# no_accept mode. On the master, the client's ping and TCP connect to the VIPs are
# dropped (IPv6 neighbour discovery still resolves the VIP); holdfast's nftables
# tables (ip/ip6 holdfast, read back with `nft -j`) hold the master's VIPs and follow
# a failover; a table of another owner is never touched; SIGTERM removes them; after
# SIGKILL the table left behind (with a stale element) is replaced at restart; a
# reload to `accept` removes the tables and the VIPs answer; libnftables is loaded only
# to program a table, and a restart into `accept` after SIGKILL removes the table
# the crashed run left (its record under the state directory says there is one).
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"
command -v nft >/dev/null || { echo "SKIPPED: no_accept needs nft to read the ruleset back" >&2; exit 77; }

lab_init no_accept 150
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2" C="$LAB-c"
V4=192.0.2.100 V6=2001:db8::100

write() { # NODE PRIORITY MODE
  cat >"$LAB_DIR/$1.conf" <<CONF
vrrp_instance VI_4 {
    state BACKUP
    interface eth0
    virtual_router_id 81
    version 3
    advert_int 0.1
    priority $2
    $3
    virtual_ipaddress {
        $V4/24
    }
}
vrrp_instance VI_6 {
    state BACKUP
    interface eth0
    virtual_router_id 82
    version 3
    advert_int 0.1
    priority $2
    $3
    virtual_ipaddress {
        $V6/64
    }
}
CONF
}

# `nft -j list table FAMILY holdfast` in NS as one line: "in=HOOK/PRIO out=HOOK/PRIO
# vips=A,B" (rules checked: the chains drop daddr/saddr @vips), or "absent".
table() { # NS FAMILY
  local out
  out=$(lab_exec "$1" nft -j list table "$2" holdfast 2>/dev/null) || { echo absent; return; }
  "$LAB_PYTHON" -c '
import json, sys
doc = json.loads(sys.argv[1])["nftables"]
chains, vips, drops = {}, [], set()
for o in doc:
    if "chain" in o and "hook" in o["chain"]:
        chains[o["chain"]["name"]] = "%s/%s" % (o["chain"]["hook"], o["chain"]["prio"])
    if "set" in o and o["set"]["name"] == "vips":
        vips = sorted(str(e) for e in o["set"].get("elem", []))
    if "rule" in o:
        ex = o["rule"]["expr"]
        m = [e["match"] for e in ex if "match" in e]
        if any("drop" in e for e in ex) and m and m[0]["right"] == "@vips":
            drops.add("%s:%s" % (o["rule"]["chain"], m[0]["left"]["payload"]["field"]))
want = {"in:daddr", "out:saddr"}
print("in=%s out=%s vips=%s%s" % (chains.get("in"), chains.get("out"), ",".join(vips),
      "" if drops == want else " drops=" + ",".join(sorted(drops))))
' "$out"
}
expect_table() { # NS FAMILY WANT
  local got
  got=$(table "$1" "$2")
  [ "$got" = "$3" ] || lab_fail "$1 table $2 holdfast: '$got', want '$3'"
}
holdfast_tables() { # NS: how many tables named holdfast
  lab_exec "$1" nft list tables | grep -c ' holdfast$'
}
EMPTY4="in=input/-1 out=output/-1 vips="
EMPTY6="$EMPTY4"

# A TCP listener on each router (every address), to connect to the VIP.
for ns in "$R1" "$R2"; do
  lab_spawn "$ns" "$LAB_DIR/listener-$ns.log" "$LAB_PYTHON" -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 8080)); s.listen(16)
while True:
    c, _ = s.accept(); c.close()
'
done
connects() { # ADDR: the client opens a TCP connection to ADDR:8080 within 1 s
  lab_exec "$C" "$LAB_PYTHON" -c '
import socket, sys
socket.create_connection((sys.argv[1], 8080), timeout=1).close()' "$1" 2>/dev/null
}
pings() { lab_exec "$C" ping -c1 -W1 "$1" >/dev/null 2>&1; }

# Another owner's table: must come out of every step byte for byte.
lab_exec "$R1" nft -f - <<'NFT' || lab_fail "cannot create the test's own table"
table inet labtest {
    set watched { type ipv4_addr; elements = { 192.0.2.100, 192.0.2.7 } }
    chain c { type filter hook input priority 0; policy accept; ip saddr @watched counter; }
}
NFT
OTHER=$(lab_exec "$R1" nft list table inet labtest | grep -v 'counter packets')
other_untouched() {
  [ "$(lab_exec "$R1" nft list table inet labtest | grep -v 'counter packets')" = "$OTHER" ] ||
    lab_fail "$1: table inet labtest changed"
}

# --- no_accept: the master drops what is addressed to its VIPs --------------------
write r1 150 no_accept
write r2 100 no_accept
lab_holdfastd "$R1" r1
A=$LAB_PID
lab_holdfastd "$R2" r2
B=$LAB_PID
lab_wait "r1 to hold $V4 and $V6" 10 eval "lab_has_vip $R1 $V4 && lab_has_vip $R1 $V6"
lab_wait "r1's table to drop $V4" 5 eval '[ "$(table $R1 ip)" = "${EMPTY4}$V4" ]'
expect_table "$R1" ip6 "${EMPTY6}$V6"
expect_table "$R2" ip "$EMPTY4"
expect_table "$R2" ip6 "$EMPTY6"
other_untouched "start"
pings 192.0.2.11 || lab_fail "the client cannot ping r1's own address (the lab is broken)"
connects 192.0.2.11 || lab_fail "the client cannot connect to r1's own address"
pings "$V4" && lab_fail "no_accept: $V4 answers ping on the master"
connects "$V4" && lab_fail "no_accept: a TCP connection to $V4 was accepted"
lab_exec "$C" ping -6 -c1 -W1 "$V6" >/dev/null 2>&1 && lab_fail "no_accept: $V6 answers ping"
connects "$V6" && lab_fail "no_accept: a TCP connection to $V6 was accepted"
# Neighbour discovery passes: the client resolved the VIP to r1.
mac=$(lab_exec "$C" ip -6 neigh show "$V6" | sed -nE 's/.*lladdr ([0-9a-f:]+).*/\1/p')
[ "$mac" = "$(lab_mac "$R1")" ] || lab_fail "the client resolves $V6 to '$mac', r1 is $(lab_mac "$R1")"
[ "$(lab_vrrp r1 VI_4 accept vips_filtered)" = "false true" ] || lab_fail "r1 VI_4: $(lab_vrrp r1 VI_4 accept vips_filtered)"
[ "$(lab_vrrp r2 VI_4 accept vips_filtered)" = "false false" ] || lab_fail "r2 VI_4: $(lab_vrrp r2 VI_4 accept vips_filtered)"
lab_ctl r1 vrrp VI_4 | grep -q "accept mode: *no_accept (VIPs dropped while master): filtered now" ||
  lab_fail "holdfastctl vrrp does not show the accept mode: $(lab_ctl r1 vrrp VI_4)"
echo "ok: no_accept master drops ping and TCP to its VIPs; ND resolves; backup's set empty"

# --- failover: SIGTERM removes r1's tables, r2's follow ---------------------------
kill -TERM "$A"
wait "$A"
[ "$(holdfast_tables "$R1")" = 0 ] || lab_fail "r1's tables left after SIGTERM: $(lab_exec "$R1" nft list tables)"
other_untouched "stop"
lab_wait "r2's table to drop $V4" 5 eval '[ "$(table $R2 ip)" = "${EMPTY4}$V4" ]'
expect_table "$R2" ip6 "${EMPTY6}$V6"
lab_exec "$C" ip neigh flush dev eth0
pings "$V4" && lab_fail "no_accept: $V4 answers ping on r2"
echo "ok: SIGTERM removes the tables; the new master's set holds the VIPs"

# --- crash: the table left behind is replaced at restart --------------------------
lab_holdfastd "$R1" r1
A=$LAB_PID
lab_wait "r1 to take $V4 back" 10 eval '[ "$(table $R1 ip)" = "${EMPTY4}$V4" ]'
lab_wait "r2's set to empty" 5 eval '[ "$(table $R2 ip)" = "$EMPTY4" ]'
kill -KILL "$A"
wait "$A" 2>/dev/null
expect_table "$R1" ip "${EMPTY4}$V4"  # a crash removes nothing
lab_exec "$R1" nft add element ip holdfast vips '{ 192.0.2.99 }'
lab_exec "$R1" ip addr del "$V4/24" dev eth0
lab_exec "$R1" ip -6 addr del "$V6/64" dev eth0
lab_holdfastd "$R1" r1
A=$LAB_PID
lab_wait "r1 master again" 10 eval '[ "$(lab_vrrp r1 VI_4 state)" = MASTER ]'
lab_wait "r1's set to hold $V4 only" 5 eval '[ "$(table $R1 ip)" = "${EMPTY4}$V4" ]'
[ "$(holdfast_tables "$R1")" = 2 ] || lab_fail "r1 has $(holdfast_tables "$R1") holdfast tables, want ip and ip6"
other_untouched "restart after SIGKILL"
echo "ok: after SIGKILL, one table per family with the right content"

# --- reload to accept: no table, the VIPs answer ----------------------------------
write r1 150 accept
write r2 100 accept
kill -HUP "$A" "$B"
lab_wait "r1's tables to go" 5 eval '[ "$(holdfast_tables $R1)" = 0 ]'
lab_wait "r2's tables to go" 5 eval '[ "$(holdfast_tables $R2)" = 0 ]'
lab_wait "$V4 to answer ping" 5 pings "$V4"
connects "$V4" || lab_fail "accept: no TCP connection to $V4"
lab_wait "$V6 to answer ping" 5 lab_exec "$C" ping -6 -c1 -W1 "$V6"
connects "$V6" || lab_fail "accept: no TCP connection to $V6"
[ "$(lab_vrrp r1 VI_4 accept vips_filtered)" = "true false" ] || lab_fail "r1 VI_4 after reload: $(lab_vrrp r1 VI_4 accept vips_filtered)"
other_untouched "reload"
kill -TERM "$A" "$B"
wait "$A" "$B"
echo "ok: accept: the VIPs answer ping and TCP, no table"

# --- libnftables only for a table; a crash's table goes when no instance needs one --
# holdfastd loads libnftables when it first programs a table and keeps a record of
# the table under its state directory while one may be in the kernel.
REC="$LAB_DIR/r1.state/nftables-table"
[ ! -e "$REC" ] || lab_fail "the record of r1's table outlived the table: $(cat "$REC")"
write r1 150 no_accept
lab_holdfastd "$R1" r1
A=$LAB_PID
lab_wait "r1's table to drop $V4" 10 eval '[ "$(table $R1 ip)" = "${EMPTY4}$V4" ]'
grep -q "/libnftables\.so" "/proc/$A/maps" || lab_fail "r1 programmed a table, libnftables is not in its maps"
[ "$(cat "$REC" 2>/dev/null)" = holdfast ] || lab_fail "no record of r1's table: '$(cat "$REC" 2>&1)'"
kill -KILL "$A"
wait "$A" 2>/dev/null
write r1 150 accept
lab_holdfastd "$R1" r1
A=$LAB_PID
lab_wait "the crashed run's tables to go" 5 eval '[ "$(holdfast_tables $R1)" = 0 ]'
lab_wait "the record to go" 5 eval '[ ! -e "$REC" ]'
other_untouched "restart after SIGKILL into accept"
kill -TERM "$A"
wait "$A"
lab_holdfastd "$R1" r1
A=$LAB_PID
lab_wait "r1 master with accept" 10 eval '[ "$(lab_vrrp r1 VI_4 state)" = MASTER ]'
loaded=$(grep -oE "lib(nftables|nftnl|jansson|gmp|xtables)[^ ]*\.so[^ ]*" "/proc/$A/maps" | sort -u | tr '\n' ' ')
[ -z "$loaded" ] || lab_fail "accept only, no table left: holdfastd loaded $loaded"
[ "$(holdfast_tables "$R1")" = 0 ] || lab_fail "accept only: r1 has $(holdfast_tables "$R1") holdfast tables"
kill -TERM "$A"
wait "$A"
echo "ok: libnftables loaded for a table only; after SIGKILL a restart into accept removes the table"

# --- no loadable libnftables: VRRP goes on, the log and the counter say why ---------
# An empty file stands in for a broken libnftables.so.1.
mkdir -p "$LAB_DIR/badlib" && : >"$LAB_DIR/badlib/libnftables.so.1"
write r1 150 no_accept
LD_LIBRARY_PATH="$LAB_DIR/badlib" lab_holdfastd "$R1" r1
A=$LAB_PID
lab_wait "r1 master without libnftables" 10 eval '[ "$(lab_vrrp r1 VI_4 state)" = MASTER ]'
want="no_accept: cannot program nftables table 'holdfast': cannot load libnftables.so.1: $LAB_DIR/badlib/libnftables.so.1"
lab_wait "the log to name the library" 5 grep -qF -- "$want" "$LAB_DIR/r1.log"
[ "$(holdfast_tables "$R1")" = 0 ] || lab_fail "no libnftables, yet r1 has $(holdfast_tables "$R1") holdfast tables"
kill -TERM "$A"
wait "$A"
echo "ok: without a loadable libnftables the master runs and logs which library it could not load"
