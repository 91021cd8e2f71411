#!/usr/bin/env bash
# Chaos soak: three holdfastd routers on one VRID (priorities 150/120/100, VRRPv3,
# advert_int 0.1), each tracking its own nginx (weight -60), and a client probing
# the VIP. A seeded random schedule of faults: SIGKILL, SIGTERM, restart, link
# down/up, nginx stop/start, SIGHUP with the same config, SIGHUP with a broken
# one, SIGSTOP for longer than Master_Down_Interval then SIGCONT. After each,
# the invariants (polled from the fault's end; they must hold from some point
# until at least 2 x Master_Down_Interval after the fault, within CHAOS_CONVERGE_S):
#   - exactly one running router holds the VIP: the one that should, by priority
#     and score (ties: the higher address);
#   - the client reaches the VIP and ARP is answered by that router's MAC;
#   - no VIP on a running router that is not master (a SIGKILLed router's stale
#     VIP is removed when it restarts);
#   - no daemon died but those the schedule killed; no sanitizer report.
# CHAOS_FAULTS (default 40), CHAOS_SEED (default random, printed for replay),
# CHAOS_CONTINUE=1 counts violations instead of failing (benchmark mode).
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd [PATH/TO/holdfastctl]}
FAULTS=${CHAOS_FAULTS:-40}
SEED=${CHAOS_SEED:-$((RANDOM * 32768 + RANDOM))}
CONVERGE_S=${CHAOS_CONVERGE_S:-8}
source "$(dirname "$0")/lib.sh"

lab_init chaos_soak $((120 + FAULTS * 6))
lab_switch
lab_client
VIP=192.0.2.100
MDI_MS=360  # Master_Down_Interval at advert_int 0.1: 3 x 100 ms + Skew_Time (<= 60 ms)
declare -A PRIO=([1]=150 [2]=120 [3]=100)
declare -A DPID=() NPID=() LINK=() MAC=()
for n in 1 2 3; do
  lab_router "$n"
  MAC[$n]=$(lab_mac "$LAB-r$n")
  LINK[$n]=up
  cat >"$LAB_DIR/r$n.conf" <<CONF
backend nginx_local {
    address 127.0.0.1
    check http { port 8080  path /health  interval 100ms  timeout 80ms  rise 2  fall 2 }
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    version 3
    priority ${PRIO[$n]}
    advert_int 0.1
    virtual_ipaddress {
        $VIP/24
    }
    track_backend {
        nginx_local weight -60
    }
}
CONF
  cp "$LAB_DIR/r$n.conf" "$LAB_DIR/r$n.good"
done
echo "seed $SEED (replay: CHAOS_SEED=$SEED CHAOS_FAULTS=$FAULTS)"
RANDOM=$SEED

start_daemon() {
  # Started means answering: its control socket is there (a killed one's is removed
  # first), as systemd waits for READY before it sends a reload.
  rm -f "$LAB_DIR/r$1.sock"
  lab_spawn "$LAB-r$1" "$LAB_DIR/r$1-$(date +%s%N).log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/r$1.conf" \
    --pid-file "$LAB_DIR/r$1.pid" --control-socket "$LAB_DIR/r$1.sock"
  DPID[$1]=$LAB_PID
  lab_wait "r$1's holdfastd to open its control socket" 20 test -S "$LAB_DIR/r$1.sock"
}
start_nginx() {
  lab_nginx "$LAB-r$1" "n$1"
  NPID[$1]=$LAB_NGINX_PID
}
alive() { [ -n "${DPID[$1]:-}" ] && kill -0 "${DPID[$1]}" 2>/dev/null && ! grep -q ") Z " "/proc/${DPID[$1]}/stat" 2>/dev/null; }

# Who must hold the VIP: the highest priority among routers whose daemon runs and
# whose link is up; ties go to the higher address (r3 > r2 > r1).
expected_master() {
  local best="" bestp=-1 n p
  for n in 1 2 3; do
    [ -n "${DPID[$n]:-}" ] && [ "${LINK[$n]}" = up ] || continue
    p=${PRIO[$n]}
    [ -n "${NPID[$n]:-}" ] || p=$((p - 60))
    if [ "$p" -ge "$bestp" ]; then best=$n bestp=$p; fi
  done
  echo "$best"
}

# Prints nothing when the invariants hold, else what is wrong.
violations() {
  local want n holders="" out=""
  want=$(expected_master)
  for n in 1 2 3; do
    if [ -n "${DPID[$n]:-}" ] && ! alive "$n"; then out+="r$n's holdfastd died; "; fi
    # A SIGKILLed router keeps its stale VIP until it restarts: not a holder.
    [ -n "${DPID[$n]:-}" ] || continue
    lab_has_vip "$LAB-r$n" "$VIP" && holders+="$n "
  done
  holders=${holders% }
  if [ -z "$want" ]; then
    [ -z "$holders" ] || out+="VIP held by r$holders with no router eligible; "
  else
    [ "$holders" = "$want" ] || out+="VIP held by '${holders:+r$holders}', expected r$want; "
    local stale=0
    for n in 1 2 3; do [ -z "${DPID[$n]:-}" ] && lab_has_vip "$LAB-r$n" "$VIP" && stale=1; done
    if [ "$stale" = 0 ] && [ "$holders" = "$want" ]; then
      local mac
      mac=$(lab_arp_mac "$LAB-c" "$VIP")
      [ "$mac" = "${MAC[$want]}" ] || out+="client: VIP at '$mac', expected r$want's ${MAC[$want]}; "
    fi
  fi
  printf '%s' "$out"
}

