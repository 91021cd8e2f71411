#!/usr/bin/env bash
# use_vmac for an IPv6 (VRRPv3) instance between two holdfastd routers, as keepalived
# 2.2.7 builds it (measured: tests/lab/keepalived-corpus/VMAC-NOTES.md): a private
# macvlan vrrp.52 with the VRRP MAC 00:00:5e:00:02:34 on eth0, addrgenmode none, IPv6
# on, eth0's link-local copied onto it (nodad, preferred_lft 0), no IPv4 sysctl and
# nothing on eth0; the master's VMAC holds the VIP; adverts leave from the VRRP MAC
# and eth0's link-local; nftables (ip6 holdfast_vmac) sends the VMAC's MLD reports
# out of eth0 and drops its router solicitations, so no frame with the VRRP MAC
# leaves a backup; the client's neighbour entry for the VIP is the VRRP MAC and stays
# so across a failover; the link and the table are gone at stop.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"

lab_init vmac6 180
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2" C="$LAB-c"
VIP=2001:db8::100
VMAC=vrrp.52
VRRP_MAC=00:00:5e:00:02:34

write() { # NODE PRIORITY
  cat >"$LAB_DIR/$1.conf" <<CONF
vrrp_instance V6 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority $2
    advert_int 0.2
    use_vmac
    virtual_ipaddress {
        $VIP/64
    }
}
CONF
}

on_dev() { # NS DEV ADDR
  local addrs
  addrs=$(ip -n "$1" -o addr show dev "$2" 2>/dev/null) || return 1
  grep -qF " $3/" <<<"$addrs"
}
link_of() { ip -n "$1" -d -o link show dev "$2" 2>/dev/null; }
no_link() { ! link_of "$1" "$2" >/dev/null; }
sysctl_of() { ip netns exec "$1" cat "/proc/sys/net/$2"; }
eth0_ll() { ip -n "$1" -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1 | head -1; }
client_mac() { ip -n "$C" -6 neigh show "$VIP" dev eth0 | sed -nE 's/.*lladdr ([0-9a-f:]+).*/\1/p'; }
reaches() { ip netns exec "$C" ping -6 -c1 -W1 "$VIP" >/dev/null 2>&1; }
prime() { ip netns exec "$C" ping -6 -c1 -W1 2001:db8::11 >/dev/null 2>&1; ip netns exec "$C" ping -6 -c1 -W1 2001:db8::12 >/dev/null 2>&1; }
state_is() { [ "$(lab_vrrp "$1" V6 state)" = "$2" ]; }

check_vmac_link() { # NS WHO
  local l ll
  l=$(link_of "$1" "$VMAC") || lab_fail "$2: no $VMAC link"
  [[ "$l" == *"$VMAC@eth0"* ]] || lab_fail "$2: $VMAC is not on eth0: $l"
  [[ "$l" == *"link/ether $VRRP_MAC "* ]] || lab_fail "$2: $VMAC's MAC is not $VRRP_MAC: $l"
  [[ "$l" == *"macvlan mode private"* ]] || lab_fail "$2: $VMAC is not a private macvlan: $l"
  [[ "$l" == *"<BROADCAST,MULTICAST,UP,LOWER_UP>"* ]] || lab_fail "$2: $VMAC is not up: $l"
  [[ "$l" == *"addrgenmode none"* ]] || lab_fail "$2: $VMAC's addrgenmode is not none: $l"
  local want got
  # keepalived 2.2.7 sets addr_gen_mode only; IPv4's sysctls and eth0's stay default.
  for want in ipv6/conf/$VMAC/addr_gen_mode=1 ipv6/conf/$VMAC/disable_ipv6=0 \
    ipv6/conf/$VMAC/accept_ra=1 ipv4/conf/$VMAC/arp_ignore=0 ipv4/conf/$VMAC/accept_local=0 \
    ipv4/conf/eth0/arp_ignore=0 ipv4/conf/eth0/arp_filter=0 ipv6/conf/eth0/disable_ipv6=0; do
    got=$(sysctl_of "$1" "${want%=*}")
    [ "$got" = "${want#*=}" ] || lab_fail "$2: net/${want%=*} is $got, keepalived leaves ${want#*=}"
  done
  ll=$(eth0_ll "$1")
  [ -n "$ll" ] || lab_fail "$2: eth0 has no link-local address"
  ip -n "$1" -6 -o addr show dev "$VMAC" | grep -qE " inet6 $ll/64 scope link nodad deprecated" ||
    lab_fail "$2: $VMAC lacks eth0's link-local $ll (nodad, deprecated): $(ip -n "$1" -6 -o addr show dev "$VMAC")"
  [ "$(ip -n "$1" -6 -o addr show dev "$VMAC" scope link | wc -l)" = 1 ] ||
    lab_fail "$2: $VMAC has more than one link-local: $(ip -n "$1" -6 -o addr show dev "$VMAC")"
  local nft
  nft=$(ip netns exec "$1" nft list table ip6 holdfast_vmac 2>&1) || lab_fail "$2: no table ip6 holdfast_vmac: $nft"
  grep -qF 'icmpv6 type mld2-listener-report meta oifkind "macvlan" dup to ip6 daddr device oif map @vmac_map drop' <<<"$nft" ||
    lab_fail "$2: no MLD rule: $nft"
  grep -qF 'icmpv6 type nd-router-solicit meta oifkind "macvlan" oif @vmac_set drop' <<<"$nft" ||
    lab_fail "$2: no router-solicitation rule: $nft"
  grep -qF "\"$VMAC\" : \"eth0\"" <<<"$nft" || lab_fail "$2: $VMAC not in vmac_map: $nft"
  ip netns exec "$1" nft list table ip holdfast_vmac >/dev/null 2>&1 &&
    lab_fail "$2: an IPv4 VMAC table for an IPv6 instance"
  return 0
}

