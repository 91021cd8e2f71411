#!/usr/bin/env bash
# Scale of one node: holdfastd beside keepalived 2.2.7 with 255 VRIDs x 2 families
# on one interface. r1 alone (the LAN has no other router) runs 510 instances on
# eth0: VI4_1..VI4_255 (VRIDs 1..255, VIP 198.51.100.N/32) and VI6_1..VI6_255 (the
# same VRIDs, VIP 2001:db8:100::N/128; both daemons take an instance's family from
# its VIPs, and in VRRPv3 an IPv4 and an IPv6 router may share a VRID), VRRPv3,
# advert_int 1, state BACKUP, priority 200. holdfastd also runs CHECKS backends with
# an HTTP check each at interval 1s against one real nginx in r1's namespace
# (127.1.x.y:8080, every address on lo reaching it, as advert_timing.sh does); the
# instances do not track them. keepalived has no native checks: it runs the VRRP
# config alone, and so does a second holdfastd run (0 checks), the like-for-like
# comparison. Measured, one daemon at a time:
#   start, VIPs     ms from spawning the daemon until eth0 holds all 510 VIPs (polled
#                   every 0.1 s, at most 120 s). Includes the BACKUP start's master-
#                   down wait, 3 x advert_int + skew = about 3.2 s, for both daemons
#   start, status   ms until `holdfastctl -s SOCK status` first answers (tried every
#                   0.1 s by a probe beside the VIP poll, at most 120 s)
#   reload          ms from SIGHUP to the reload being applied, for a one-instance
#                   change (VI4_17's priority 200 -> 199 -> 200 -> 199; the file is
#                   rewritten whole before the signal), median of SCALE_RELOADS (all shown).
#                   holdfastd: the stamp of its "reload applied" log line (ms).
#                   keepalived: its parent logs "Reload complete" once the VRRP child
#                   has reported its reload done; its console log stamps whole
#                   seconds, so the end is the wall time at which a 10 ms poll of
#                   the log sees that line
#   status          wall ms of `holdfastctl -s SOCK status` (run from the host: the
#                   socket is a path, no namespace needed), median and max of 10
#   rss, pss        KiB after 5 s of steady state and the status runs, and again
#                   after the reloads (and Rss after each reload);
#                   summed over the daemon's processes (keepalived -P: parent and
#                   VRRP child), from /proc/PID/smaps_rollup
#   cpu             % of one core over 10 s of steady state, all threads of all
#                   the daemon's processes (/proc/PID/task/*/schedstat); in the same
#                   10 s, the checks nginx answered a second (its access log) and
#                   the backends holdfastd logged going down: nginx always answers
#                   200, so each is a check that timed out (1 s) or that nginx
#                   dropped unanswered ("Empty reply": its 4096 worker_connections
#                   ran out); the most frequent reasons are printed below the table
#   state changes   transitions logged (INIT -> BACKUP, BACKUP -> MASTER: 2 each)
#   stop            ms from SIGTERM until the process is gone, and the VIPs it left
# A report, not a test. The machine is shared: run it under `nice -n 19`.
#
# Usage: tests/bench/scale.sh [CHECKS]   (default 10000)
#   SCALE_VRIDS=N   VRIDs per family (default 255), for a quick try with fewer
#   SCALE_RELOADS=N reloads (default 3; the median and the RSS rows take all N)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CHECKS=${1:-10000}
VRIDS=${SCALE_VRIDS:-255}
RELOADS=${SCALE_RELOADS:-3}
CTL=${CTL:-$HERE/../../build/holdfastctl}
# shellcheck source-path=SCRIPTDIR disable=SC1091  # lib.sh is followed with -x
source "$HERE/lib.sh"

[[ "$CHECKS" =~ ^[0-9]+$ ]] || { echo "usage: $0 [CHECKS]" >&2; exit 2; }
if ! [[ "$VRIDS" =~ ^[0-9]+$ ]] || [ "$VRIDS" -lt 17 ] || [ "$VRIDS" -gt 255 ]; then
  echo "SCALE_VRIDS must be 17..255 (VI4_17 is the one reloaded)" >&2
  exit 2
fi
if ! [[ "$RELOADS" =~ ^[0-9]+$ ]] || [ "$RELOADS" -lt 1 ] || [ "$RELOADS" -gt 50 ]; then
  echo "SCALE_RELOADS must be 1..50" >&2
  exit 2
