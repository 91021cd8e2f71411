#!/usr/bin/env bash
# Split-brain building blocks against the real kernel (no daemon): r2 holds
# 192.0.2.100 and 2001:db8::100; r1, through tests/lab/claim_probe (ClaimWatch, the
# ARP probe and the neighbour solicitation sent by Announcer), asks who holds them.
# Linux answers the ARP probe with a unicast reply and the solicitation with a
# solicited NA, both from r2's MAC; an address nobody holds gets no answer; r2's
# gratuitous ARP and unsolicited NA are seen as such; r1's own announcements are not
# (the capture is incoming only), nor is a claim made in a VLAN on top of the
# interface (Linux strips the tag before the capture filter, so tagged frames pass
# it and libpcap puts the tag back; ClaimWatch counts and drops them).
set -uo pipefail
CLAIM_PROBE=${1:?usage: $0 PATH/TO/claim_probe}
source "$(dirname "$0")/lib.sh"

lab_init claim_watch 60
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
ip -n "$R2" addr add 192.0.2.100/24 dev eth0
ip -n "$R2" addr add 2001:db8::100/64 dev eth0 nodad
MAC1=$(lab_mac "$R1") MAC2=$(lab_mac "$R2")
# The link-local addresses the NS goes from and the NA back to (no DAD in the lab,
# but the kernel adds them when the link comes up).
lab_wait "r1's link-local address" 5 bash -c "ip -n '$R1' -6 addr show dev eth0 scope link | grep -q fe80"
lab_wait "r2's link-local address" 5 bash -c "ip -n '$R2' -6 addr show dev eth0 scope link | grep -q fe80"

# expect_line FILE LINE DESC: FILE holds exactly LINE.
expect_line() { grep -qxF -- "$2" "$1" || lab_fail "$3: no '$2' in $(basename "$1"): $(cat "$1")"; }
# expect_no FILE PATTERN DESC: no line of FILE matches the extended regex PATTERN.
expect_no() { ! grep -qE -- "$2" "$1" || lab_fail "$3: $(grep -E -- "$2" "$1")"; }

# Probes: two addresses r2 holds, two nobody holds, answers awaited for 1.5 s.
lab_exec "$R1" "$CLAIM_PROBE" probe eth0 1500 192.0.2.100 2001:db8::100 192.0.2.200 2001:db8::200 \
  >"$LAB_DIR/probe.log" 2>&1 || lab_fail "claim_probe probe: $(cat "$LAB_DIR/probe.log")"
expect_line "$LAB_DIR/probe.log" "claim 192.0.2.100 $MAC2 arp_reply" "ARP probe of r2's address"
expect_line "$LAB_DIR/probe.log" "claim 2001:db8::100 $MAC2 na" "NS for r2's address"
expect_no "$LAB_DIR/probe.log" "^claim (192\.0\.2\.200|2001:db8::200) " "a claim of an address nobody holds"
expect_no "$LAB_DIR/probe.log" "^claim .* $MAC1 " "r1's own frames seen as claims"
grep -qE '^counters .* capture_errors=0 ' "$LAB_DIR/probe.log" || lab_fail "capture errors: $(cat "$LAB_DIR/probe.log")"
echo "ok: the ARP probe and the NS for r2's addresses are answered from r2's MAC ($MAC2); nobody claims the others"

# A callback may destroy the watch: both answers arrive together, the first ends it
# and no second claim is delivered (a use after free here is the sanitizer build's).
lab_exec "$R1" "$CLAIM_PROBE" first eth0 1500 192.0.2.100 2001:db8::100 \
  >"$LAB_DIR/first.log" 2>&1 || lab_fail "claim_probe first: $(cat "$LAB_DIR/first.log")"
[ "$(grep -c '^claim ' "$LAB_DIR/first.log")" = 1 ] || lab_fail "claims after the watch was destroyed: $(cat "$LAB_DIR/first.log")"
expect_line "$LAB_DIR/first.log" "destroyed" "the watch destroyed by its callback"
echo "ok: a callback destroys its watch, and no claim follows"

# Announcements: r2's gratuitous ARP (iputils arping when installed, else
# claim_probe's, built by vrrp::gratuitousArp) and unsolicited NA are seen; r1's own
# gratuitous ARP, sent while its listener runs, is not, nor a gratuitous ARP tagged
# for VLAN 20 (sent raw: no 8021q module needed).
lab_spawn "$R1" "$LAB_DIR/listen.log" "$CLAIM_PROBE" listen eth0 3000
lab_wait "r1's listener to be ready" 5 grep -qx ready "$LAB_DIR/listen.log"
if command -v arping >/dev/null && arping -V 2>&1 | grep -q iputils; then
  lab_exec "$R2" arping -q -U -c1 -I eth0 192.0.2.100 || lab_fail "arping -U from r2"
  garp_by=arping
else
  lab_exec "$R2" "$CLAIM_PROBE" announce eth0 192.0.2.100 || lab_fail "claim_probe announce from r2"
  garp_by=claim_probe
fi
lab_exec "$R2" "$CLAIM_PROBE" announce eth0 2001:db8::100 || lab_fail "unsolicited NA from r2"
# An ARP probe (sender 0.0.0.0) claims nothing: the capture's filter keeps it in the
# kernel, so it is not even counted as undecodable.
lab_exec "$R2" "$CLAIM_PROBE" probe eth0 100 192.0.2.130 >"$LAB_DIR/r2probe.log" 2>&1 ||
  lab_fail "ARP probe from r2: $(cat "$LAB_DIR/r2probe.log")"
lab_exec "$R2" "$LAB_PYTHON" - <<'PY' || lab_fail "tagged gratuitous ARP from r2"
import socket
mac = bytes.fromhex(open("/sys/class/net/eth0/address").read().strip().replace(":", ""))
vip = bytes([192, 0, 2, 120])
arp = bytes([0, 1, 8, 0, 6, 4, 0, 1]) + mac + vip + bytes(6) + vip
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(b"\xff" * 6 + mac + b"\x81\x00\x00\x14\x08\x06" + arp + bytes(14))
PY
lab_exec "$R1" "$CLAIM_PROBE" announce eth0 192.0.2.11 2001:db8::11 || lab_fail "announce from r1"
lab_wait "r1's listener to finish" 10 grep -q '^counters ' "$LAB_DIR/listen.log"
expect_line "$LAB_DIR/listen.log" "claim 192.0.2.100 $MAC2 gratuitous_arp" "r2's gratuitous ARP ($garp_by)"
expect_line "$LAB_DIR/listen.log" "claim 2001:db8::100 $MAC2 unsolicited_na" "r2's unsolicited NA"
expect_no "$LAB_DIR/listen.log" "^claim .* $MAC1 " "r1's own announcements seen as claims"
expect_no "$LAB_DIR/listen.log" "^claim 192\.0\.2\.120 " "a claim made in VLAN 20 delivered"
grep -qE '^counters .* undecodable=0 other_vlan=1 capture_errors=0 ' "$LAB_DIR/listen.log" ||
  lab_fail "counters: $(grep '^counters' "$LAB_DIR/listen.log")"
echo "ok: r2's gratuitous ARP ($garp_by) and unsolicited NA are seen; r1's own, VLAN 20's and r2's ARP probe are not"

echo "PASS claim_watch"
