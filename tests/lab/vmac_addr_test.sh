#!/usr/bin/env bash
# use_vmac_addr between holdfastd and keepalived 2.2.7, given the same config text: an
# instance on eth0 (VMAC vrrp.54) with a VIP on a second LAN (eth1) and an IPv6 eVIP.
# Each router makes va.54@eth1 (00:00:5e:00:01:36) for the eth1 VIP and va6.54@eth0
# (00:00:5e:00:02:36) for the eVIP (vmac_addr_prefix va); the master holds the
# addresses on them, the backup's are up and empty. holdfastd master -> stopped ->
# keepalived takes over -> holdfastd back, preempting: the clients on both LANs reach
# the addresses throughout, and their neighbour entries stay the VRRP MACs (no ARP
# or ND change needed). Neither daemon leaves a VMAC behind.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"
command -v keepalived >/dev/null || { echo "SKIPPED: keepalived is not installed" >&2; exit 77; }

lab_init vmac_addr 180
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2" C="$LAB-c" C2="$LAB-c2"
# The second LAN: br1 in the switch, eth1 in each router, a client of its own.
ip -n "$LAB-sw" link add br1 type bridge
ip -n "$LAB-sw" link set br1 type bridge forward_delay 0 stp_state 0
ip -n "$LAB-sw" link set br1 up
lab_netns_add "$C2"
n=0
for spec in "$R1 eth1 198.51.100.11" "$R2 eth1 198.51.100.12" "$C2 eth0 198.51.100.250"; do
  read -r ns dev addr <<<"$spec"
  n=$((n + 1))
  ip -n "$LAB-sw" link add "q$n" type veth peer name "$dev" netns "$ns" || lab_fail "veth for $ns"
  ip -n "$LAB-sw" link set "q$n" master br1 up
  ip -n "$ns" addr add "$addr/24" dev "$dev"
  ip -n "$ns" link set "$dev" up
done

VIP1=198.51.100.5 EVIP=2001:db8::100
MAC4=00:00:5e:00:01:36 MAC6=00:00:5e:00:02:36
config() { # NAME PRIORITY
  cat >"$LAB_DIR/$1.conf" <<CONF
global_defs {
    vmac_addr_prefix va
}
vrrp_instance VI_A {
    state BACKUP
    interface eth0
    virtual_router_id 54
    priority $2
    advert_int 0.5
    version 3
    use_vmac
    use_vmac_addr
    virtual_ipaddress {
        192.0.2.100/24
        $VIP1/24 dev eth1
    }
    virtual_ipaddress_excluded {
        $EVIP/64
    }
}
CONF
}
start_holdfast() { # NS NAME
  lab_spawn "$1" "$LAB_DIR/$2.log" "$HOLDFASTD" -l --no-syslog --log-level debug -f "$LAB_DIR/$2.conf" \
    --pid-file "$LAB_DIR/$2.pid" --control-socket "$LAB_DIR/$2.sock"
}
start_keepalived() { # NS NAME
  lab_spawn "$1" "$LAB_DIR/$2.log" keepalived -n -l -D -G -P -f "$LAB_DIR/$2.conf" \
    -p "$LAB_DIR/$2.pid" -r "$LAB_DIR/$2-vrrp.pid"
}
on() { # NS ADDRESS LINK
  local addrs
  addrs=$(ip -n "$1" -o addr show dev "$3" 2>/dev/null) || return 1
  grep -qF " $2/" <<<"$addrs"
}
holds_all() { on "$1" 192.0.2.100 vrrp.54 && on "$1" "$VIP1" va.54 && on "$1" "$EVIP" va6.54; }
holds_none() {
  local addrs
  addrs=$(ip -n "$1" -o addr show 2>/dev/null) || return 1
  ! grep -qE " ($VIP1|$EVIP|192\.0\.2\.100)/" <<<"$addrs"
}
no_vmacs() { ! ip -n "$1" -o link show 2>/dev/null | grep -qE " (vrrp|va|va6)\.54@"; }
link_mac() { ip -n "$1" -o link show dev "$2" 2>/dev/null | sed -nE 's/.*link\/ether ([0-9a-f:]+).*/\1/p'; }
neigh_mac() { ip -n "$1" neigh show "$2" dev eth0 | sed -nE 's/.*lladdr ([0-9a-f:]+).*/\1/p'; }
reaches() { ip netns exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }
# The routers learn the clients' MACs first (see vmac_interop_test.sh: a master that
# must resolve a client asks from the base link with the VIP as sender).
prime() {
  local a
  for a in 198.51.100.11 198.51.100.12; do ip netns exec "$C2" ping -c1 -W1 "$a" >/dev/null 2>&1; done
  for a in 2001:db8::11 2001:db8::12; do ip netns exec "$C" ping -c1 -W1 "$a" >/dev/null 2>&1; done
}
clients_ok() { # TAG
  lab_wait "$1: the eth1 client to reach $VIP1" 5 reaches "$C2" "$VIP1"
  lab_wait "$1: the eth0 client to reach $EVIP" 5 reaches "$C" "$EVIP"
  [ "$(neigh_mac "$C2" "$VIP1")" = "$MAC4" ] || lab_fail "$1: the eth1 client's entry for $VIP1 is $(neigh_mac "$C2" "$VIP1")"
  [ "$(neigh_mac "$C" "$EVIP")" = "$MAC6" ] || lab_fail "$1: the eth0 client's entry for $EVIP is $(neigh_mac "$C" "$EVIP")"
}