fi
[ -x "$CTL" ] || { echo "build holdfastctl first ($CTL)" >&2; exit 1; }
bench_init scale keepalived nginx
lab_switch
lab_router 1
R1="$LAB-r1"
# Ten thousand checks a second need local ports: TIME_WAIT holds each for 60 s.
ip netns exec "$R1" sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
VIPS=$((2 * VRIDS))

conf() { # FILE CHECKS PRIORITY_OF_VI4_17
  local file=$1 checks=$2 p17=$3 i prio
  {
    printf 'global_defs {\n    vrrp_version 3\n}\n'
    for ((i = 0; i < checks; i++)); do
      echo "backend b$i { address 127.1.$((i / 250)).$((i % 250 + 1))  check http { port 8080  path /health  interval 1s  timeout 1s  rise 1  fall 1 } }"
    done
    for ((i = 1; i <= VRIDS; i++)); do
      prio=200
      [ "$i" = 17 ] && prio=$p17
      printf 'vrrp_instance VI4_%d {\n    state BACKUP\n    interface eth0\n    virtual_router_id %d\n    priority %d\n    advert_int 1\n    virtual_ipaddress {\n        198.51.100.%d/32\n    }\n}\n' \
        "$i" "$i" "$prio" "$i"
      printf 'vrrp_instance VI6_%d {\n    state BACKUP\n    interface eth0\n    virtual_router_id %d\n    priority 200\n    advert_int 1\n    virtual_ipaddress {\n        2001:db8:100::%d/128\n    }\n}\n' \
        "$i" "$i" "$i"
    done
  } >"$file.new"
  mv "$file.new" "$file" # the daemon never reads half a file
}
vips_held() { # NS: how many of the VIPs NS's eth0 holds
  local addrs
  addrs=$(ip -n "$1" -o addr show dev eth0) || { echo 0; return; }
  grep -cE " (198\.51\.100\.|2001:db8:100::)[0-9a-f:.]*/" <<<"$addrs"
}
median() { sort -n | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "-"}'; }
count() { # FILE PATTERN: lines holding PATTERN (fixed string)
  local n
  n=$(grep -cF -- "$2" "$1" 2>/dev/null)
  echo "${n:-0}"
}

# status_probe SOCK T0 FILE: writes to FILE the ms since T0 at which `holdfastctl
# status` first answers (tried every 0.1 s, for at most 120 s since T0). Runs beside
# the VIP poll, so that a slow answer does not delay seeing the VIPs.
status_probe() {
  local i
  for ((i = 0; i < 1200; i++)); do
    if "$CTL" -s "$1" status >/dev/null 2>&1; then
      echo $(($(lab_now_ms) - $2)) >"$3"
      return 0
    fi
    [ $(($(lab_now_ms) - $2)) -ge 120000 ] && return 1
    sleep 0.1
  done
  return 1
}
downs() { # LOG: backends logged going down
  local n
  n=$(grep -cE "backend b[0-9]+: down \(" "$1" 2>/dev/null)
  echo "${n:-0}"
}

