#!/usr/bin/env bash
# What one wake-up of a VRRP loop costs, and where it goes: N instances (VRRPv3,
# advert_int 0.1, as vrrp_cost.sh) on a LAN of two routers, r1 master (priority 200),
# r2 backup (100). The traced side (ROLE backup: r2, master: r1) runs TARGET, the other
# side holdfastd. After SETTLE s (default 18, past holdfastd's second pass over its
# start-up pages) the kernel's sched_switch and raw_syscalls events of the target's
# threads are recorded for SECONDS in an ftrace instance of its own (the host's
# global trace settings are left alone), and wake_trace.py prints, per thread: the
# wake-ups, their time on a CPU, the time in each system call and the user time
# between consecutive calls. A wake-up of a backup of 10 moves 2-5 times between runs
# of the same binary on the development VM: compare variants alternately, several
# times (ROUNDS), never one trace against another taken later.
#   TARGET   holdfastd (default; TARGET_HOLDFASTD= another binary for the traced side
#            only), asio (asio_floor.cc) or c (backup_floor.c / advert_floor.c): the
#            floors vrrp_cost.sh measures
# A report, not a test.
#   [ROLE=backup|master] [TARGET=holdfastd|asio|c] [TARGET_HOLDFASTD=path] [ROUNDS=n] [SETTLE=s]
#     tests/bench/wake_trace.sh [N] [SECONDS]          default 10 instances, 10 s
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
N=${1:-10}
SECONDS_RUN=${2:-10}
ROLE=${ROLE:-backup}
TARGET=${TARGET:-holdfastd}
ROUNDS=${ROUNDS:-1}
SETTLE=${SETTLE:-18}
case $ROLE in backup | master) ;; *) echo "ROLE is backup or master" >&2; exit 2 ;; esac
case $TARGET in holdfastd | asio | c) ;; *) echo "TARGET is holdfastd, asio or c" >&2; exit 2 ;; esac
if ! [[ $N =~ ^[0-9]+$ ]] || [ "$N" -lt 1 ] || [ "$N" -gt 255 ]; then
  echo "N is 1..255" >&2
  exit 2
fi
if ! [[ $SECONDS_RUN =~ ^[0-9]+$ ]] || [ "$SECONDS_RUN" -lt 1 ] || [ "$SECONDS_RUN" -gt 120 ]; then
  echo "SECONDS is 1..120" >&2
  exit 2
fi
source "$HERE/lib.sh"
bench_init wake_trace
TARGET_BIN=$HOLDFASTD
if [ -n "${TARGET_HOLDFASTD:-}" ]; then
  [ -x "$TARGET_HOLDFASTD" ] || lab_fail "TARGET_HOLDFASTD $TARGET_HOLDFASTD is not an executable"
  cp "$TARGET_HOLDFASTD" "$LAB_DIR/holdfastd-target"
  TARGET_BIN=$LAB_DIR/holdfastd-target
fi

TRACEFS=/sys/kernel/tracing
MOUNTED=0 INSTANCE=""
trace_cleanup() {
  if [ -n "$INSTANCE" ] && [ -d "$INSTANCE" ]; then
    echo 0 >"$INSTANCE/tracing_on"
    echo >"$INSTANCE/set_event"
    rmdir "$INSTANCE"
  fi
  [ "$MOUNTED" = 1 ] && umount "$TRACEFS"
}
on_exit() {
  local rc=$?
  trace_cleanup
  (exit "$rc")
  lab_cleanup # reads the status of the line before
}
trap on_exit EXIT
if [ ! -e "$TRACEFS/instances" ]; then
  mount -t tracefs nodev "$TRACEFS" || lab_fail "tracefs is not mounted and cannot be"
  MOUNTED=1
fi
INSTANCE="$TRACEFS/instances/holdfast-$LAB"
mkdir "$INSTANCE" || lab_fail "cannot make the ftrace instance $INSTANCE"

