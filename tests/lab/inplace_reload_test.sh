#!/usr/bin/env bash
# In-place reload (issue 11): a reload that changes a running instance applies the
# change in place. Against a master/backup pair serving real nginx behind four VIPs,
# with a client opening a fresh connection to every VIP every 5 ms, each of these
# reloads must leave no state transition on either node, no VIP removed that stays,
# not one failed request, and a summary that says "changed in place":
#   priority 150 -> 160 (the backup sees 160's effective priority on the wire);
#   a second VIP added on the master alone (the backup counts the VIP list mismatch
#   and still honours the adverts), then on the backup (the count stops), then
#   removed again (only it leaves);
#   notify_master changed (backup, then master by SIGHUP; the new one runs at the
#   final failover);
#   VRRPv3 advert_int 0.1 -> 0.2 on the master (the backup learns 200 ms);
#   preempt_delay, then nopreempt instead; a track_backend weight and a track_script weight
#   (the effective priority moves, the master stays master); garp_master_refresh
#   (GARPs start being refreshed); a unicast peer added and removed;
#   VRRPv2 advert_int 1 -> 2 and the PASS password, where RFC 3768 says both routers
#   MUST agree: the backup first, then the master within one Master_Down_Interval.
# Then a change that needs a restart (VI_2's virtual_router_id) restarts VI_2 only:
# the others keep their VIPs, their state and their clients.
#
# INPLACE_CONTINUE=1 runs every step even after one failed (the test still fails).
# Every step prints what it saw when it fails: the reload summary, the transitions
# (from holdfastctl and from the log, in ms after the reload), the VIP additions and
# deletions (ip monitor), and the client's failed requests.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"
CLIENT="$(cd "$(dirname "$0")" && pwd)/vip_client.py"

lab_init inplace_reload "$([ "${INPLACE_CONTINUE:-0}" = 1 ] && echo 400 || echo 240)"
chmod 755 "$LAB_DIR" # notify scripts run as the unprivileged script user
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2" C="$LAB-c"
declare -A NS=([a]="$R1" [b]="$R2") ROUTER=([a]=r1 [b]=r2)
INSTANCES=(VI_1 VI_2 VI_3 VI_4)
VIPS=(192.0.2.100 192.0.2.102 192.0.2.103 192.0.2.104) # one per instance; the client's targets

EVENTS="$LAB_DIR/notify-events"
: >"$EVENTS"
chmod 666 "$EVENTS"
cat >"$LAB_DIR/notify.sh" <<SH
#!/bin/sh
echo "\$* \$(date +%s%3N)" >>$EVENTS
SH
chmod 755 "$LAB_DIR/notify.sh"

# --- configuration: one template, each node's settings in an associative array --
# VI_1: VRRPv3 multicast, tracked (nginx up, spare down, a script up); VI_2: the one a
# restart is allowed to touch; VI_3: VRRPv2 with PASS authentication, advert_int 1
# (Master_Down_Interval ~3.6 s); VI_4: VRRPv3 unicast.
declare -A A=([node]=a [n]=1 [prio]=150 [vips1]="192.0.2.100/24" [notify]=a-old [advert1]=0.1
  [preempt_delay]="" [nopreempt]="" [spare_w]=-5 [script_w]=3 [garp]="" [vrid2]=52 [advert3]=1
  [pass3]=secret1 [peers4]="192.0.2.12")
declare -A B=([node]=b [n]=2 [prio]=100 [vips1]="192.0.2.100/24" [notify]=b-old [advert1]=0.1
  [preempt_delay]="" [nopreempt]="" [spare_w]=-5 [script_w]=3 [garp]="" [vrid2]=52 [advert3]=1
  [pass3]=secret1 [peers4]="192.0.2.11")
