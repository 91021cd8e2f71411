#!/usr/bin/env bash
# holdfastd and keepalived (Debian's 2.2.7) as VRRP peers, given the same config
# text: for VRRPv2 with PASS auth, VRRPv3 over IPv4, VRRPv3 over IPv6 and unicast
# VRRPv2, each daemon as master and as backup. The higher priority wins, failover
# works both ways, and neither logs a complaint about the other's packets.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd}
source "$(dirname "$0")/lib.sh"
command -v keepalived >/dev/null || { echo "SKIPPED: keepalived is not installed" >&2; exit 77; }

lab_init keepalived_interop 240
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2"

# config NAME PRIORITY SCENARIO: writes $LAB_DIR/NAME.conf
config() {
  local name=$1 prio=$2 scenario=$3 peer=$4
  local version=2 interval=1 vip=192.0.2.100/24 auth="" unicast=""
  case "$scenario" in
    v2-pass) auth="authentication {
        auth_type PASS
        auth_pass s3cret
    }" ;;
    v3-ipv4) version=3 interval=0.2 vip=192.0.2.100/24 ;;
    v3-ipv6) version=3 interval=0.2 vip=2001:db8::100/64 ;;
    v2-unicast) unicast="unicast_peer {
        $peer
    }" ;;
  esac
  cat >"$LAB_DIR/$name.conf" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version $version
    virtual_router_id 61
    priority $prio
    advert_int $interval
    $auth
    $unicast
    virtual_ipaddress {
        $vip
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
stop_pid() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

vip_of() { case "$1" in v3-ipv6) echo 2001:db8::100 ;; *) echo 192.0.2.100 ;; esac; }

# Complaints each daemon makes about a peer's packets.
check_logs() { # SCENARIO HOLDFAST_LOG KEEPALIVED_LOG
  local bad
  bad=$(grep -E "discarded (advert|VRRP packet)" "$2" | head -3)
  [ -z "$bad" ] || lab_fail "$1: holdfastd discarded keepalived's adverts: $bad"
  bad=$(grep -iE "invalid|bad |mismatch|wrong|error|Unknown|ignoring" "$3" | grep -v "Netlink" | head -3)
  [ -z "$bad" ] || lab_fail "$1: keepalived complained about holdfastd: $bad"
}

for scenario in v2-pass v3-ipv4 v3-ipv6 v2-unicast; do
  VIP=$(vip_of "$scenario")
  for holdfast_is in master backup; do
    tag="$scenario-holdfast-$holdfast_is"
    if [ "$holdfast_is" = master ]; then hp=150 kp=100; else hp=100 kp=150; fi
    config "hf-$tag" "$hp" "$scenario" 192.0.2.12
    config "ka-$tag" "$kp" "$scenario" 192.0.2.11
    start_holdfast "$R1" "hf-$tag"
    HF=$LAB_PID
    start_keepalived "$R2" "ka-$tag"
    KA=$LAB_PID
    if [ "$holdfast_is" = master ]; then win=$R1 lose=$R2; else win=$R2 lose=$R1; fi
    lab_wait "$tag: the higher priority to hold $VIP" 15 lab_has_vip "$win" "$VIP"
    sleep 1
    lab_has_vip "$lose" "$VIP" && lab_fail "$tag: both routers hold $VIP"

    # Failover away from the winner, and back when it returns (preemption).
    if [ "$holdfast_is" = master ]; then
      stop_pid "$HF"
      lab_wait "$tag: keepalived to take over" 10 lab_has_vip "$R2" "$VIP"
      cp "$LAB_DIR/hf-$tag.conf" "$LAB_DIR/hf-$tag-again.conf"
      start_holdfast "$R1" "hf-$tag-again"
      HF=$LAB_PID
      lab_wait "$tag: holdfastd to preempt back" 15 lab_has_vip "$R1" "$VIP"
      lab_wait "$tag: keepalived to release" 5 bash -c "! ip -n $R2 -o addr show dev eth0 | grep -qF ' $VIP/'"
    else
      stop_pid "$KA"
      lab_wait "$tag: holdfastd to take over" 10 lab_has_vip "$R1" "$VIP"
      cp "$LAB_DIR/ka-$tag.conf" "$LAB_DIR/ka-$tag-again.conf"
      start_keepalived "$R2" "ka-$tag-again"
      KA=$LAB_PID
      lab_wait "$tag: keepalived to preempt back" 15 lab_has_vip "$R2" "$VIP"
      lab_wait "$tag: holdfastd to release" 5 bash -c "! ip -n $R1 -o addr show dev eth0 | grep -qF ' $VIP/'"
    fi
    stop_pid "$HF"
    stop_pid "$KA"
    for f in "$LAB_DIR"/hf-"$tag"*.log; do
      for k in "$LAB_DIR"/ka-"$tag"*.log; do check_logs "$tag" "$f" "$k"; done
    done
    lab_has_vip "$R1" "$VIP" && lab_fail "$tag: holdfastd left $VIP behind"
    echo "ok: $tag"
  done
done
echo "PASS keepalived_interop"