declare -A R=() # R[column.row]
run() { # COLUMN DAEMON CHECKS
  local col=$1 daemon=$2 checks=$3 name=$1 t0 held=0 i pid pids probe=""
  local vips_ms=""
  conf "$LAB_DIR/$name.conf" "$checks" 200
  t0=$(lab_now_ms)
  bench_daemon "$daemon" "$R1" "$name"
  if [ "$daemon" = holdfast ]; then
    status_probe "$LAB_DIR/$name.sock" "$t0" "$LAB_DIR/$name.status-ms" &
    probe=$!
    LAB_PIDS+=("$probe")
  fi
  # Start-up: all VIPs on eth0.
  for ((i = 0; i < 1200; i++)); do
    held=$(vips_held "$R1")
    [ "$held" -ge "$VIPS" ] && { vips_ms=$(($(lab_now_ms) - t0)); break; }
    [ $(($(lab_now_ms) - t0)) -ge 120000 ] && break
    sleep 0.1
  done
  [ -n "$vips_ms" ] || lab_fail "$col: r1 held $held of $VIPS VIPs after 120 s"
  R[$col.vips]=$vips_ms
  lab_log "$col: all $VIPS VIPs after $vips_ms ms"
  if [ -n "$probe" ]; then # the probe ends by itself within 120 s of t0
    wait "$probe"
    R[$col.status]=$(cat "$LAB_DIR/$name.status-ms" 2>/dev/null) ||
      lab_fail "$col: holdfastctl status never answered in 120 s"
  fi
  pid=$(cat "$LAB_DIR/$name.pid") || lab_fail "$col: no pid file"
  sleep 5 # steady state: every check has run a few times, every master adverts

  # holdfastctl status, 10 times; a failed one (holdfastd answers "did not answer
  # within 5s" when its threads do not report in time) counts with its wall time.
  if [ "$daemon" = holdfast ]; then
    local lat=() s e fails=0
    for ((i = 0; i < 10; i++)); do
      s=$(date +%s%N)
      if ! "$CTL" -s "$LAB_DIR/$name.sock" status >"$LAB_DIR/$name-status.txt" 2>&1; then
        fails=$((fails + 1))
        lab_log "$col: holdfastctl status failed: $(head -c 200 "$LAB_DIR/$name-status.txt")"
        cp "$LAB_DIR/$name-status.txt" "$LAB_DIR/$name-status-failed.txt"
      else
        R[$col.stlines]=$(wc -l <"$LAB_DIR/$name-status.txt")
      fi
      e=$(date +%s%N)
      lat+=($(((e - s) / 1000000)))
    done
    R[$col.stmed]=$(printf '%s\n' "${lat[@]}" | median)
    R[$col.stmax]=$(printf '%s\n' "${lat[@]}" | sort -n | tail -n 1)
    R[$col.stfail]=$fails
  fi

  # Memory and CPU at steady state.
  mapfile -t pids < <(bench_pids "$daemon" "$name")
  R[$col.procs]=${#pids[@]}
  R[$col.rss]=$(bench_mem_kib Rss "${pids[@]}")
  R[$col.pss]=$(bench_mem_kib Pss "${pids[@]}")
  local c0 c1 w0 w1 a0 a1 d0
  d0=$(downs "$LAB_DIR/$name.log")
  a0=$(wc -l <"$LAB_DIR/web-nginx-access.log")
  c0=$(bench_cpu_ns "${pids[@]}") w0=$(date +%s%N)
  sleep 10
  c1=$(bench_cpu_ns "${pids[@]}") w1=$(date +%s%N)
  a1=$(wc -l <"$LAB_DIR/web-nginx-access.log")
  R[$col.cpu]=$(awk -v c=$((c1 - c0)) -v w=$((w1 - w0)) 'BEGIN {printf "%.1f", 100 * c / w}')
  if [ "$checks" -gt 0 ]; then # what nginx served, and backends that went down
    R[$col.served]=$(awk -v a=$((a1 - a0)) -v w=$((w1 - w0)) 'BEGIN {printf "%d", a / (w / 1e9)}')
    R[$col.downs]=$(($(downs "$LAB_DIR/$name.log") - d0))
  fi

  # Reload: VI4_17's priority 200 -> 199 -> 200 -> 199.
  local times=() rsses=() prio sent line k seen
  for ((k = 1; k <= RELOADS; k++)); do
    prio=$((k % 2 ? 199 : 200))
    conf "$LAB_DIR/$name.conf" "$checks" "$prio"
    if [ "$daemon" = holdfast ]; then
      local before refused
      before=$(count "$LAB_DIR/$name.log" "reload applied")
      refused=$(count "$LAB_DIR/$name.log" "reload refused")
      sent=$(lab_now_ms)
      kill -HUP "$pid"
      seen=""
      for ((i = 0; i < 600; i++)); do
        [ "$(count "$LAB_DIR/$name.log" "reload applied")" -gt "$before" ] && { seen=1; break; }
        [ "$(count "$LAB_DIR/$name.log" "reload refused")" -gt "$refused" ] &&
          lab_fail "$col: reload $k refused: $(grep -F "reload refused" "$LAB_DIR/$name.log" | tail -n 1)"
        sleep 0.1
      done
      [ -n "$seen" ] || lab_fail "$col: reload $k not applied after 60 s"
      line=$(grep -F "reload applied" "$LAB_DIR/$name.log" | tail -n 1)
      times+=($(($(lab_line_ms "$line") - sent)))
      R[$col.rlsummary]=$(sed -E 's/.*reload applied: //; s/instances kept [^;]*;/instances kept (the others);/' <<<"$line")
    else
      local want="Reload complete" before
      before=$(count "$LAB_DIR/$name.log" "$want")
      sent=$(lab_now_ms)
      kill -HUP "$pid"
      seen=""
      for ((i = 0; i < 6000; i++)); do
        [ "$(count "$LAB_DIR/$name.log" "$want")" -gt "$before" ] && { seen=$(lab_now_ms); break; }
        sleep 0.01
      done
      [ -n "$seen" ] || lab_fail "$col: reload $k: no '$want' after 60 s"
      times+=($((seen - sent)))
    fi
    sleep 3 # let the reload settle before the next one
    mapfile -t pids < <(bench_pids "$daemon" "$name")
    rsses+=("$(bench_mem_kib Rss "${pids[@]}")")
  done
  R[$col.rsses]=$(
    IFS=/
    echo "${rsses[*]}"
  )
  R[$col.reload]=$(printf '%s\n' "${times[@]}" | median)
  R[$col.reloads]=$(
    IFS=/
    echo "${times[*]}"
  )
  lab_has_vip "$R1" "198.51.100.17" || lab_fail "$col: r1 lost VI4_17's VIP on reload"
  [ "$(vips_held "$R1")" -ge "$VIPS" ] || lab_fail "$col: r1 holds $(vips_held "$R1") of $VIPS VIPs after the reloads"
  mapfile -t pids < <(bench_pids "$daemon" "$name")
  R[$col.rss2]=$(bench_mem_kib Rss "${pids[@]}")
  R[$col.pss2]=$(bench_mem_kib Pss "${pids[@]}")
  # Each instance: INIT -> BACKUP at start, then BACKUP -> MASTER; nothing more.
  R[$col.moves]=$(grep -cE " -> (MASTER|BACKUP|FAULT): |Entering (MASTER|BACKUP|FAULT) STATE" "$LAB_DIR/$name.log")

  # Stop: SIGTERM until the process is gone (lab_stop sends SIGKILL after 5 s).
  local s0 left a
  s0=$(lab_now_ms)
  lab_stop "$pid"
  R[$col.stop]=$(($(lab_now_ms) - s0))
  left=$(vips_held "$R1")
  R[$col.left]=$left
  if [ "$left" -gt 0 ]; then # cleared, so the next daemon starts on a clean eth0
    lab_log "$col: $left VIPs left on eth0 after the stop; deleting them"
    for a in $(ip -n "$R1" -o addr show dev eth0 | grep -oE " (198\.51\.100\.|2001:db8:100::)[0-9a-f:.]*/[0-9]+"); do
      ip -n "$R1" addr del "$a" dev eth0
    done
  fi
}

echo "scale of one node: $VRIDS VRIDs x 2 families = $VIPS instances on eth0 (VRRPv3, advert_int 1); holdfastd with $CHECKS HTTP checks at 1s"
echo "holdfastd: $("$HOLDFASTD" --version 2>&1 | head -n 1)   keepalived: $(keepalived --version 2>&1 | head -n 1)"
lab_nginx "$R1" web
run hf holdfast "$CHECKS"
lab_stop "$LAB_NGINX_PID"
run hf0 holdfast 0
run ka keepalived 0

COLS=(hf hf0 ka)
row() { # LABEL KEY
  printf '%-34s' "$1"
  local c
  for c in "${COLS[@]}"; do printf ' %16s' "${R[$c.$2]:--}"; done
  printf '\n'
}
printf '%-34s %16s %16s %16s\n' "" "holdfastd" "holdfastd" "keepalived"
printf '%-34s %16s %16s %16s\n' "" "$CHECKS checks" "0 checks" "2.2.7 (-P)"
row "start: all $VIPS VIPs held, ms" vips
row "start: status answers, ms" status
row "reload 1 instance, median ms" reload
row "reload, each run, ms" reloads
row "status latency, median ms" stmed
row "status latency, max ms" stmax
row "status failures (of 10)" stfail
row "status output, lines" stlines
row "processes" procs
row "Rss KiB (steady)" rss
row "Pss KiB (steady)" pss
row "Rss KiB (after reloads)" rss2
row "Rss KiB after each reload" rsses
row "Pss KiB (after reloads)" pss2
row "cpu % of a core (10 s steady)" cpu
row "checks answered by nginx, /s" served
row "backend up -> down (the same 10 s)" downs
row "state changes (expect $((2 * VIPS)))" moves
row "stop (SIGTERM to exit), ms" stop
row "VIPs left on eth0 after the stop" left
if [ "${R[hf.downs]:-0}" != 0 ]; then
  echo "why backends went down (holdfastd, $CHECKS checks, whole run; the most frequent):"
  grep -oE "backend b[0-9]+: down \(.*" "$LAB_DIR/hf.log" | sed -E 's/^backend b[0-9]+: //' | sort | uniq -c |
    sort -rn | head -n 3
fi
echo "holdfastd's reload summary: ${R[hf.rlsummary]:-?}"
echo "keepalived's reload end: its \"Reload complete\" line, seen by a 10 ms poll of its log"
