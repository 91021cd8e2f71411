#!/usr/bin/env bash
# Reload fuzz: a running master is sent SIGHUP over a sequence of mutated configs
# (tests/lab/config_mutate.py: dropped tokens and lines, unbalanced braces, values
# out of range, unknown keywords, typographic quotes, garbage bytes, truncation,
# a missing interface, ...). It never dies; a refused config (an error, or a
# tolerated mistake the running config does not have) is logged with file:line and
# never moves the VIP or changes a state; an accepted one is
# followed by the good config again. RELOAD_FUZZ_COUNT mutations (default 40),
# RELOAD_FUZZ_SEED to replay a run.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd [PATH/TO/holdfastctl]}
COUNT=${RELOAD_FUZZ_COUNT:-40}
SEED=${RELOAD_FUZZ_SEED:-$RANDOM}
source "$(dirname "$0")/lib.sh"
HERE="$(dirname "$0")"

lab_init reload_fuzz $((90 + COUNT * 3))
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
echo "seed $SEED (replay: RELOAD_FUZZ_SEED=$SEED RELOAD_FUZZ_COUNT=$COUNT)"

write() { # FILE PRIORITY
  cat >"$1" <<CONF
global_defs {
    router_id lb
}
backend nginx_local {
    address 127.0.0.1
    check http { port 8080  path /health  interval 200ms  timeout 150ms  rise 1  fall 2 }
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
    track_backend {
        nginx_local weight -60
    }
}
CONF
}
lab_nginx "$R1" n1
write "$LAB_DIR/good.conf" 150
cp "$LAB_DIR/good.conf" "$LAB_DIR/a.conf"
write "$LAB_DIR/b.conf" 100
lab_spawn "$R1" "$LAB_DIR/a.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/a.conf" --pid-file "$LAB_DIR/a.pid" \
  --control-socket "$LAB_DIR/a.sock"
A=$LAB_PID
lab_wait "r1 master" 15 lab_has_vip "$R1" 192.0.2.100
lab_wait "r1 at full priority" 10 grep -qF "VI_1: priority 90 -> 150" "$LAB_DIR/a.log"
lab_spawn "$R2" "$LAB_DIR/b.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/b.conf" --pid-file "$LAB_DIR/b.pid" \
  --control-socket "$LAB_DIR/b.sock"
sleep 2
reloads() { grep -cE "reload (applied|refused)" "$LAB_DIR/a.log"; }
# (a function, so that lab_wait counts again at each poll)
reloaded_since() { [ "$(reloads)" -gt "$1" ]; }
transitions() { grep -cE "VI_1: [A-Z]+ -> [A-Z]+" "$1"; }
hup_and_wait() { # the reload's outcome line appears
  local before
  before=$(reloads)
  kill -HUP "$A" || lab_fail "holdfastd is gone"
  lab_wait "reload $i outcome" 10 reloaded_since "$before"
}

refused=0 applied=0
declare -A kinds
for ((i = 1; i <= COUNT; i++)); do
  kind=$(python3 "$HERE/config_mutate.py" "$LAB_DIR/good.conf" "$LAB_DIR/a.conf" $((SEED + i)))
  ta=$(transitions "$LAB_DIR/a.log")
  tb=$(transitions "$LAB_DIR/b.log")
  n=$(wc -l <"$LAB_DIR/a.log")
  hup_and_wait
  tail -n +"$((n + 1))" "$LAB_DIR/a.log" >"$LAB_DIR/this.log"
  kill -0 "$A" 2>/dev/null || lab_fail "holdfastd died on mutation $i ($kind)"
  if grep -q "reload refused" "$LAB_DIR/this.log"; then
    refused=$((refused + 1))
    kinds[$kind]=$((${kinds[$kind]:-0} + 1))
    # Every error names the file and line it is about.
    bad=$(grep -F ": error: " "$LAB_DIR/this.log" | grep -vE "error: $LAB_DIR/a\.conf:[0-9]+(:[0-9]+)?: error: " | grep -v "reload refused" || true)
    [ -z "$bad" ] || lab_fail "mutation $i ($kind): an error without file:line: $bad"
    grep -qE "error: $LAB_DIR/a\.conf:[0-9]+(:[0-9]+)?: error: |reload refused: cannot start" "$LAB_DIR/this.log" ||
      { grep -qF "new tolerated mistake(s)" "$LAB_DIR/this.log" &&
        grep -qE "warning: $LAB_DIR/a\.conf:[0-9]+(:[0-9]+)?: warning: " "$LAB_DIR/this.log"; } ||
      lab_fail "mutation $i ($kind): refused without saying where: $(cat "$LAB_DIR/this.log")"
    sleep 0.3
    lab_has_vip "$R1" 192.0.2.100 || lab_fail "mutation $i ($kind): a refused config moved the VIP"
    [ "$(transitions "$LAB_DIR/a.log")" = "$ta" ] && [ "$(transitions "$LAB_DIR/b.log")" = "$tb" ] ||
      lab_fail "mutation $i ($kind): a refused config changed a state"
  else
    applied=$((applied + 1))
    # An accepted mutation may move things; put the good config back.
    cp "$LAB_DIR/good.conf" "$LAB_DIR/a.conf"
    hup_and_wait
    lab_wait "r1 master again after mutation $i ($kind)" 10 lab_has_vip "$R1" 192.0.2.100
    lab_wait "r1 back at 150" 10 bash -c "! ip netns exec $R2 ip -o addr show dev eth0 | grep -qF ' 192.0.2.100/'"
  fi
done
summary=""
for k in "${!kinds[@]}"; do summary+="$k ${kinds[$k]}, "; done
echo "ok: $COUNT mutated configs: $refused refused (${summary%, }), $applied accepted and undone; holdfastd never died, never moved the VIP for a refused config"
echo "PASS reload_fuzz"
