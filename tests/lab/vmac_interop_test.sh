#!/usr/bin/env bash
# use_vmac between holdfastd and keepalived 2.2.7, given the same config text:
# holdfastd master with keepalived backup, and the reverse. The higher priority holds
# the VIP on its VMAC (vrrp.61, 00:00:5e:00:01:3d), the other's VMAC is up and empty;
# failover both ways (the master stopped, then started again: it preempts back); the
# client reaches the VIP at the VRRP MAC throughout; neither daemon complains about
# the other's packets; each leaves no VMAC at stop. Then the same for an IPv6 instance
# (VIP 2001:db8::100 on vrrp.61 with 00:00:5e:00:02:3d, adverts from the VMAC's
# link-local, the client's neighbour entry the VRRP MAC).
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"
command -v keepalived >/dev/null || { echo "SKIPPED: keepalived is not installed" >&2; exit 77; }

lab_init vmac_interop 240
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2" C="$LAB-c"
VMAC=vrrp.61
set_family() { # 4 or 6
  if [ "$1" = 4 ]; then
    VIP=192.0.2.100 PLEN=24 VRRP_MAC=00:00:5e:00:01:3d FAM=ipv4
  else
    VIP=2001:db8::100 PLEN=64 VRRP_MAC=00:00:5e:00:02:3d FAM=ipv6
  fi
}

config() { # NAME PRIORITY
  cat >"$LAB_DIR/$1.conf" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 61
    priority $2
    advert_int 0.5
    use_vmac
    virtual_ipaddress {
        $VIP/$PLEN
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
on_vmac() {
  local addrs
  addrs=$(ip -n "$1" -o addr show dev "$VMAC" 2>/dev/null) || return 1
  grep -qF " $VIP/" <<<"$addrs"
}
off_vmac() {
  local addrs
  addrs=$(ip -n "$1" -o addr show 2>/dev/null) || return 1
  ! grep -qF " $VIP/" <<<"$addrs"
}
no_link() { ! ip -n "$1" link show dev "$VMAC" >/dev/null 2>&1; }
client_mac() { ip -n "$C" neigh show "$VIP" dev eth0 | sed -nE 's/.*lladdr ([0-9a-f:]+).*/\1/p'; }
reaches() { ip netns exec "$C" ping -c1 -W1 "$VIP" >/dev/null 2>&1; }
# The routers learn the client's MAC first: a master that must ARP for the client asks
# from eth0 with the VIP as sender address, which rewrites the client's entry for the
# VIP (the kernel's doing, under either daemon: keepalived-corpus/VMAC-NOTES.md).
prime() {
  local a
  for a in 192.0.2.11 192.0.2.12 2001:db8::11 2001:db8::12; do ip netns exec "$C" ping -c1 -W1 "$a" >/dev/null 2>&1; done
}
client_ok() { # TAG
  lab_wait "$1: the client to reach $VIP" 5 reaches
  [ "$(client_mac)" = "$VRRP_MAC" ] || lab_fail "$1: the client's entry for $VIP is $(client_mac)"
}
check_logs() { # TAG HOLDFAST_LOG KEEPALIVED_LOG
  local bad
  bad=$(grep -E "discarded (advert|VRRP packet)" "$2" | head -3)
  [ -z "$bad" ] || lab_fail "$1: holdfastd discarded keepalived's adverts: $bad"
  bad=$(grep -iE "invalid|bad |mismatch|wrong|error|Unknown|ignoring" "$3" | grep -v "Netlink" | head -3)
  [ -z "$bad" ] || lab_fail "$1: keepalived complained about holdfastd: $bad"
}

for fam in 4 6; do
set_family "$fam"
for holdfast_is in master backup; do
  tag="$FAM-holdfast-$holdfast_is"
  if [ "$holdfast_is" = master ]; then hp=150 kp=100; else hp=100 kp=150; fi
  config "hf-$tag" "$hp"
  config "ka-$tag" "$kp"
  start_holdfast "$R1" "hf-$tag"
  HF=$LAB_PID
  start_keepalived "$R2" "ka-$tag"
  KA=$LAB_PID
  if [ "$holdfast_is" = master ]; then win=$R1 lose=$R2; else win=$R2 lose=$R1; fi
  lab_wait "$tag: the higher priority to hold $VIP on $VMAC" 15 on_vmac "$win"
  lab_wait "$tag: the other's $VMAC to exist" 5 ip -n "$lose" link show dev "$VMAC"
  sleep 1
  off_vmac "$lose" || lab_fail "$tag: both routers hold $VIP"
  prime
  client_ok "$tag"

  if [ "$holdfast_is" = master ]; then
    lab_stop "$HF"
    lab_wait "$tag: keepalived to take over on its $VMAC" 10 on_vmac "$R2"
    no_link "$R1" || lab_fail "$tag: holdfastd left $VMAC at stop"
    client_ok "$tag, keepalived after failover"
    cp "$LAB_DIR/hf-$tag.conf" "$LAB_DIR/hf-$tag-again.conf"
    start_holdfast "$R1" "hf-$tag-again"
    HF=$LAB_PID
    lab_wait "$tag: holdfastd to preempt back" 15 on_vmac "$R1"
    lab_wait "$tag: keepalived to release" 5 off_vmac "$R2"
  else
    lab_stop "$KA"
    lab_wait "$tag: holdfastd to take over on its $VMAC" 10 on_vmac "$R1"
    lab_wait "$tag: keepalived to remove its $VMAC" 5 no_link "$R2"
    client_ok "$tag, holdfastd after failover"
    cp "$LAB_DIR/ka-$tag.conf" "$LAB_DIR/ka-$tag-again.conf"
    start_keepalived "$R2" "ka-$tag-again"
    KA=$LAB_PID
    lab_wait "$tag: keepalived to preempt back" 15 on_vmac "$R2"
    lab_wait "$tag: holdfastd to release" 5 off_vmac "$R1"
  fi
  client_ok "$tag, after preempting back"
  lab_stop "$HF"
  lab_stop "$KA"
  lab_wait "$tag: both VMACs gone after stop" 5 bash -c "! ip -n $R1 link show dev $VMAC 2>/dev/null && ! ip -n $R2 link show dev $VMAC 2>/dev/null"
  for f in "$LAB_DIR"/hf-"$tag"*.log; do
    for k in "$LAB_DIR"/ka-"$tag"*.log; do check_logs "$tag" "$f" "$k"; done
  done
  echo "ok: $tag"
done
done
echo "PASS vmac_interop"