case $TARGET in
  asio) g++ -O2 -std=c++20 -o "$LAB_DIR/asio_floor" "$HERE/asio_floor.cc" || lab_fail "asio_floor.cc does not build" ;;
  c) cc -O2 -o "$LAB_DIR/advert_floor" "$HERE/advert_floor.c" || lab_fail "advert_floor.c does not build"
    cc -O2 -o "$LAB_DIR/backup_floor" "$HERE/backup_floor.c" || lab_fail "backup_floor.c does not build" ;;
esac
lab_switch
lab_router 1
lab_router 2
bench_vrrp_conf "$LAB_DIR/r1.conf" "$N" 4 200
bench_vrrp_conf "$LAB_DIR/r2.conf" "$N" 4 100
src=$(ip -n "$LAB-r1" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1 | head -1)
life=$((SETTLE + SECONDS_RUN + 10))
# The traced side (r2 as backup, r1 as master) and holdfastd on the other.
target_node=2 peer_node=1
[ "$ROLE" = master ] && target_node=1 peer_node=2
case $TARGET/$ROLE in
  asio/master) floor=("$LAB_DIR/asio_floor" master eth0 "$src" "$N" 100 200 "$life") ;;
  asio/backup) floor=("$LAB_DIR/asio_floor" backup eth0 361 "$life") ;;
  c/master) floor=("$LAB_DIR/advert_floor" eth0 "$src" "$N" 100 200 "$life") ;;
  c/backup) floor=("$LAB_DIR/backup_floor" eth0 361 "$life") ;;
esac

for ((round = 1; round <= ROUNDS; round++)); do
  # The peer first: a backup finds its master in place.
  cp "$LAB_DIR/r$peer_node.conf" "$LAB_DIR/peer.conf"
  bench_daemon holdfast "$LAB-r$peer_node" peer
  PEER=$LAB_PID
  [ "$ROLE" = backup ] && lab_wait "holdfastd r1 master of $N" 60 bench_all_vips "$LAB-r1" "$N"
  if [ "$TARGET" = holdfastd ]; then
    cp "$LAB_DIR/r$target_node.conf" "$LAB_DIR/target.conf"
    HOLDFASTD=$TARGET_BIN bench_daemon holdfast "$LAB-r$target_node" target
  else
    lab_spawn "$LAB-r$target_node" "$LAB_DIR/target.log" "${floor[@]}"
  fi
  PID=$LAB_PID
  sleep "$SETTLE"
  kill -0 "$PID" 2>/dev/null || lab_fail "the $TARGET $ROLE exited"
  echo 0 >"$INSTANCE/tracing_on"
  echo >"$INSTANCE/trace"
  echo 8192 >"$INSTANCE/buffer_size_kb"
  tids=$(cd "/proc/$PID/task" && echo *)
  echo "$tids" >"$INSTANCE/set_event_pid"
  echo 'sched:sched_switch raw_syscalls:sys_enter raw_syscalls:sys_exit' >"$INSTANCE/set_event" ||
    lab_fail "the kernel has no sched_switch or raw_syscalls events"
  echo 1 >"$INSTANCE/tracing_on"
  sleep "$SECONDS_RUN"
  echo 0 >"$INSTANCE/tracing_on"
  cp "$INSTANCE/trace" "$LAB_DIR/trace-$round.txt"
  echo >"$INSTANCE/set_event"
  echo >"$INSTANCE/set_event_pid"
  kept=$(grep -m1 entries-in-buffer "$LAB_DIR/trace-$round.txt")
  echo "round $round: $ROLE of $N, $TARGET, ${SECONDS_RUN} s (${kept#\# })"
  read -ra tid_list <<<"$tids"
  "$LAB_PYTHON" "$HERE/wake_trace.py" "$LAB_DIR/trace-$round.txt" 3 "${tid_list[@]}"
  lab_stop "$PID"
  lab_stop "$PEER"
  sleep 1
done
