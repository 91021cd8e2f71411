#!/usr/bin/env bash
# CPU starvation: with every core saturated by ordinary-priority busy processes
# (two per core, started inside the lab), a pair at advert_int 0.1 has no spurious
# transition for STARVE_SECONDS (default 60): the VRRP thread runs SCHED_FIFO
# (vrrp_rt_priority, on by default) and its memory is locked. Prints the master's
# largest advert gap while starved.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd [PATH/TO/holdfastctl]}
SECONDS_STARVED=${STARVE_SECONDS:-60}
source "$(dirname "$0")/lib.sh"
HERE="$(dirname "$0")"

lab_init cpu_starvation $((60 + SECONDS_STARVED))
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2"
for n in a:150 b:100; do
  cat >"$LAB_DIR/${n%%:*}.conf" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    version 3
    priority ${n##*:}
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF
done
lab_spawn "$R1" "$LAB_DIR/a.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/a.conf" --pid-file "$LAB_DIR/a.pid" \
  --control-socket "$LAB_DIR/a.sock"
lab_wait "r1 master" 15 lab_has_vip "$R1" 192.0.2.100
lab_spawn "$R2" "$LAB_DIR/b.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/b.conf" --pid-file "$LAB_DIR/b.pid" \
  --control-socket "$LAB_DIR/b.sock"
lab_wait "r2 backup" 10 grep -qF "VI_1: INIT -> BACKUP" "$LAB_DIR/b.log"
sleep 1
grep -qF "VRRP thread runs SCHED_FIFO priority 10" "$LAB_DIR/a.log" ||
  echo "NOTE: the VRRP thread is not real-time here: $(grep -F 'VRRP thread' "$LAB_DIR/a.log")" >&2
transitions() { grep -cE "VI_1: [A-Z]+ -> [A-Z]+" "$1"; }
ta=$(transitions "$LAB_DIR/a.log")
tb=$(transitions "$LAB_DIR/b.log")
lab_spawn "$R1" "$LAB_DIR/capture.log" tcpdump -i eth0 -Q out -U -n -w "$LAB_DIR/r1.pcap" 'ip proto 112'
sleep 0.5

cores=$(nproc)
hogs=()
for ((i = 0; i < 2 * cores; i++)); do
  # Bounded: each hog ends by itself after the starvation period.
  lab_spawn "$LAB-c" "$LAB_DIR/hog$i.log" timeout "$((SECONDS_STARVED + 5))" sh -c 'while :; do :; done'
  hogs+=("$LAB_PID")
done
echo "starving $cores cores with ${#hogs[@]} busy processes for ${SECONDS_STARVED}s"
sleep "$SECONDS_STARVED"
for p in "${hogs[@]}"; do lab_stop "$p"; done
sleep 0.5
[ "$(transitions "$LAB_DIR/a.log")" = "$ta" ] || lab_fail "r1 changed state while starved: $(grep -E 'VI_1: [A-Z]+ -> ' "$LAB_DIR/a.log" | tail -2)"
[ "$(transitions "$LAB_DIR/b.log")" = "$tb" ] || lab_fail "r2 changed state while starved: $(grep -E 'VI_1: [A-Z]+ -> ' "$LAB_DIR/b.log" | tail -2)"
lab_has_vip "$R1" 192.0.2.100 || lab_fail "r1 lost the VIP"
gap=$(python3 "$HERE/../bench/failover_gap.py" --max-gap "$LAB_DIR/r1.pcap" 192.0.2.11 51 || echo "?")
echo "ok: ${SECONDS_STARVED}s with every core busy: no transition on either node; r1's largest advert gap: $gap (interval 100 ms, Master_Down_Interval 360 ms)"
echo "PASS cpu_starvation"
