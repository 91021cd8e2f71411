#!/usr/bin/env bash
# use_vmac between two holdfastd routers: the master's VMAC (a private macvlan with
# the VRRP MAC 00:00:5e:00:01:VRID on eth0) holds the VIP, with keepalived's sysctls
# on it and on eth0; the backup's VMAC is up with no address; the client's neighbour
# entry for the VIP is the VRRP MAC, and stays so across a failover (stop, then a
# fault of the master's link) while the client keeps reaching the VIP; adverts leave
# from the VRRP MAC (from eth0's own MAC with vmac_xmit_base); holdfastctl shows the
# VMAC; the link is gone at stop; a SIGKILLed holdfastd leaves it and the next start
# reuses it (same ifindex, the stale VIP removed).
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"

lab_init vmac 240
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2" C="$LAB-c"
VIP=192.0.2.100
VMAC=vrrp.51
VRRP_MAC=00:00:5e:00:01:33

write() { # NODE PRIORITY [EXTRA]
  cat >"$LAB_DIR/$1.conf" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 51
    priority $2
    advert_int 0.2
    use_vmac
    ${3:-}
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}

# on_dev NS DEV ADDR: ADDR is on NS's DEV now.
on_dev() {
  local addrs
  addrs=$(ip -n "$1" -o addr show dev "$2" 2>/dev/null) || return 1
  grep -qF " $3/" <<<"$addrs"
}
# link_of NS DEV: `ip -d -o link` of DEV (fails when there is none).
link_of() { ip -n "$1" -d -o link show dev "$2" 2>/dev/null; }
has_link() { link_of "$1" "$2" >/dev/null; }
no_link() { ! has_link "$1" "$2"; }
sysctl_of() { ip netns exec "$1" cat "/proc/sys/net/$2"; }
# client_mac: the client's neighbour entry for the VIP (not refreshed first).
client_mac() { ip -n "$C" neigh show "$VIP" dev eth0 | sed -nE 's/.*lladdr ([0-9a-f:]+).*/\1/p'; }
reaches() { ip netns exec "$C" ping -c1 -W1 "$VIP" >/dev/null 2>&1; }
# The routers learn the client's MAC first: a master that must ARP for the client asks
# from eth0 with the VIP as sender address (the reply is routed out of eth0: its
# prefix route is older than the VMAC's), and that request rewrites the client's entry
# for the VIP to eth0's MAC. keepalived leaves the same sysctls and routes, so the
# kernel does the same under it (tests/lab/keepalived-corpus/VMAC-NOTES.md).
prime() { ip netns exec "$C" ping -c1 -W1 192.0.2.11 >/dev/null 2>&1; ip netns exec "$C" ping -c1 -W1 192.0.2.12 >/dev/null 2>&1; }
# ifindex NS DEV
ifindex() { ip -n "$1" -o link show dev "$2" | cut -d: -f1; }

check_vmac_link() { # NS WHO
  local l
  l=$(link_of "$1" "$VMAC") || lab_fail "$2: no $VMAC link"
  [[ "$l" == *"$VMAC@eth0"* ]] || lab_fail "$2: $VMAC is not on eth0: $l"
  [[ "$l" == *"link/ether $VRRP_MAC "* ]] || lab_fail "$2: $VMAC's MAC is not $VRRP_MAC: $l"
  [[ "$l" == *"macvlan mode private"* ]] || lab_fail "$2: $VMAC is not a private macvlan: $l"
  [[ "$l" == *"<BROADCAST,MULTICAST,UP,LOWER_UP>"* ]] || lab_fail "$2: $VMAC is not up: $l"
  [[ "$l" == *"addrgenmode none"* ]] || lab_fail "$2: $VMAC's addrgenmode is not none: $l"
  local want got
  for want in ipv4/conf/$VMAC/arp_ignore=1 ipv4/conf/$VMAC/accept_local=1 \
    ipv4/conf/$VMAC/rp_filter=0 ipv4/conf/$VMAC/promote_secondaries=1 \
    ipv6/conf/$VMAC/disable_ipv6=1 ipv6/conf/$VMAC/addr_gen_mode=1 \
    ipv4/conf/eth0/arp_ignore=1 ipv4/conf/eth0/arp_filter=1; do
    got=$(sysctl_of "$1" "${want%=*}")
    [ "$got" = "${want#*=}" ] || lab_fail "$2: net/${want%=*} is $got, keepalived sets ${want#*=}"
  done
}

# The source MACs of the VRRP packets the client sees in 1.5 s.
advert_macs() {
  ip netns exec "$C" timeout 1.5 tcpdump -l -n -e -i eth0 'ip proto 112' 2>/dev/null |
    awk 'NF > 1 {print $2}' | sort -u | xargs
}

write r1 150
write r2 100
lab_holdfastd "$R1" r1
R1PID=$LAB_PID
lab_holdfastd "$R2" r2
R2PID=$LAB_PID
lab_wait "r1 to hold $VIP on $VMAC" 10 on_dev "$R1" "$VMAC" "$VIP"
state_is() { [ "$(lab_vrrp "$1" VI_1 state)" = "$2" ]; }
lab_wait "r2 to be backup" 5 state_is r2 BACKUP
check_vmac_link "$R1" "master r1"
check_vmac_link "$R2" "backup r2"
on_dev "$R1" eth0 "$VIP" && lab_fail "r1 holds $VIP on eth0 too"
[ -z "$(ip -n "$R2" -o addr show dev "$VMAC")" ] || lab_fail "backup r2's $VMAC has addresses: $(ip -n "$R2" -o addr show dev "$VMAC")"
[ "$(lab_vrrp r1 VI_1 vmac.name vmac.mac vmac.adverts_from)" = "$VMAC $VRRP_MAC $VMAC" ] ||
  lab_fail "holdfastctl vrrp: $(lab_vrrp r1 VI_1 vmac)"
