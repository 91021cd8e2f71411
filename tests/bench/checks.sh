#!/usr/bin/env bash
# Check engine cost: holdfastd vs haproxy (Debian's 2.6) in the same run. One
# namespace, one nginx on 0.0.0.0:8080; N backends at 127.1.x.y (every one reaches
# that nginx through lo), each checked every 1 s. Per daemon and kind, after a
# warm-up: CPU seconds (user+system, all threads) per 1,000 checks, RSS, and the
# checks actually completed, counted by the kernel (nstat: TCP active opens, ICMP
# echo replies in) and, for HTTP, by nginx's access log. haproxy has no ICMP
# check, so ICMP is holdfastd only. Beside them, the kernel's floor: check_floor.c,
# the fewest system calls a probe can take and nothing else. Then, for each
# daemon, system calls per check counted by strace -c over 3 s (after the CPU
# window: strace's own cost stays out of it). A report, not a test.
#
# Usage: tests/bench/checks.sh [COUNTS] [SECONDS] [KINDS]
#        (default "1000 10000", 30, "http tcp icmp")
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
COUNTS=${1:-"1000 10000"}
SECONDS_RUN=${2:-30}
KINDS=${3:-"http tcp icmp"}
WARMUP=5
source "$HERE/lib.sh"

bench_init checks_bench haproxy nstat strace cc
cc -O2 -o "$LAB_DIR/check_floor" "$HERE/check_floor.c" || lab_fail "check_floor.c does not build"
NS="$LAB-b"
lab_netns_add "$NS"
# The checks' source ports: 10,000 a second for 30 s fit without reuse trouble.
ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
lab_nginx "$NS" web
RESULTS="$LAB_DIR/results.txt"
CLK=$(getconf CLK_TCK)

addr_of() { echo "127.1.$(($1 / 250)).$(($1 % 250 + 1))"; }

holdfast_conf() { # N KIND
  local i
  for ((i = 0; i < $1; i++)); do
    case $2 in
      http) echo "backend b$i { address $(addr_of $i)  check http { port 8080  path /health  interval 1s  timeout 1s  rise 1  fall 1 } }" ;;
      tcp) echo "backend b$i { address $(addr_of $i)  check tcp { port 8080  interval 1s  timeout 1s  rise 1  fall 1 } }" ;;
      icmp) echo "backend b$i { address $(addr_of $i)  check icmp { interval 1s  timeout 1s  rise 1  fall 1 } }" ;;
    esac
  done
}

