# Shared setup of the benchmarks (sourced after HERE is set): the lab library,
# a private copy of holdfastd, and the daemons and captures every benchmark starts.
#
#   bench_init NAME [COMMAND...]  lab_init NAME (1 h), after checking that holdfastd
#                                 is built and each COMMAND installed; HOLDFASTD then
#                                 points at a copy, so a rebuild during the run does
#                                 not swap the binary being measured
#   bench_daemon DAEMON NS NAME   holdfast|keepalived in NS with $LAB_DIR/NAME.conf,
#                                 logging to NAME.log (pid in LAB_PID)
#   bench_capture NS FILE ARGS... tcpdump ARGS... writing FILE, started and listening
#                                 (pid in LAB_PID)
#   bench_pids DAEMON NAME        the pids of the daemon bench_daemon started as NAME,
#                                 one a line (keepalived: the parent and its children)
#   bench_cpu_ns PID...           ns on a CPU, all threads of all PIDs (schedstat)
#   bench_slices PID...           times a thread of the PIDs was put on a CPU, i.e.
#                                 wake-ups, and preemptions (schedstat)
#   bench_mem_kib FIELD PID...    Rss or Pss (smaps_rollup), KiB, summed
#   bench_vrrp_conf FILE N FAMILY PRIORITY  a keepalived.conf both daemons read: N
#                                 instances (VRIDs 1..N, VRRPv3, advert_int 0.1, one
#                                 /32 or /128 VIP each, FAMILY 4 or 6) at PRIORITY
#   bench_all_vips NS N           NS's eth0 holds N VIPs of bench_vrrp_conf (poll it
#                                 with lab_wait)

HOLDFASTD=${HOLDFASTD:-$HERE/../../build/holdfastd}
source "$HERE/../lab/lib.sh"

bench_init() {
  local name=$1 cmd
  shift
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null || { echo "$cmd is not installed (tools/install-deps)" >&2; exit 1; }
  done
  [ -x "$HOLDFASTD" ] || { echo "build holdfastd first ($HOLDFASTD)" >&2; exit 1; }
  lab_init "$name" 3600
  cp "$HOLDFASTD" "$LAB_DIR/holdfastd"
  HOLDFASTD="$LAB_DIR/holdfastd"
}

bench_daemon() {
  local daemon=$1 ns=$2 name=$3
  if [ "$daemon" = holdfast ]; then
    lab_spawn "$ns" "$LAB_DIR/$name.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/$name.conf" \
      --pid-file "$LAB_DIR/$name.pid" --control-socket "$LAB_DIR/$name.sock" \
      --state-dir "$LAB_DIR/$name.state"
  else
    lab_spawn "$ns" "$LAB_DIR/$name.log" keepalived -n -l -G -P -f "$LAB_DIR/$name.conf" \
      -p "$LAB_DIR/$name.pid" -r "$LAB_DIR/$name-vrrp.pid"
  fi
}

bench_capture() {
  local ns=$1 file=$2
  shift 2
  lab_spawn "$ns" "$file.txt" tcpdump -U -n -w "$file" "$@"
  local pid=$LAB_PID
  lab_wait "capture to start" 5 grep -q listening "$file.txt"
  LAB_PID=$pid
}

bench_pids() {
  local pid
  pid=$(cat "$LAB_DIR/$2.pid" 2>/dev/null) || return 1
  echo "$pid"
  [ "$1" = keepalived ] && cat "/proc/$pid/task/"*/children 2>/dev/null | tr -s ' ' '\n' | grep .
  return 0
}

bench_cpu_ns() {
  local t=0 p f ns
  for p in "$@"; do
    for f in /proc/"$p"/task/*/schedstat; do
      read -r ns _ <"$f" 2>/dev/null && t=$((t + ns))
    done
  done
  echo "$t"
}

bench_slices() {
  local t=0 p f n
  for p in "$@"; do
    for f in /proc/"$p"/task/*/schedstat; do
      read -r _ _ n <"$f" 2>/dev/null && t=$((t + n))
    done
  done
  echo "$t"
}

bench_mem_kib() {
  local field=$1 t=0 p v
  shift
  for p in "$@"; do
    v=$(awk -v f="$field:" '$1 == f {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)
    t=$((t + ${v:-0}))
  done
  echo "$t"
}

bench_vrrp_conf() { # FILE N FAMILY PRIORITY
  local file=$1 n=$2 family=$3 prio=$4 i vip
  printf 'global_defs {\n    vrrp_version 3\n}\n' >"$file"
  for ((i = 1; i <= n; i++)); do
    if [ "$family" = 6 ]; then vip="2001:db8:100::$i/128"; else vip="198.51.100.$i/32"; fi
    cat >>"$file" <<CONF
vrrp_instance VI_$i {
    state BACKUP
    interface eth0
    virtual_router_id $i
    priority $prio
    advert_int 0.1
    virtual_ipaddress {
        $vip
    }
}
CONF
  done
}

bench_all_vips() { # NS N
  local got
  got=$(ip -n "$1" -o addr show dev eth0 | grep -cE " (198\.51\.100\.|2001:db8:100::)")
  [ "$got" -ge "$2" ]
}