for n in 1 2 3; do start_nginx "$n"; done
start_daemon 1
lab_wait "r1 master" 15 lab_has_vip "$LAB-r1" "$VIP"
start_daemon 2
start_daemon 3
sleep 2
[ -z "$(violations)" ] || lab_fail "not converged at start: $(violations)"
echo "ok: three routers up, r1 master"

KINDS=(kill9 term restart link nginx_stop nginx_start hup_same hup_broken freeze)
declare -A DONE=() TIMES=()
violated=0
for ((f = 1; f <= FAULTS; f++)); do
  # Pick a fault that applies now (bounded: 50 tries, then a SIGHUP).
  for ((try = 0; try < 50; try++)); do
    kind=${KINDS[RANDOM % ${#KINDS[@]}]}
    n=$((RANDOM % 3 + 1))
    case $kind in
      kill9 | term | hup_same | hup_broken | freeze | link) [ -n "${DPID[$n]:-}" ] && break ;;
      restart) [ -z "${DPID[$n]:-}" ] && break ;;
      nginx_stop) [ -n "${NPID[$n]:-}" ] && break ;;
      nginx_start) [ -z "${NPID[$n]:-}" ] && break ;;
    esac
  done
  [ "$try" -lt 50 ] || { kind=restart; for n in 1 2 3; do [ -z "${DPID[$n]:-}" ] && break; done; }
  case $kind in
    kill9) kill -KILL "${DPID[$n]}"; wait "${DPID[$n]}" 2>/dev/null; DPID[$n]="" ;;
    term) lab_stop "${DPID[$n]}"; DPID[$n]="" ;;
    restart) start_daemon "$n" ;;
    link)
      ip -n "$LAB-r$n" link set eth0 down; LINK[$n]=down
      sleep 0.$((RANDOM % 5 + 3))
      ip -n "$LAB-r$n" link set eth0 up; LINK[$n]=up ;;
    nginx_stop) lab_stop "${NPID[$n]}"; NPID[$n]="" ;;
    nginx_start) start_nginx "$n" ;;
    hup_same) kill -HUP "${DPID[$n]}" ;;
    hup_broken)
      printf 'vrrp_instance VI_1 {\n  priority 300\n' >"$LAB_DIR/r$n.conf"
      kill -HUP "${DPID[$n]}"
      sleep 0.2
      cp "$LAB_DIR/r$n.good" "$LAB_DIR/r$n.conf" ;;
    freeze)
      kill -STOP "${DPID[$n]}"
      sleep 0.$((RANDOM % 4 + 5))  # 0.5-0.8 s > Master_Down_Interval
      kill -CONT "${DPID[$n]}" ;;
  esac
  # Converged: the invariants hold; then they must still hold once 2 x
  # Master_Down_Interval has passed since the fault (no late flap).
  t0=$(date +%s%N)
  settled=$((t0 + 2 * MDI_MS * 1000000))
  deadline=$((t0 + CONVERGE_S * 1000000000))
  took=""
  while :; do
    v=$(violations)
    now=$(date +%s%N)
    if [ -z "$v" ]; then
      [ -n "$took" ] || took=$(((now - t0) / 1000000))
      [ "$now" -ge "$settled" ] && break
    else
      took=""
    fi
    [ "$now" -ge "$deadline" ] && break
    sleep 0.05
  done
  [ -n "$took" ] || took=$((CONVERGE_S * 1000))
  DONE[$kind]=$((${DONE[$kind]:-0} + 1))
  TIMES[$kind]+="$took "
  if [ -n "$v" ]; then
    violated=$((violated + 1))
    echo "VIOLATION after fault $f ($kind r$n): $v" >&2
    [ "${CHAOS_CONTINUE:-0}" = 1 ] || lab_fail "invariants broken after fault $f ($kind r$n), seed $SEED: $v"
  fi
  [ $((f % 10)) -eq 0 ] && echo "... $f faults"
done

# Every daemon the schedule did not kill is still running; stop them cleanly.
for n in 1 2 3; do
  [ -n "${DPID[$n]:-}" ] || continue
  alive "$n" || lab_fail "r$n's holdfastd died"
done
removed=$(cat "$LAB_DIR"/r[123]-*.log | grep -c "left by an earlier run")
stale="stale VIPs of SIGKILLed runs removed at restart: $removed"
echo "summary (seed $SEED, $FAULTS faults; ms from the fault's end until the invariants hold for good):"
for k in "${KINDS[@]}"; do
  [ -n "${DONE[$k]:-}" ] || continue
  python3 -c '
import sys
k, xs = sys.argv[1], sorted(int(x) for x in sys.argv[2].split())
p = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]
print("  %-12s %4d   median %5d   p95 %5d   max %5d" % (k, len(xs), p(0.5), p(0.95), xs[-1]))' "$k" "${TIMES[$k]}"
done
echo "  invariant violations: $violated; $stale"
[ "$violated" = 0 ] || lab_fail "$violated invariant violation(s)"
echo "PASS chaos_soak"