config hf 150
config ka 100
start_holdfast "$R1" hf
HF=$LAB_PID
start_keepalived "$R2" ka
KA=$LAB_PID
lab_wait "holdfastd to hold every address on its VMACs" 15 holds_all "$R1"
lab_wait "keepalived's va.54 and va6.54 to exist" 5 bash -c "ip -n $R2 link show dev va.54 && ip -n $R2 link show dev va6.54" >/dev/null
sleep 1
holds_none "$R2" || lab_fail "keepalived holds an address while holdfastd is master"
for ns in "$R1" "$R2"; do
  [ "$(link_mac "$ns" va.54)" = "$MAC4" ] || lab_fail "$ns: va.54's MAC is $(link_mac "$ns" va.54)"
  [ "$(link_mac "$ns" va6.54)" = "$MAC6" ] || lab_fail "$ns: va6.54's MAC is $(link_mac "$ns" va6.54)"
  ip -n "$ns" -d -o link show dev va.54 | grep -qE "va\.54@eth1.*macvlan mode private" ||
    lab_fail "$ns: va.54 is not a private macvlan on eth1"
done
lab_ctl hf vrrp VI_A | grep -qF "address VMACs:    va.54 00:00:5e:00:01:36 on eth1 va6.54 00:00:5e:00:02:36 on eth0" ||
  lab_fail "holdfastctl vrrp VI_A does not list the address VMACs: $(lab_ctl hf vrrp VI_A)"
prime
clients_ok "holdfastd master"
echo "ok: holdfastd master: $VIP1 on va.54@eth1 ($MAC4), $EVIP on va6.54@eth0 ($MAC6); keepalived's VMACs up and empty"

lab_stop "$HF"
lab_wait "keepalived to take over on its VMACs" 10 holds_all "$R2"
no_vmacs "$R1" || lab_fail "holdfastd left VMACs at stop: $(ip -n "$R1" -o link show)"
clients_ok "keepalived after failover"
echo "ok: holdfastd stopped: keepalived took every address over; the clients' entries stayed the VRRP MACs"

cp "$LAB_DIR/hf.conf" "$LAB_DIR/hf-again.conf"
start_holdfast "$R1" hf-again
HF=$LAB_PID
lab_wait "holdfastd to preempt back" 15 holds_all "$R1"
lab_wait "keepalived to release" 5 holds_none "$R2"
clients_ok "holdfastd after preempting back"
echo "ok: holdfastd back: preempted, keepalived released"

lab_stop "$HF"
lab_stop "$KA"
lab_wait "every VMAC gone after stop" 5 bash -c "! ip -n $R1 -o link show | grep -qE ' (vrrp|va|va6)\.54@' && ! ip -n $R2 -o link show | grep -qE ' (vrrp|va|va6)\.54@'"
bad=$(grep -E "discarded (advert|VRRP packet)|ERROR: |AddressSanitizer|runtime error" "$LAB_DIR"/hf*.log | head -3)
[ -z "$bad" ] || lab_fail "holdfastd: $bad"
bad=$(grep -iE "invalid|bad |mismatch|wrong|error|Unknown|ignoring" "$LAB_DIR"/ka.log | grep -v "Netlink" | head -3)
[ -z "$bad" ] || lab_fail "keepalived complained: $bad"
echo "PASS vmac_addr"