haproxy_conf() { # N KIND
  cat <<CONF
global
    maxconn 4000
    log stdout format raw local0 err
defaults
    mode $([ "$2" = http ] && echo http || echo tcp)
    timeout connect 1s
    timeout check 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:18080
    default_backend web
backend web
CONF
  [ "$2" = http ] && echo "    option httpchk GET /health"
  echo "    default-server inter 1s fall 1 rise 1"
  local i
  for ((i = 0; i < $1; i++)); do echo "    server s$i $(addr_of $i):8080 check"; done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
counter() { ip netns exec "$NS" nstat -az "$1" | awk -v k="$1" '$1 == k {print $2}'; }
access_lines() { wc -l <"$LAB_DIR/web-nginx-access.log"; }

run() { # DAEMON N KIND
  local daemon=$1 n=$2 kind=$3 tag="$1-$2-$3" pid
  if [ "$daemon" = holdfast ]; then
    holdfast_conf "$n" "$kind" >"$LAB_DIR/$tag.conf"
    lab_spawn "$NS" "$LAB_DIR/$tag.log" "$HOLDFASTD" -l --no-syslog --log-level warning \
      -f "$LAB_DIR/$tag.conf" --pid-file "$LAB_DIR/$tag.pid" --control-socket "$LAB_DIR/$tag.sock"
  elif [ "$daemon" = floor ]; then
    lab_spawn "$NS" "$LAB_DIR/$tag.log" "$LAB_DIR/check_floor" "$n" "$kind" 8080
  else
    haproxy_conf "$n" "$kind" >"$LAB_DIR/$tag.conf"
    lab_spawn "$NS" "$LAB_DIR/$tag.log" haproxy -db -f "$LAB_DIR/$tag.conf"
  fi
  pid=$LAB_PID
  sleep "$WARMUP"
  kill -0 "$pid" 2>/dev/null || lab_fail "$tag: the daemon died (see $tag.log)"
  local c0 t0 e0 a0 c1 t1 e1 a1 rss
  c0=$(cpu_ticks "$pid") t0=$(counter TcpActiveOpens) e0=$(counter IcmpInEchoReps) a0=$(access_lines)
  sleep "$SECONDS_RUN"
  c1=$(cpu_ticks "$pid") t1=$(counter TcpActiveOpens) e1=$(counter IcmpInEchoReps) a1=$(access_lines)
  rss=$(rss_kb "$pid")
  # System calls per check: strace -c on every thread for 3 s, checks counted
  # by the kernel over the same window.
  local s0 s1 calls
  s0=$(counter TcpActiveOpens)
  [ "$kind" = icmp ] && s0=$(counter IcmpInEchoReps)
  timeout -s INT 3 strace -f -c -o "$LAB_DIR/$tag.strace" -p "$pid" 2>/dev/null
  s1=$(counter TcpActiveOpens)
  [ "$kind" = icmp ] && s1=$(counter IcmpInEchoReps)
  calls=$(awk '$NF == "total" {print $4}' "$LAB_DIR/$tag.strace")
  lab_stop "$pid"
  local done=$((t1 - t0))
  [ "$kind" = icmp ] && done=$((e1 - e0))
  echo "$daemon $n $kind $((c1 - c0)) $done $((a1 - a0)) $rss ${calls:-0} $((s1 - s0))" >>"$RESULTS"
  printf '  %-9s %6d %-4s  cpu %6.2fs  checks %7d (nginx saw %7d)  rss %6d KiB\n' "$daemon" "$n" \
    "$kind" "$(python3 -c "print(($c1 - $c0) / $CLK)")" "$done" "$((a1 - a0))" "$rss"
}

echo "check engine benchmark: $SECONDS_RUN s per run after $WARMUP s warm-up, checks every 1 s"
echo "holdfastd: $("$HOLDFASTD" --version)   haproxy: $(haproxy -v | head -1)"
for n in $COUNTS; do
  for kind in $KINDS; do
    run holdfast "$n" "$kind"
    [ "$kind" != icmp ] && run haproxy "$n" "$kind"
    [ "$kind" != icmp ] && run floor "$n" "$kind"
  done
done

python3 - "$RESULTS" "$CLK" "$SECONDS_RUN" <<'PY'
import sys
clk, secs = int(sys.argv[2]), int(sys.argv[3])
rows = [l.split() for l in open(sys.argv[1])]
print()
print("%-9s %6s %-5s %12s %10s %14s %8s %10s %13s %12s" % ("daemon", "N", "kind", "checks done",
      "expected", "cpu s/1000chk", "vs floor", "RSS MiB", "RSS KiB/bknd", "syscalls/chk"))
floor = {}
for d, n, k, ticks, done, seen, rss, calls, traced in rows:
    if d == "floor" and int(done):
        floor[(n, k)] = (int(ticks) / clk) / (int(done) / 1000.0)
for d, n, k, ticks, done, seen, rss, calls, traced in rows:
    per = (int(ticks) / clk) / (int(done) / 1000.0) if int(done) else float("nan")
    vs = "%7.2fx" % (per / floor[(n, k)]) if (n, k) in floor else "%8s" % "-"
    sc = int(calls) / float(traced) if int(traced) else float("nan")
    print("%-9s %6d %-5s %12d %10d %14.4f %8s %10.1f %13.2f %12.1f" % (d, int(n), k, int(done),
          int(n) * secs, per, vs, int(rss) / 1024.0, int(rss) / float(n), sc))
print()
print("checks done: TCP connections opened (http, tcp) or ICMP echo replies received (icmp),")
print("counted by the namespace's kernel (nstat) over the measured window. floor: check_floor.c,")
print("the fewest system calls a probe can make (no parser, no timeout timer, nothing else).")
print("syscalls/chk: strace -c -f over 3 s after the window, divided by the checks in those 3 s.")
PY
