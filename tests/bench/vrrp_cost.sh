#!/usr/bin/env bash
# What VRRP costs, holdfastd beside keepalived 2.2.7 in the same run: N instances
# (VRIDs 1..N, VRRPv3, advert_int 0.1, one /32 or /128 VIP each) on one LAN of
# NODES routers; r1 (priority 200) is master of all, the others (100, 99) back up.
# Both daemons read the same keepalived.conf. After the master holds every VIP and
# the others have run SETTLE s (default 18), SECONDS of steady state are measured.
# SETTLE is past holdfastd's second pass over its start-up pages, 15 s after its start
# (holdfast.conf(5) lock_memory): a one-time 4-5 ms of CPU (and the faults that map
# back what runs next), 20-25% of a backup's 20-s window at 10 instances, not a cost
# per advert; keepalived waits as long. ROUNDS (default 1) starts each daemon that many
# times per case, alternately (holdfastd, keepalived, holdfastd, ...), prints every
# start's row and, with ROUNDS > 1, a "median" row (holdfastd/keepalived per column);
# the ratio and floor lines use the medians. At 10 instances a start's figure moves by
# a third between starts (keepalived's master 40-65 ms per 1,000 adverts): one start
# each says little there.
#   adverts   adverts r1 sent / r2 received: the namespace's multicast IP packet
#             counters (/proc/net/netstat, snmp6), which ARP does not touch
#   cpu/1k    CPU ms per 1,000 adverts, all threads of all the daemon's processes
#             (keepalived: parent + VRRP child), from /proc/PID/task/*/schedstat
#   rss, pss  KiB, summed over the daemon's processes (smaps_rollup)
#   moves     state changes logged during the window (must be 0)
#   floor     (IPv4 cases) the kernel's cost of each part. Master: advert_floor.c, a
#             program that sends the same N adverts on the same aligned grid with one
#             periodic timerfd and one sendmmsg per wake-up and nothing else, in r1's
#             place, to holdfastd backups. Backup: backup_floor.c, a program that
#             sleeps until Master_Down_Interval (361 ms at priority 100) after the
#             newest advert's kernel time stamp, as the protocol requires, and then
#             drains the queue with recvmmsg, in r2's place, holdfastd the master
#   asio floor the same two floors on Boost.Asio's event loop (asio_floor.cc: one
#             io_context, one steady_timer, as holdfastd's VRRP thread runs), each
#             alone in its role after the C floor's window: what the event loop adds
#             a wake-up (the "asio/ka" line divides by keepalived and compares)
#   wakes/s   (floor/ka line) how often each backup was put on a CPU, all threads:
#             holdfastd, keepalived, the floor
#   wake-only beside the backup floor, in the same window: a program that only wakes
#             every 300 ms (backup_floor.c --wake-only), per 1,000 adverts r2 received:
#             what the protocol's 3.3 wake-ups a second cost before any work
# Last, the floor of holdfastd's memory: a program that does nothing but load the
# shared libraries holdfastd links (its DT_NEEDED list), built with g++ here.
# A report, not a test.
#   [SETTLE=s] [ROUNDS=n] tests/bench/vrrp_cost.sh [SECONDS] [CASE...]   CASE = NODES:N:FAMILY (4|6)
#   default: 20 s, 2:10:4 2:100:4 2:255:4 2:100:6 3:10:4 3:100:4 3:255:4
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SECONDS_RUN=${1:-20}
SETTLE=${SETTLE:-18}
ROUNDS=${ROUNDS:-1}
shift || true
CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=(2:10:4 2:100:4 2:255:4 2:100:6 3:10:4 3:100:4 3:255:4)
source "$HERE/lib.sh"
bench_init vrrp_cost keepalived
cc -O2 -o "$LAB_DIR/advert_floor" "$HERE/advert_floor.c" || lab_fail "advert_floor.c does not build"
cc -O2 -o "$LAB_DIR/backup_floor" "$HERE/backup_floor.c" || lab_fail "backup_floor.c does not build"
g++ -O2 -std=c++20 -o "$LAB_DIR/asio_floor" "$HERE/asio_floor.cc" || lab_fail "asio_floor.cc does not build"
lab_switch
lab_router 1
lab_router 2
lab_router 3