# Every IPv6 frame the client sees while both routers start (MLD reports,
# router solicitations, NAs, adverts), with link-level headers.
ip netns exec "$C" timeout 6 tcpdump -l -n -e -i eth0 ip6 >"$LAB_DIR/start.pcap.txt" 2>/dev/null &
DUMP=$!
LAB_PIDS+=("$DUMP")
sleep 1
write r1 150
write r2 100
lab_holdfastd "$R1" r1
R1PID=$LAB_PID
lab_holdfastd "$R2" r2
R2PID=$LAB_PID
lab_wait "r1 to hold $VIP on $VMAC" 10 on_dev "$R1" "$VMAC" "$VIP"
lab_wait "r2 to be backup" 5 state_is r2 BACKUP
check_vmac_link "$R1" "master r1"
check_vmac_link "$R2" "backup r2"
on_dev "$R1" eth0 "$VIP" && lab_fail "r1 holds $VIP on eth0 too"
on_dev "$R2" "$VMAC" "$VIP" && lab_fail "backup r2's $VMAC holds $VIP"
[ "$(lab_vrrp r1 V6 vmac.name vmac.mac vmac.adverts_from)" = "$VMAC $VRRP_MAC $VMAC" ] ||
  lab_fail "holdfastctl vrrp: $(lab_vrrp r1 V6 vmac)"
echo "ok: master's $VMAC ($VRRP_MAC, private, up, addrgenmode none, eth0's link-local) holds $VIP; backup's is up without it; sysctls and nft as keepalived's"

wait "$DUMP" 2>/dev/null
grep -q "multicast listener report v2" "$LAB_DIR/start.pcap.txt" ||
  lab_fail "the client saw no MLDv2 report at start (the check below proves nothing): $(head -5 "$LAB_DIR/start.pcap.txt")"
bad=$(grep -E "^[^ ]+ $VRRP_MAC > .*(multicast listener report|router solicitation)" "$LAB_DIR/start.pcap.txt")
[ -z "$bad" ] || lab_fail "MLD reports or router solicitations left with the VRRP MAC: $bad"
echo "ok: no MLD report or router solicitation with $VRRP_MAC at start ($(grep -c 'multicast listener report v2' "$LAB_DIR/start.pcap.txt") MLDv2 reports, all from the base MACs)"

# Adverts: from the VRRP MAC and eth0's link-local.
adverts=$(ip netns exec "$C" timeout 1.5 tcpdump -l -n -e -i eth0 'ip6 proto 112' 2>/dev/null |
  awk 'NF > 1 {for (i = 1; i < NF; i++) if ($i == ">" && $(i-1) ~ /^fe80/) print $2, $(i-1)}' | sort -u | xargs)
[ "$adverts" = "$VRRP_MAC $(eth0_ll "$R1")" ] || lab_fail "adverts came from [$adverts], not from $VRRP_MAC $(eth0_ll "$R1")"
prime
lab_wait "the client to reach $VIP" 5 reaches
[ "$(client_mac)" = "$VRRP_MAC" ] || lab_fail "the client's neighbour entry for $VIP is $(client_mac)"
echo "ok: adverts from $VRRP_MAC and r1's eth0 link-local; the client reaches $VIP at $VRRP_MAC"

# Failover by stop: r2's VMAC takes the VIP; the client's entry is unchanged.
lab_stop "$R1PID"
lab_wait "r2 to take $VIP on $VMAC" 5 on_dev "$R2" "$VMAC" "$VIP"
no_link "$R1" "$VMAC" || lab_fail "r1's $VMAC is left after a clean stop"
ip netns exec "$R1" nft list table ip6 holdfast_vmac >/dev/null 2>&1 && lab_fail "r1's ip6 holdfast_vmac table is left after a clean stop"
[ "$(client_mac)" = "$VRRP_MAC" ] || lab_fail "after failover the client's entry for $VIP is $(client_mac)"
lab_wait "the client to reach $VIP on r2" 5 reaches
[ "$(client_mac)" = "$VRRP_MAC" ] || lab_fail "after failover the client's entry for $VIP is $(client_mac)"
echo "ok: failover by stop: $VMAC and its table gone on r1, r2 holds $VIP, the client still reaches it at $VRRP_MAC"

lab_stop "$R2PID"
no_link "$R2" "$VMAC" || lab_fail "r2's $VMAC is left after a clean stop"
[ "$(sysctl_of "$R2" ipv4/conf/eth0/arp_ignore)" = 0 ] || lab_fail "r2's eth0 arp_ignore changed"
echo "PASS vmac6"