write_conf() { # A|B: writes $LAB_DIR/NODE.conf and has holdfastd -t accept it cleanly
  local -n c=$1
  local p=150 v vips="" peers="" # VI_2..VI_4's priority: r1 150, r2 100, never changed
  [ "${c[node]}" = a ] || p=100
  for v in ${c[vips1]}; do vips+="        $v"$'\n'; done
  for v in ${c[peers4]}; do peers+="        $v"$'\n'; done
  local conf="$LAB_DIR/${c[node]}.conf"
  cat >"$conf" <<CONF
vrrp_script chk_up {
    script "/bin/true"
    interval 0.5
    weight 3
    rise 1
    fall 1
}
backend nginx_local {
    address 127.0.0.1
    check http { port 80  path /health  interval 200ms  timeout 150ms  rise 2  fall 2 }
}
backend spare {
    address 127.0.0.1
    check tcp { port 81  interval 500ms  timeout 200ms  rise 2  fall 2 }
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    version 3
    priority ${c[prio]}
    advert_int ${c[advert1]}
    virtual_ipaddress {
$vips    }
    ${c[preempt_delay]}
    ${c[nopreempt]}
    ${c[garp]}
    notify_master "$LAB_DIR/notify.sh ${c[notify]}"
    track_backend {
        nginx_local weight -60
        spare weight ${c[spare_w]}
    }
    track_script {
        chk_up weight ${c[script_w]}
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id ${c[vrid2]}
    version 3
    priority $p
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.102/24
    }
}
vrrp_instance VI_3 {
    state BACKUP
    interface eth0
    virtual_router_id 53
    version 2
    priority $p
    advert_int ${c[advert3]}
    authentication {
        auth_type PASS
        auth_pass ${c[pass3]}
    }
    virtual_ipaddress {
        192.0.2.103/24
    }
}
vrrp_instance VI_4 {
    state BACKUP
    interface eth0
    virtual_router_id 54
    version 3
    priority $p
    advert_int 0.1
    unicast_src_ip 192.0.2.1${c[n]}
    unicast_peer {
$peers    }
    virtual_ipaddress {
        192.0.2.104/24
    }
}
CONF
  local out
  out=$(ip netns exec "${NS[${c[node]}]}" "$HOLDFASTD" -t -f "$conf" 2>&1) ||
    lab_fail "holdfastd -t does not accept ${c[node]}.conf cleanly (a reload would be refused): $out"
}

# --- what the steps observe -----------------------------------------------------
field() { lab_vrrp "$@"; }                            # NODE INSTANCE PATH...
is() { [ "$(lab_vrrp "$1" "$2" "$3" 2>/dev/null)" = "$4" ]; } # NODE INSTANCE PATH VALUE
has() { [[ " $(lab_vrrp "$1" "$2" "$3" 2>/dev/null) " == *"$4"* ]]; } # ... SUBSTRING
ms() { echo "+$(($1 - RELOAD_T))ms"; }               # EPOCH_MS, relative to the step's first reload

# snap NODE: per instance "NAME STATE TRANSITIONS LAST_TRANSITION" from vrrp --json.
snap() {
  local out
  out=$(lab_ctl "$1" vrrp --json) || lab_fail "holdfastctl vrrp on $1: $out"
  "$LAB_PYTHON" -c 'import json, sys
for i in json.load(sys.stdin)["instances"]:
    print(i["name"], i["state"], i["counters"]["transitions"], json.dumps(i["last_transition"], sort_keys=True))' <<<"$out" ||
    lab_fail "holdfastctl vrrp --json on $1: $out"
}