medians() { # LINES of equal-length number columns: the median of each column
  awk '{for (i = 1; i <= NF; i++) v[i, NR] = $i; if (NF > nf) nf = NF}
    END {for (i = 1; i <= nf; i++) {
      n = 0; for (r = 1; r <= NR; r++) if ((i, r) in v) a[++n] = v[i, r] + 0
      for (x = 2; x <= n; x++) for (y = x; y > 1 && a[y - 1] > a[y]; y--) {t = a[y]; a[y] = a[y - 1]; a[y - 1] = t}
      m = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
      printf "%s%s", (i > 1 ? " " : ""), m} print ""}' <<<"$1"
}
per_1k() { # CPU_NS ADVERTS: CPU ms per 1,000 adverts, one decimal
  awk -v c="$1" -v a="$2" 'BEGIN {printf "%.1f", a ? c / 1e6 / a * 1000 : 0}'
}
per_second() { # COUNT: over the measured window, one decimal
  awk -v n="$1" -v s="$SECONDS_RUN" 'BEGIN {printf "%.1f", n / s}'
}
adverts() { # NS DIR (In|Out) FAMILY [SENDER_NS]: multicast IP packets NS took in or sent,
  # i.e. adverts; eth0's packet counters would also count holdfastd's split-brain
  # probes (an ARP request or a Neighbor Solicitation per VIP every 2 s: 5% more
  # packets). IPv4: ARP is not IP. IPv6: less the multicast ICMPv6 the sender sent
  # (RS, NS, MLD reports), which a receiver counts though it drops the probes of
  # groups it has not joined
  if [ "$3" = 4 ]; then
    ip netns exec "$1" awk -v f="$2McastPkts" '$1 == "IpExt:" {
      if (!h) {for (i = 2; i <= NF; i++) if ($i == f) c = i; h = 1} else print $c}' /proc/net/netstat
    return
  fi
  local mcast icmp
  mcast=$(ip netns exec "$1" awk -v f="Ip6$2McastPkts" '$1 == f {print $2}' /proc/net/snmp6)
  icmp=$(ip netns exec "${4:-$1}" awk '$1 ~ /^Icmp6OutType(133|135|143)$/ {n += $2} END {print n + 0}' \
    /proc/net/snmp6)
  echo $((mcast - icmp))
}
moves() { # DAEMON NODES
  local n
  n=$(cat "$LAB_DIR/$1"-r[1-"$2"].log 2>/dev/null | grep -ciE "entering (master|backup|fault)|-> (MASTER|BACKUP|FAULT)")
  echo "${n:-0}"
}
last_vip() { # N FAMILY
  if [ "$2" = 6 ]; then echo "2001:db8:100::$1"; else echo "198.51.100.$1"; fi
}

printf '%-5s %4s %3s %-10s %7s %7s %9s %9s %9s %9s %9s %9s %5s\n' nodes N ip daemon sent recv \
  "m cpu/1k" "b cpu/1k" "m rss" "b rss" "m pss" "b pss" moves