lab_ctl r1 vrrp VI_1 | grep -qF "vmac:             $VMAC $VRRP_MAC (adverts from $VMAC)" ||
  lab_fail "holdfastctl vrrp VI_1 does not show the VMAC: $(lab_ctl r1 vrrp VI_1)"
echo "ok: master's $VMAC ($VRRP_MAC, private, up) holds $VIP; backup's is up and empty; sysctls as keepalived's"

macs=$(advert_macs)
[ "$macs" = "$VRRP_MAC" ] || lab_fail "adverts came from [$macs], not from $VRRP_MAC"
prime
lab_wait "the client to reach $VIP" 5 reaches
[ "$(client_mac)" = "$VRRP_MAC" ] || lab_fail "the client's neighbour entry for $VIP is $(client_mac)"
echo "ok: adverts from $VRRP_MAC; the client reaches $VIP at $VRRP_MAC"

# Failover by stop: r2's VMAC takes the VIP; the client's entry is unchanged.
lab_stop "$R1PID"
lab_wait "r2 to take $VIP on $VMAC" 5 on_dev "$R2" "$VMAC" "$VIP"
no_link "$R1" "$VMAC" || lab_fail "r1's $VMAC is left after a clean stop"
[ "$(client_mac)" = "$VRRP_MAC" ] || lab_fail "after failover the client's entry for $VIP is $(client_mac)"
lab_wait "the client to reach $VIP on r2" 5 reaches
echo "ok: failover by stop: $VMAC gone on r1, r2 holds $VIP, the client still reaches it at $VRRP_MAC"

# r1 back (preempts); then a fault of r1's link (eth0 down) moves the VIP to r2 again.
lab_holdfastd "$R1" r1
R1PID=$LAB_PID
lab_wait "r1 to preempt $VIP on $VMAC" 10 on_dev "$R1" "$VMAC" "$VIP"
prime
lab_wait "r2 to release $VIP" 5 bash -c "! ip -n $R2 -o addr show dev $VMAC | grep -qF ' $VIP/'"
lab_wait "the client to reach $VIP on r1" 5 reaches
ip -n "$R1" link set eth0 down
lab_wait "r2 to take $VIP after r1's fault" 5 on_dev "$R2" "$VMAC" "$VIP"
[ "$(client_mac)" = "$VRRP_MAC" ] || lab_fail "after the fault the client's entry for $VIP is $(client_mac)"
lab_wait "the client to reach $VIP on r2 after the fault" 5 reaches
ip -n "$R1" link set eth0 up
lab_wait "r1 to preempt back after its link returns" 10 on_dev "$R1" "$VMAC" "$VIP"
echo "ok: fault of the master's link: r2 takes $VIP, the client still reaches it at $VRRP_MAC"

# SIGKILL: the link stays, with the VIP; the next start reuses it.
before=$(ifindex "$R1" "$VMAC")
kill -KILL "$R1PID"
wait "$R1PID" 2>/dev/null
lab_wait "r2 to take $VIP after r1 was killed" 5 on_dev "$R2" "$VMAC" "$VIP"
has_link "$R1" "$VMAC" || lab_fail "a SIGKILLed holdfastd left no $VMAC (the test proves nothing)"
on_dev "$R1" "$VMAC" "$VIP" || lab_fail "the killed r1's $VMAC lost $VIP (the test proves nothing)"
write r1 90
lab_holdfastd "$R1" r1
R1PID=$LAB_PID
lab_wait "r1 to start as backup" 5 grep -qF "reusing VMAC $VMAC" "$LAB_DIR/r1.log"
lab_wait "r1's stale $VIP to go" 5 bash -c "! ip -n $R1 -o addr show dev $VMAC | grep -qF ' $VIP/'"
[ "$(ifindex "$R1" "$VMAC")" = "$before" ] || lab_fail "r1's $VMAC was made anew, not reused"
check_vmac_link "$R1" "restarted r1"
echo "ok: SIGKILL leaves $VMAC; the next start reuses it (ifindex $before) and removes the stale VIP"

# vmac_xmit_base: adverts from eth0's own MAC, VIP still on the VMAC.
lab_stop "$R1PID"
lab_stop "$R2PID"
no_link "$R2" "$VMAC" || lab_fail "r2's $VMAC is left after a clean stop"
write r1 150 vmac_xmit_base
lab_holdfastd "$R1" r1
R1PID=$LAB_PID
lab_wait "r1 (vmac_xmit_base) to hold $VIP on $VMAC" 10 on_dev "$R1" "$VMAC" "$VIP"
macs=$(advert_macs)
[ "$macs" = "$(lab_mac "$R1")" ] || lab_fail "vmac_xmit_base: adverts came from [$macs], not from eth0 ($(lab_mac "$R1"))"
[ "$(lab_vrrp r1 VI_1 vmac.adverts_from)" = eth0 ] || lab_fail "holdfastctl: adverts_from is not eth0"
lab_stop "$R1PID"
no_link "$R1" "$VMAC" || lab_fail "r1's $VMAC is left after a clean stop (vmac_xmit_base)"
echo "ok: vmac_xmit_base: adverts from eth0's MAC, $VIP on $VMAC, link gone at stop"
echo "PASS vmac"