# soon DESC SECONDS CMD...: polls CMD every 0.1 s; if it never holds, the step has a problem.
# (Bounded in time, not in tries: each try asks holdfastd and may take a while.)
soon() {
  local desc=$1 secs=$2 end i
  shift 2
  end=$(($(lab_now_ms) + secs * 1000))
  for ((i = 0; i < secs * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    [ "$(lab_now_ms)" -lt "$end" ] || break
    sleep 0.1
  done
  PROBLEMS+=("$desc: not within $secs s")
  return 1
}

client_start() { # TARGET...: the client against these VIPs (port 80), until client_stop
  local t args=()
  for t in "$@"; do args+=(--target "$t:80"); done
  CLIENT_OUT="$LAB_DIR/client-$STEP_N.log"
  CLIENT_STOP="$LAB_DIR/client-$STEP_N.stop"
  lab_spawn "$C" "$CLIENT_OUT" "$LAB_PYTHON" "$CLIENT" "${args[@]}" --interval 0.005 --timeout 0.3 \
    --duration 60 --stop-file "$CLIENT_STOP"
  CLIENT_PID=$LAB_PID
  lab_wait "the client to reach $* (step: $STEP)" 5 grep -qx ready "$CLIENT_OUT"
  sleep 0.3 # a steady rhythm before the reload
}
client_stop() { # sets CLIENT_JSON
  touch "$CLIENT_STOP"
  local i
  for ((i = 0; i < 30; i++)); do
    grep -q '^{' "$CLIENT_OUT" && break
    sleep 0.1
  done
  lab_stop "$CLIENT_PID"
  CLIENT_JSON=$(grep '^{' "$CLIENT_OUT" | tail -n 1)
  [ -n "$CLIENT_JSON" ] || lab_fail "the client gave no report: $(tail -n 5 "$CLIENT_OUT")"
}

# step_begin NAME [TARGET...]: snapshot both nodes, mark the logs, start the client
# (on every VIP unless TARGETs are given).
STEP_N=0
FAILED_STEPS=()
step_begin() {
  STEP=$1
  shift
  STEP_N=$((STEP_N + 1))
  PROBLEMS=()
  STEP_RESTARTS="" # the instance this step may restart
  STEP_LEAVES=""   # a VIP this step removes
  RELOAD_T=""
  local n
  for n in a b; do
    SNAP[$n]=$(snap "$n")
    MARK[$n]=$(wc -l <"$LAB_DIR/$n.log")
    MONMARK[$n]=$(wc -l <"$LAB_DIR/mon-$n.log")
  done
  echo "--- step $STEP_N: $STEP"
  if [ $# -gt 0 ]; then client_start "$@"; else client_start "${VIPS[@]}"; fi
}
declare -A SNAP MARK MONMARK SUMMARY PID

# reload NODE [hup]: holdfastctl reload --json (or SIGHUP and the log line); the
# summary goes to SUMMARY[NODE]. A refused reload is a broken test config: fail.
reload() {
  local node=$1 how=${2:-ctl} out rc
  [ -n "$RELOAD_T" ] || RELOAD_T=$(lab_now_ms)
  LAST_RELOAD_T=$(lab_now_ms)
  if [ "$how" = hup ]; then
    local log="$LAB_DIR/$node.log" n
    n=$(wc -l <"$log")
    kill -HUP "${PID[$node]}"
    lab_wait "$node's reload in its log" 10 \
      bash -c "tail -n +$((n + 1)) '$log' | grep -qE 'reload (applied|refused): '"
    out=$(tail -n +$((n + 1)) "$log" | grep -m1 -oE 'reload (applied|refused): .*')
    [[ "$out" == "reload applied: "* ]] || lab_fail "$node refused the reload: $out"
  else
    out=$(lab_ctl "$node" reload --json)
    rc=$?
    [ "$rc" = 0 ] || lab_fail "$node refused the reload (holdfastctl exit $rc): $out"
    out=$(lab_json summary <<<"$out") || lab_fail "no summary in $node's reload answer"
  fi
  SUMMARY[$node]=$out
  echo "  $node ($how): $out"
}

# expect_in_place NODE INSTANCE REGEX: NODE's last summary lists INSTANCE as changed
# in place, with a change matching REGEX, and not as restarted.
expect_in_place() {
  local s=${SUMMARY[$1]} inplace restarted
  inplace=$(sed -nE 's/.*; changed in place (.*); added .*/\1/p' <<<"$s")
  restarted=$(sed -nE 's/.*; restarted (.*); backends.*/\1/p' <<<"$s")
  local mine
  mine=$(grep -oE "(^|, )$2 \([^)]*\)" <<<"$inplace")
  if [ -z "$mine" ]; then
    PROBLEMS+=("$1's reload summary does not list $2 as changed in place: $s")
  elif ! grep -qE -- "$3" <<<"$mine"; then
    PROBLEMS+=("$1's reload summary lists$mine; expected a change matching /$3/")
  fi
  grep -qE "(^| )$2( |,|$)" <<<"$restarted" && PROBLEMS+=("$1 restarted $2: $s")
}

# step_end SETTLE_S: waits until SETTLE_S after the step's last reload (the step's own
# checks count), stops the client, and fails the step (printing all it saw) on any problem: a transition on either node (holdfastctl's counters and
# last transition; the log's lines), a VIP deleted on r1 or added on r2 (ip monitor),
# a failed request, or what the step itself recorded.
step_end() {
  local left
  left=$((LAST_RELOAD_T + $(awk -v s="$1" 'BEGIN { print int(s * 1000) }') - $(lab_now_ms)))
  [ "$left" -gt 0 ] && sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
  client_stop
  local n i old new line evidence=()
  for n in a b; do
    local now
    now=$(snap "$n")
    for i in "${INSTANCES[@]}"; do
      [ "$i" = "$STEP_RESTARTS" ] && continue
      old=$(grep "^$i " <<<"${SNAP[$n]}")
      new=$(grep "^$i " <<<"$now")
      [ "$old" = "$new" ] || PROBLEMS+=("${ROUTER[$n]}'s $i changed state: before [$old], now [$new]")
    done
    while IFS= read -r line; do
      [ -n "$line" ] || continue
      evidence+=("$n.log $(ms "$(lab_line_ms "$line")"): ${line#* * }")
    done < <(tail -n +$((MARK[$n] + 1)) "$LAB_DIR/$n.log" |
      grep -E "VI_[0-9]: ([A-Z]+ -> [A-Z]+|configuration changed|VIPs (added|removed))" |
      grep -vE "^\S+ \S+ \S+ ${STEP_RESTARTS:-none}: ")
  done
  # VIPs: r1 must delete none (but the step's own), r2 must add none.
  local vip_re="192\.0\.2\.10[0-4]/" keep
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    keep=1
    [ -n "$STEP_LEAVES" ] && [[ "$line" == *" inet $STEP_LEAVES/"* ]] && keep=0
    [ "$keep" = 1 ] && PROBLEMS+=("r1 $(ms "$(date -d "$(sed -E 's/^\[([^]]+)\].*/\1/' <<<"$line")" +%s%3N)"): VIP deleted: ${line#*] }")
  done < <(tail -n +$((MONMARK[a] + 1)) "$LAB_DIR/mon-a.log" | grep -E "Deleted .* inet $vip_re")
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    [ "$STEP_RESTARTS" = VI_2 ] && [[ "$line" == *" inet 192.0.2.102/"* ]] && continue
    PROBLEMS+=("r2 $(ms "$(date -d "$(sed -E 's/^\[([^]]+)\].*/\1/' <<<"$line")" +%s%3N)"): VIP added (the backup took over): ${line#*] }")
  done < <(tail -n +$((MONMARK[b] + 1)) "$LAB_DIR/mon-b.log" | grep -E "inet $vip_re" | grep -v Deleted)
  local ok failed served
  read -r ok failed served < <("$LAB_PYTHON" -c 'import json, sys
d = json.loads(sys.argv[1])
print(d["ok"], d["failed"], "; ".join("%s %s" % (t, v["served_by"]) for t, v in sorted(d["targets"].items())))' "$CLIENT_JSON")
  if [ "$failed" != 0 ]; then
    PROBLEMS+=("client: $failed of $((ok + failed)) requests failed (served by: $served)")
    while IFS= read -r line; do
      evidence+=("client $(ms "$(sed -E 's/^FAIL t=([0-9]+).*/\1/' <<<"$line")"): ${line#* }")
    done < <(grep '^FAIL ' "$CLIENT_OUT" | head -n 12)
  fi
  [ "$ok" -ge 100 ] || PROBLEMS+=("client: only $ok requests answered; the step proves nothing")
  if [ ${#PROBLEMS[@]} -gt 0 ]; then
    {
      echo "step $STEP_N ($STEP) was not applied in place:"
      printf '  - %s\n' "${PROBLEMS[@]}"
      [ ${#evidence[@]} -gt 0 ] && echo "  what happened (ms after the reload):" && printf '    %s\n' "${evidence[@]}"
    } >&2
    if [ "${INPLACE_CONTINUE:-0}" = 1 ]; then
      FAILED_STEPS+=("$STEP_N ($STEP)")
      echo "FAILED: step $STEP_N ($STEP); INPLACE_CONTINUE=1: on to the next step"
      sleep 2 # a restarted instance takes its VIP back before the next snapshot
      return
    fi
    lab_fail "step $STEP_N ($STEP): ${#PROBLEMS[@]} problem(s), listed above"
  fi
  if [ -n "$STEP_RESTARTS" ]; then
    echo "ok: $STEP: $STEP_RESTARTS restarted; the others kept their state and VIPs ($ok requests to them, 0 failed)"
  else
    echo "ok: $STEP: in place (no transition on either node, no VIP removed, $ok requests, 0 failed)"
  fi
}

# --- the pair -------------------------------------------------------------------
lab_nginx "$R1" n1 80
lab_nginx "$R2" n2 80
lab_exec "$C" sysctl -qw net.ipv4.tcp_tw_reuse=1
lab_spawn "$R1" "$LAB_DIR/mon-a.log" ip -ts monitor address
lab_spawn "$R2" "$LAB_DIR/mon-b.log" ip -ts monitor address
write_conf A
write_conf B
lab_holdfastd "$R1" a
PID[a]=$LAB_PID
for v in "${VIPS[@]}"; do lab_wait "r1 to hold $v" 15 lab_has_vip "$R1" "$v"; done
# 150 + 3 (chk_up up) - 5 (spare down) = 148; nginx_local up adds nothing.
lab_wait "r1's VI_1 at effective priority 148" 10 is a VI_1 effective_priority 148
lab_holdfastd "$R2" b
PID[b]=$LAB_PID
for i in "${INSTANCES[@]}"; do lab_wait "r2's $i BACKUP" 15 is b "$i" state BACKUP; done
lab_wait "r2's checks settled (VI_1 at 98)" 10 is b VI_1 effective_priority 98
lab_wait "r2 to see r1 at 148" 5 is b VI_1 master.priority 148
for v in "${VIPS[@]}"; do lab_lacks_vip "$R2" "$v" || lab_fail "r2 holds $v at start"; done
lab_wait "the notify for r1's MASTER" 5 grep -q "^a-old " "$EVENTS"
sleep 0.5
echo "ok: r1 master of VI_1..VI_4 (VI_1 effective 148), r2 backup of all"

# --- in place, one change at a time ------------------------------------------------
step_begin "priority 150 -> 160 on the master"
A[prio]=160
write_conf A
reload a
expect_in_place a VI_1 "priority 150 -> 160"
soon "r1's VI_1 base_priority 160" 3 is a VI_1 base_priority 160
soon "r1's VI_1 effective_priority 158" 3 is a VI_1 effective_priority 158
soon "r2 sees priority 158 from r1 on the wire" 3 is b VI_1 master.priority 158
events=$(lab_ctl a events --json) # read whole: grep -q's early exit would SIGPIPE it
grep -qF "changed in place VI_1 (priority 150 -> 160)" <<<"$events" ||
  PROBLEMS+=("the event log has no reload event 'changed in place VI_1 (priority 150 -> 160)'")
grep -qE "reload applied: .*changed in place VI_1 \(priority 150 -> 160\)" "$LAB_DIR/a.log" ||
  PROBLEMS+=("a.log has no 'reload applied: ... changed in place VI_1 (priority 150 -> 160)'")
step_end 1.5

step_begin "a second VIP on the master only, then on the backup"
A[vips1]="192.0.2.100/24 192.0.2.101/24"
write_conf A
reload a
expect_in_place a VI_1 "192\.0\.2\.101"
soon "192.0.2.101 on r1" 3 lab_has_vip "$R1" 192.0.2.101
mismatch() { [ "$(lab_vrrp b VI_1 vip_list_mismatch.count 2>/dev/null)" -gt 0 ] 2>/dev/null; }
soon "r2 counts the VIP list mismatch (vip_list_mismatch.count > 0)" 3 mismatch
sleep 1 # > r2's Master_Down_Interval: it honours the adverts it counts
echo "  r2's vip_list_mismatch: $(lab_vrrp b VI_1 vip_list_mismatch 2>&1)"
has b VI_1 vip_list_mismatch.last_from 192.0.2.11 ||
  PROBLEMS+=("r2's vip_list_mismatch.last_from is not 192.0.2.11: $(lab_vrrp b VI_1 vip_list_mismatch 2>&1)")
is b VI_1 state BACKUP || PROBLEMS+=("r2's VI_1 is $(field b VI_1 state 2>&1) while the VIP lists differ")
B[vips1]="192.0.2.100/24 192.0.2.101/24"
write_conf B
reload b
expect_in_place b VI_1 "192\.0\.2\.101"
sleep 0.5
m1=$(field b VI_1 vip_list_mismatch.count 2>&1)
sleep 1
m2=$(field b VI_1 vip_list_mismatch.count 2>&1)
[ "$m1" = "$m2" ] || PROBLEMS+=("r2's vip_list_mismatch.count still grows once both lists agree: $m1 -> $m2")
step_end 0.5

step_begin "the second VIP removed (master, then backup)"
A[vips1]="192.0.2.100/24"
write_conf A
STEP_LEAVES=192.0.2.101
reload a
expect_in_place a VI_1 "192\.0\.2\.101"
soon "192.0.2.101 to leave r1" 3 lab_lacks_vip "$R1" 192.0.2.101
B[vips1]="192.0.2.100/24"
write_conf B
reload b
expect_in_place b VI_1 "192\.0\.2\.101"
step_end 1.5

step_begin "notify_master changed (backup, then master by SIGHUP)"
B[notify]=b-new
write_conf B
reload b
expect_in_place b VI_1 "notify_master"
A[notify]=a-new
write_conf A
reload a hup
expect_in_place a VI_1 "notify_master"
step_end 1.5

step_begin "VRRPv3 advert_int 0.1 -> 0.2 on the master"
A[advert1]=0.2
write_conf A
reload a
expect_in_place a VI_1 "advert_int"
soon "r1's VI_1 advertises every 200 ms" 3 is a VI_1 timers.advert_interval_ms 200
soon "r2 learns the master's 200 ms" 3 is b VI_1 timers.advert_interval_ms 200
step_end 1.5

step_begin "preempt_delay 2 on the master"
A[preempt_delay]="preempt_delay 2"
write_conf A
reload a
expect_in_place a VI_1 "preempt"
step_end 1.5

step_begin "nopreempt on the master"
# (preempt_delay goes with it: keepalived clears a preempt_delay beside nopreempt, and
# holdfastd warns, which would make this reload a new tolerated mistake, refused.)
A[preempt_delay]=""
A[nopreempt]="nopreempt"
write_conf A
reload a
expect_in_place a VI_1 "preempt"
soon "r1's VI_1 preempt false" 3 is a VI_1 preempt false
step_end 1.5

step_begin "track_backend weight -5 -> -15 (spare is down)"
A[spare_w]=-15
write_conf A
reload a
expect_in_place a VI_1 "spare|track_backend|weight"
soon "r1's VI_1 effective_priority 148 (160 + 3 - 15)" 3 is a VI_1 effective_priority 148
soon "r2 sees 148 on the wire" 3 is b VI_1 master.priority 148
step_end 1.5

step_begin "track_script weight 3 -> 8 (chk_up is up)"
A[script_w]=8
write_conf A
reload a
expect_in_place a VI_1 "chk_up|track_script|weight"
soon "r1's VI_1 effective_priority 153 (160 + 8 - 15)" 3 is a VI_1 effective_priority 153
soon "r2 sees 153 on the wire" 3 is b VI_1 master.priority 153
step_end 1.5

g0=$(field a VI_1 counters.garps_sent)
sleep 1.5
g1=$(field a VI_1 counters.garps_sent)
[ "$g0" = "$g1" ] || lab_fail "r1's VI_1 sends GARPs ($g0 -> $g1) before garp_master_refresh is set: the next step would prove nothing"
step_begin "garp_master_refresh 1 on the master"
A[garp]="garp_master_refresh 1"
write_conf A
reload a
expect_in_place a VI_1 "garp"
refreshed() { [ "$(field a VI_1 counters.garps_sent)" -gt "$g1" ]; }
soon "r1's VI_1 to refresh its GARPs (garps_sent above $g1)" 3 refreshed
step_end 1

step_begin "unicast peer 192.0.2.99 added (VI_4, master)"
A[peers4]="192.0.2.12 192.0.2.99"
write_conf A
reload a
expect_in_place a VI_4 "unicast|peer|192\.0\.2\.99"
soon "r1's VI_4 unicast_peers to hold 192.0.2.99" 3 has a VI_4 unicast_peers 192.0.2.99
has a VI_4 unicast_peers 192.0.2.12 || PROBLEMS+=("r1's VI_4 lost peer 192.0.2.12: $(field a VI_4 unicast_peers)")
step_end 1.5

step_begin "unicast peer 192.0.2.99 removed (VI_4, master)"
A[peers4]="192.0.2.12"
write_conf A
reload a
expect_in_place a VI_4 "unicast|peer|192\.0\.2\.99"
gone99() { ! has a VI_4 unicast_peers 192.0.2.99 && has a VI_4 unicast_peers 192.0.2.12; }
soon "r1's VI_4 unicast_peers back to 192.0.2.12 alone" 3 gone99
step_end 1.5

# VRRPv2: both routers MUST agree (RFC 3768 7.1); backup first, then the master
# within one Master_Down_Interval of the backup.
v2_agree() { # DISCARD_REASON DESC: r2 keeps accepting r1's VI_3 adverts
  local d0 r0 d1 r1
  read -r d0 r0 <<<"$(field b VI_3 "counters.discarded.$1" counters.received)"
  sleep 2.5
  read -r d1 r1 <<<"$(field b VI_3 "counters.discarded.$1" counters.received)"
  [[ "$d0$r0$d1$r1" =~ ^[0-9]+$ ]] || lab_fail "r2's VI_3 counters.discarded.$1 / counters.received unreadable: '$d0 $r0' '$d1 $r1'"
  [ "$d0" = "$d1" ] || PROBLEMS+=("r2 still discards r1's VI_3 adverts for $1 ($d0 -> $d1) after both reloads")
  [ "$r1" -gt "$r0" ] || PROBLEMS+=("r2 received no VI_3 advert in 2.5 s after both reloads ($r0 -> $r1)")
}
both_within_mdi() { # KEY VALUE: B then A, timed
  local mdi t0 t1
  mdi=$(field b VI_3 timers.master_down_interval_ms)
  B[$1]=$2
  A[$1]=$2
  write_conf B
  write_conf A
  t0=$(lab_now_ms)
  reload b
  reload a
  t1=$(lab_now_ms)
  echo "  the two reloads $((t1 - t0)) ms apart (r2's Master_Down_Interval $mdi ms)"
  [ $((t1 - t0)) -lt "$mdi" ] || lab_fail "the test took $((t1 - t0)) ms for both reloads: not within one Master_Down_Interval ($mdi ms)"
}

step_begin "VRRPv2 advert_int 1 -> 2 (backup, then master)"
both_within_mdi advert3 2
expect_in_place b VI_3 "advert_int"
expect_in_place a VI_3 "advert_int"
soon "r1's VI_3 advertises every 2000 ms" 3 is a VI_3 timers.advert_interval_ms 2000
soon "r2's VI_3 at 2000 ms" 3 is b VI_3 timers.advert_interval_ms 2000
v2_agree interval_mismatch
step_end 0.5

step_begin "VRRPv2 PASS password changed (backup, then master)"
both_within_mdi pass3 secret2
expect_in_place b VI_3 "auth"
expect_in_place a VI_3 "auth"
v2_agree auth_mismatch
step_end 0.5

# --- a change that needs a restart restarts that instance only -------------------
step_begin "VI_2 virtual_router_id 52 -> 62 (restart VI_2 only)" 192.0.2.100 192.0.2.103 192.0.2.104
STEP_RESTARTS=VI_2
STEP_LEAVES=192.0.2.102
A[vrid2]=62
write_conf A
reload a
B[vrid2]=62
write_conf B
reload b
for n in a b; do
  grep -qE "restarted .*VI_2 \(virtual_router_id 52 -> 62\)" <<<"${SUMMARY[$n]}" ||
    PROBLEMS+=("$n's summary does not say 'restarted VI_2 (virtual_router_id 52 -> 62)': ${SUMMARY[$n]}")
done
soon "r1's VI_2 on vrid 62" 5 is a VI_2 vrid 62
soon "r1 master of VI_2" 5 is a VI_2 state MASTER
soon "192.0.2.102 back on r1" 5 lab_has_vip "$R1" 192.0.2.102
soon "r2's VI_2 on vrid 62" 5 is b VI_2 vrid 62
soon "r2 backup of VI_2" 5 is b VI_2 state BACKUP
soon "192.0.2.102 not on r2" 5 lab_lacks_vip "$R2" 192.0.2.102
[ "$(grep "^VI_2 " <<<"${SNAP[a]}")" != "$(snap a | grep "^VI_2 ")" ] ||
  PROBLEMS+=("r1's VI_2 shows no new transition: it did not restart")
step_end 1.5

# --- the notify_master reloaded on r2 is the one that runs -------------------------
before=$(wc -l <"$EVENTS")
lab_stop "${PID[a]}"
lab_wait "r2 to take 192.0.2.100 when r1 stops" 5 lab_has_vip "$R2" 192.0.2.100
ran() { tail -n +$((before + 1)) "$EVENTS" | grep "^b-"; }
lab_wait "r2's notify_master" 5 ran
[ "$(ran | cut -d' ' -f1)" = b-new ] ||
  lab_fail "r2 ran '$(ran)' as notify_master, expected the reloaded b-new; all notifications: $(cat "$EVENTS")"
echo "ok: r2 ran its reloaded notify_master (b-new) when it became master"

[ ${#FAILED_STEPS[@]} = 0 ] || lab_fail "failed steps: $(printf '%s; ' "${FAILED_STEPS[@]}")"
echo "PASS inplace_reload"