for case in "${CASES[@]}"; do
  IFS=: read -r nodes n family <<<"$case"
  declare -A result=() wakes=()
  for ((round = 1; round <= ROUNDS; round++)); do
    for daemon in holdfast keepalived; do
      bench_vrrp_conf "$LAB_DIR/$daemon-r1.conf" "$n" "$family" 200
      bench_vrrp_conf "$LAB_DIR/$daemon-r2.conf" "$n" "$family" 100
      bench_vrrp_conf "$LAB_DIR/$daemon-r3.conf" "$n" "$family" 99
      bench_daemon "$daemon" "$LAB-r1" "$daemon-r1"
      lab_wait "$daemon r1 master of $n" 60 bench_all_vips "$LAB-r1" "$n" "$family"
      for ((r = 2; r <= nodes; r++)); do bench_daemon "$daemon" "$LAB-r$r" "$daemon-r$r"; done
      sleep "$SETTLE"
      lab_has_vip "$LAB-r1" "$(last_vip "$n" "$family")" || lab_fail "$daemon: r1 lost the VIPs"
      m=$(bench_pids "$daemon" "$daemon-r1" | tr '\n' ' ')
      b=$(bench_pids "$daemon" "$daemon-r2" | tr '\n' ' ')
      mv0=$(moves "$daemon" "$nodes")
      # shellcheck disable=SC2086
      {
        mc0=$(bench_cpu_ns $m) bc0=$(bench_cpu_ns $b) bs0=$(bench_slices $b)
        tx0=$(adverts "$LAB-r1" Out "$family") rx0=$(adverts "$LAB-r2" In "$family" "$LAB-r1")
        sleep "$SECONDS_RUN"
        mc1=$(bench_cpu_ns $m) bc1=$(bench_cpu_ns $b) bs1=$(bench_slices $b)
        tx1=$(adverts "$LAB-r1" Out "$family") rx1=$(adverts "$LAB-r2" In "$family" "$LAB-r1")
        mr=$(bench_mem_kib Rss $m) br=$(bench_mem_kib Rss $b) mp=$(bench_mem_kib Pss $m) bp=$(bench_mem_kib Pss $b)
      }
      mv1=$(moves "$daemon" "$nodes")
      sent=$((tx1 - tx0)) recv=$((rx1 - rx0))
      mk=$(per_1k $((mc1 - mc0)) "$sent")
      bk=$(per_1k $((bc1 - bc0)) "$recv")
      printf '%-5s %4s %3s %-10s %7s %7s %9s %9s %9s %9s %9s %9s %5s\n' "$nodes" "$n" "v$family" "$daemon" \
        "$sent" "$recv" "$mk" "$bk" "$mr" "$br" "$mp" "$bp" "$((mv1 - mv0))"
      result[$daemon]+="$mk $bk $mr $br $(per_second $((bs1 - bs0)))"$'\n'
      for ((r = nodes; r >= 1; r--)); do
        pid=$(cat "$LAB_DIR/$daemon-r$r.pid" 2>/dev/null) && lab_stop "$pid"
      done
      sleep 1
    done
  done
  read -r hm hb hr hbr wakes[holdfast] <<<"$(medians "${result[holdfast]}")"
  read -r km kb kr kbr wakes[keepalived] <<<"$(medians "${result[keepalived]}")"
  [ "$ROUNDS" -gt 1 ] && printf '%-5s %4s %3s %-10s %7s %7s %9s %9s %9s %9s   (medians of %s starts each, alternately)\n' \
    "" "" "" "median" "" "" "$hm/$km" "$hb/$kb" "$hr/$kr" "$hbr/$kbr" "$ROUNDS"
  awk -v hm="$hm" -v hb="$hb" -v hr="$hr" -v hbr="$hbr" -v km="$km" -v kb="$kb" -v kr="$kr" -v kbr="$kbr" \
    'BEGIN {printf "%-5s %4s %3s %-10s %7s %7s %8.2fx %8.2fx %8.2fx %8.2fx\n", "", "", "", "ratio", "", "",
      km ? hm / km : 0, kb ? hb / kb : 0, kr ? hr / kr : 0, kbr ? hbr / kbr : 0}'
  [ "$family" = 4 ] || continue
  # The floor in r1's place, holdfastd backing up as in the holdfast row.
  src=$(ip -n "$LAB-r1" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1 | head -1)
  lab_spawn "$LAB-r1" "$LAB_DIR/floor-r1.log" "$LAB_DIR/advert_floor" eth0 "$src" "$n" 100 200 \
    $((SECONDS_RUN + 10))
  FLOOR_PID=$LAB_PID
  for ((r = 2; r <= nodes; r++)); do
    cp "$LAB_DIR/holdfast-r$r.conf" "$LAB_DIR/floor-r$r.conf"
    bench_daemon holdfast "$LAB-r$r" "floor-r$r"
  done
  sleep 4
  fc0=$(bench_cpu_ns "$FLOOR_PID") ftx0=$(adverts "$LAB-r1" Out "$family")
  sleep "$SECONDS_RUN"
  fc1=$(bench_cpu_ns "$FLOOR_PID") ftx1=$(adverts "$LAB-r1" Out "$family")
  # Then the same on asio's event loop, to the same backups.
  lab_stop "$FLOOR_PID"
  lab_spawn "$LAB-r1" "$LAB_DIR/afloor-r1.log" "$LAB_DIR/asio_floor" master eth0 "$src" "$n" 100 200 \
    $((SECONDS_RUN + 10))
  FLOOR_PID=$LAB_PID
  sleep 4
  ac0=$(bench_cpu_ns "$FLOOR_PID") atx0=$(adverts "$LAB-r1" Out "$family")
  sleep "$SECONDS_RUN"
  ac1=$(bench_cpu_ns "$FLOOR_PID") atx1=$(adverts "$LAB-r1" Out "$family")
  fmv=$(cat "$LAB_DIR"/floor-r[2-"$nodes"].log 2>/dev/null | grep -ciE "entering master|-> MASTER")
  for ((r = nodes; r >= 2; r--)); do
    pid=$(cat "$LAB_DIR/floor-r$r.pid" 2>/dev/null) && lab_stop "$pid"
  done
  lab_stop "$FLOOR_PID"
  fsent=$((ftx1 - ftx0)) asent=$((atx1 - atx0))
  fk=$(per_1k $((fc1 - fc0)) "$fsent")
  ak=$(per_1k $((ac1 - ac0)) "$asent")
  sleep 1
  # The backup's floor in r2's place, holdfastd the master (and r3) as in the holdfast
  # row; it looks once per Master_Down_Interval at priority 100: 3 x 100 ms + skew.
  for ((r = 1; r <= nodes; r++)); do
    [ "$r" = 2 ] && continue
    cp "$LAB_DIR/holdfast-r$r.conf" "$LAB_DIR/bfloor-r$r.conf"
    bench_daemon holdfast "$LAB-r$r" "bfloor-r$r"
    [ "$r" = 1 ] && lab_wait "holdfastd r1 master of $n" 60 bench_all_vips "$LAB-r1" "$n" "$family"
  done
  lab_spawn "$LAB-r2" "$LAB_DIR/bfloor-r2.log" "$LAB_DIR/backup_floor" eth0 361 $((SECONDS_RUN + 10))
  BFLOOR_PID=$LAB_PID
  # Beside it, in the same window, the wake-ups alone: every 300 ms, reading nothing.
  lab_spawn "$LAB-r2" "$LAB_DIR/wakes-r2.log" "$LAB_DIR/backup_floor" --wake-only 300 \
    $((SECONDS_RUN + 10))
  WAKES_PID=$LAB_PID
  sleep 4
  bc0=$(bench_cpu_ns "$BFLOOR_PID") brx0=$(adverts "$LAB-r2" In "$family" "$LAB-r1") bfs0=$(bench_slices "$BFLOOR_PID")
  wc0=$(bench_cpu_ns "$WAKES_PID")
  sleep "$SECONDS_RUN"
  bc1=$(bench_cpu_ns "$BFLOOR_PID") brx1=$(adverts "$LAB-r2" In "$family" "$LAB-r1") bfs1=$(bench_slices "$BFLOOR_PID")
  wc1=$(bench_cpu_ns "$WAKES_PID")
  lab_stop "$BFLOOR_PID"
  lab_stop "$WAKES_PID"
  # Then the backup's floor on asio's event loop, alone in r2 (it would wake at the
  # same instants as the C floor and compete with it for a CPU).
  lab_spawn "$LAB-r2" "$LAB_DIR/abfloor-r2.log" "$LAB_DIR/asio_floor" backup eth0 361 $((SECONDS_RUN + 10))
  ABFLOOR_PID=$LAB_PID
  sleep 4
  abc0=$(bench_cpu_ns "$ABFLOOR_PID") abrx0=$(adverts "$LAB-r2" In "$family" "$LAB-r1") abs0=$(bench_slices "$ABFLOOR_PID")
  sleep "$SECONDS_RUN"
  abc1=$(bench_cpu_ns "$ABFLOOR_PID") abrx1=$(adverts "$LAB-r2" In "$family" "$LAB-r1") abs1=$(bench_slices "$ABFLOOR_PID")
  lab_stop "$ABFLOOR_PID"
  for ((r = nodes; r >= 1; r--)); do
    pid=$(cat "$LAB_DIR/bfloor-r$r.pid" 2>/dev/null) && lab_stop "$pid"
  done
  brecv=$((brx1 - brx0))
  bfk=$(per_1k $((bc1 - bc0)) "$brecv")
  wok=$(per_1k $((wc1 - wc0)) "$brecv")
  abrecv=$((abrx1 - abrx0))
  abk=$(per_1k $((abc1 - abc0)) "$abrecv")
  printf '%-5s %4s %3s %-10s %7s %7s %9s %9s %9s %9s %9s %9s %5s\n' "$nodes" "$n" "v$family" floor \
    "$fsent" "$brecv" "$fk" "$bfk" - - - - "${fmv:-0}"
  awk -v f="$fk" -v k="$km" -v h="$hm" -v bf="$bfk" -v bk="$kb" -v bh="$hb" \
    -v wh="${wakes[holdfast]}" -v wk="${wakes[keepalived]}" -v wf="$(per_second $((bfs1 - bfs0)))" \
    'BEGIN {printf "%-5s %4s %3s %-10s %7s %7s %8.2fx %8.2fx  (holdfastd / floor: master %.2fx, backup %.2fx; backup wakes/s: holdfastd %s, keepalived %s, floor %s)\n",
    "", "", "", "floor/ka", "", "", k ? f / k : 0, bk ? bf / bk : 0, f ? h / f : 0, bf ? bh / bf : 0, wh, wk, wf}'
  printf '%-5s %4s %3s %-10s %7s %7s %9s %9s %9s %9s %9s %9s %5s\n' "$nodes" "$n" "v$family" "asio floor" \
    "$asent" "$abrecv" "$ak" "$abk" - - - - "${fmv:-0}"
  awk -v a="$ak" -v k="$km" -v h="$hm" -v ba="$abk" -v bk="$kb" -v bh="$hb" -v f="$fk" -v bf="$bfk" \
    -v wa="$(per_second $((abs1 - abs0)))" \
    'BEGIN {printf "%-5s %4s %3s %-10s %7s %7s %8.2fx %8.2fx  (asio floor / C floor: master %.2fx, backup %.2fx; holdfastd / asio floor: master %.2fx, backup %.2fx; asio floor wakes/s %s)\n",
    "", "", "", "asio/ka", "", "", k ? a / k : 0, bk ? ba / bk : 0, f ? a / f : 0, bf ? ba / bf : 0, a ? h / a : 0, ba ? bh / ba : 0, wa}'
  awk -v w="$wok" -v bf="$bfk" -v bk="$kb" -v bh="$hb" \
    'BEGIN {printf "%-5s %4s %3s %-10s %7s %7s %9s %9s  (the backup'"'"'s wake-ups alone: %.2fx its floor, %.2fx keepalived, %.2fx holdfastd)\n",
    "", "", "", "wake-only", "", "", "-", w, bf ? w / bf : 0, bk ? w / bk : 0, bh ? w / bh : 0}'
  sleep 1
done

# The floor: what loading holdfastd's libraries costs a process that does nothing.
libs=$(readelf -d "$HOLDFASTD" | sed -n 's/.*Shared library: \[lib\(.*\)\.so.*/-l:lib\1.so/p' | grep -v -e libstdc -e libgcc_s -e 'libc\.' -e libm\.)
printf '#include <unistd.h>\nint main() { pause(); }\n' >"$LAB_DIR/floor.cc"
# shellcheck disable=SC2086
if g++ -O2 "$LAB_DIR/floor.cc" -o "$LAB_DIR/floor" -Wl,--no-as-needed $libs -lstdc++ 2>"$LAB_DIR/floor.err"; then
  "$LAB_DIR/floor" &
  FLOOR=$!
  LAB_PIDS+=("$FLOOR")
  sleep 0.5
  printf 'floor: an empty program linked with holdfastd'"'"'s libraries: rss %s KiB, pss %s KiB\n' \
    "$(bench_mem_kib Rss "$FLOOR")" "$(bench_mem_kib Pss "$FLOOR")"
  lab_stop "$FLOOR"
else
  echo "floor: cannot build the empty program ($(head -1 "$LAB_DIR/floor.err"))"
fi
