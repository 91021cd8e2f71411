#!/usr/bin/env bash
# virtual_routes, virtual_rules and virtual_ipaddress_excluded follow the master;
# static_ipaddress, static_routes and static_rules are on both nodes while holdfastd
# runs. Read back from the kernel (ip route show table all, ip rule, ip addr):
#   - on the master and not on the backup; the static ones on both;
#   - holdfastctl vrrp shows them installed;
#   - removed by hand (a virtual route, rule and excluded address on the master, a
#     static route on the backup): put back, with no transition;
#   - a failover moves them; a stopped node keeps nothing (keepalived removes its static
#     ones at stop too);
#   - SIGKILL of the master, restart as backup: the crashed run's virtual routes, rules
#     and addresses are removed, the static ones are there once (no duplicates).
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"

lab_init virtual_routes 150
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"

write() { # NODE PRIORITY STATIC_ADDRESS
  cat >"$LAB_DIR/$1.conf" <<CONF
static_ipaddress {
    $3/24 dev eth0
}
static_routes {
    203.0.113.0/25 dev eth0 table 100
    blackhole 203.0.113.128/25 table 100
}
static_rules {
    from 192.0.2.128/25 table 100 preference 100
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 81
    version 3
    advert_int 0.2
    priority $2
    virtual_ipaddress {
        192.0.2.100/24
    }
    virtual_ipaddress_excluded {
        192.0.2.101/24
        2001:db8::101/64
    }
    virtual_routes {
        src 192.0.2.100 to 198.51.100.0/24 via 192.0.2.254 dev eth0
        blackhole 198.51.100.64/26
        2001:db8:7::/64 via 2001:db8::254 dev eth0 table 200
    }
    virtual_rules {
        from 192.0.2.100 table 200 preference 300
        from 2001:db8::101 table 200 preference 301
    }
}
CONF
}

# Everything of NS at once: routes of both families in every table (`ip route show
# table all` alone lists IPv6 too: -4 and -6 apart, so that each appears once), rules,
# addresses.
snap() {
  ip -n "$1" -4 route show table all && ip -n "$1" -6 route show table all &&
    ip -n "$1" -4 rule show && ip -n "$1" -6 rule show && ip -n "$1" -o addr show dev eth0
}
count() { # NS PATTERN: lines of the snapshot matching PATTERN (fixed)
  local s
  s=$(snap "$1") || return 1
  grep -cF -- "$2" <<<"$s"
}
has() { [ "$(count "$1" "$2")" -ge 1 ]; }
# each TEXT N PATTERN...: every PATTERN is N times in TEXT
each() {
  local text=$1 n=$2 p
  shift 2
  for p in "$@"; do [ "$(grep -cF -- "$p" <<<"$text")" -eq "$n" ] || return 1; done
}

VROUTE="198.51.100.0/24 via 192.0.2.254 dev eth0 proto keepalived src 192.0.2.100"
VBLACK="blackhole 198.51.100.64/26 proto keepalived"
VROUTE6="2001:db8:7::/64 via 2001:db8::254 dev eth0 table 200 proto keepalived"
VRULE="300:	from 192.0.2.100 lookup 200 proto keepalived"
VRULE6="301:	from 2001:db8::101 lookup 200 proto keepalived"
SROUTE="203.0.113.0/25 dev eth0 table 100 proto keepalived"
SBLACK="blackhole 203.0.113.128/25 table 100 proto keepalived"
SRULE="100:	from 192.0.2.128/25 lookup 100 proto keepalived"
VIRTUAL=("$VROUTE" "$VBLACK" "$VROUTE6" "$VRULE" "$VRULE6" "inet 192.0.2.101/24" "inet6 2001:db8::101/64")
STATIC=("$SROUTE" "$SBLACK" "$SRULE")

on_master() { # NS: every virtual item is there once
  local s
  s=$(snap "$1") && each "$s" 1 "${VIRTUAL[@]}"
}
none_virtual() { # NS
  local s
  s=$(snap "$1") && each "$s" 0 "${VIRTUAL[@]}"
}
statics_once() { # NS STATIC_ADDRESS
  local s
  s=$(snap "$1") && each "$s" 1 "${STATIC[@]}" "inet $2/24"
}
nothing_left() { # NS STATIC_ADDRESS
  local s
  s=$(snap "$1") && each "$s" 0 "${VIRTUAL[@]}" "${STATIC[@]}" "inet $2/24" "proto keepalived"
}
show() { # NS: for a failure's context
  snap "$1" | sed "s/^/  $1: /" >&2
}
# await DESC SECONDS NS CMD...: lab_wait that shows NS's routes, rules and addresses
# when it times out.
await() {
  local desc=$1 seconds=$2 ns=$3 i
  shift 3
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  show "$ns"
  lab_fail "timed out after ${seconds}s waiting for: $desc"
}

write r1 150 192.0.2.51
write r2 100 192.0.2.52
lab_holdfastd "$R1" r1
A=$LAB_PID
lab_holdfastd "$R2" r2
B=$LAB_PID
lab_wait "r1 to be master" 10 lab_has_vip "$R1" 192.0.2.100
await "r1's virtual routes, rules and addresses" 5 "$R1" on_master "$R1"
statics_once "$R1" 192.0.2.51 || { show "$R1"; lab_fail "r1's static ones are not there once"; }
await "r2's static ones" 5 "$R2" statics_once "$R2" 192.0.2.52
none_virtual "$R2" || { show "$R2"; lab_fail "the backup has virtual routes, rules or addresses"; }
echo "ok: on the master, not on the backup; static ones on both"

json=$(lab_ctl r1 vrrp VI_1 --json)
[ "$(echo "$json" | lab_json 'instances[0].kept[1].what' 'instances[0].kept[1].installed')" = \
  "2001:db8::101/64 dev eth0 true" ] || lab_fail "holdfastctl vrrp --json: $json"
n=$(echo "$json" | "$LAB_PYTHON" -c 'import json,sys; k=json.load(sys.stdin)["instances"][0]["kept"]; print(sum(1 for i in k if i["installed"]), len(k))')
[ "$n" = "7 7" ] || lab_fail "holdfastctl vrrp --json: $n of the 7 items installed: $json"
text=$(lab_ctl r1 vrrp VI_1)
echo "$text" | grep -qF "virtual route     198.51.100.0/24 via 192.0.2.254 dev eth0 proto keepalived src 192.0.2.100 (installed)" ||
  lab_fail "holdfastctl vrrp does not show the virtual route installed: $text"
json2=$(lab_ctl r2 vrrp VI_1 --json)
[ "$(echo "$json2" | lab_json 'instances[0].kept[2].installed')" = false ] ||
  lab_fail "the backup reports a virtual route installed: $json2"
echo "ok: holdfastctl vrrp shows them, installed on the master only"

# --- removed by hand: put back, no transition --------------------------------
before=$(lab_vrrp r1 VI_1 counters.transitions)
lab_exec "$R1" ip route del 198.51.100.0/24 via 192.0.2.254 dev eth0 proto keepalived
lab_exec "$R1" ip -6 route del 2001:db8:7::/64 table 200
lab_exec "$R1" ip rule del preference 300
lab_exec "$R1" ip addr del 192.0.2.101/24 dev eth0
lab_exec "$R2" ip route del 203.0.113.0/25 table 100
lab_exec "$R2" ip rule del preference 100
await "r1 to put back its virtual route, rule and address" 5 "$R1" on_master "$R1"
await "r2 to put back its static route and rule" 5 "$R2" statics_once "$R2" 192.0.2.52
[ "$(lab_vrrp r1 VI_1 counters.transitions state)" = "$before MASTER" ] ||
  lab_fail "putting back made a transition: $(lab_vrrp r1 VI_1 counters.transitions state)"
grep -qF "route 198.51.100.0/24 via 192.0.2.254 dev eth0 proto keepalived src 192.0.2.100 was removed behind holdfast's back; put back" \
  "$LAB_DIR/r1.log" || lab_fail "no log line for the route put back"
[ "$(lab_ctl r1 vrrp VI_1 --json | lab_json 'instances[0].kept[2].put_back')" = 1 ] ||
  lab_fail "put_back is not counted"
echo "ok: removed by hand, put back without a transition"

# --- a reload adds a virtual route and a static rule in place, then takes them out --
cp "$LAB_DIR/r1.conf" "$LAB_DIR/r1.orig"
sed -i 's|^        blackhole 198.51.100.64/26$|&\n        unreachable 198.51.100.96/27|; s|^    from 192.0.2.128/25 table 100 preference 100$|&\n    to 198.51.100.96/27 table 100 preference 101|' \
  "$LAB_DIR/r1.conf"
grep -qF "unreachable 198.51.100.96/27" "$LAB_DIR/r1.conf" || lab_fail "the test's sed did not apply"
ADDED=("unreachable 198.51.100.96/27 proto keepalived" "101:	from all to 198.51.100.96/27 lookup 100 proto keepalived")
with_added() { local s; s=$(snap "$1") && each "$s" 1 "${ADDED[@]}" && each "$s" 1 "${VIRTUAL[@]}"; }
without_added() { local s; s=$(snap "$1") && each "$s" 0 "${ADDED[@]}" && each "$s" 1 "${VIRTUAL[@]}"; }
out=$(lab_ctl r1 reload --json) || lab_fail "r1 refused the reload: $out"
summary=$(lab_json summary <<<"$out")
[ "$summary" = "reload applied: instances kept none; changed in place VI_1 (virtual_routes); added none; removed none; restarted none; static addresses, routes and rules changed; backends unchanged" ] ||
  lab_fail "reload summary: $summary"
await "the reload's route and rule on r1" 5 "$R1" with_added "$R1"
cp "$LAB_DIR/r1.orig" "$LAB_DIR/r1.conf"
out=$(lab_ctl r1 reload --json) || lab_fail "r1 refused the reload back: $out"
await "the reload back to take them out" 5 "$R1" without_added "$R1"
[ "$(lab_vrrp r1 VI_1 counters.transitions state)" = "$before MASTER" ] ||
  lab_fail "the reloads made a transition: $(lab_vrrp r1 VI_1 counters.transitions state)"
echo "ok: a reload adds and removes a virtual route and a static rule in place"

# --- failover and a clean stop ------------------------------------------------
kill -TERM "$A"
wait "$A"
lab_wait "r2 to take over" 5 lab_has_vip "$R2" 192.0.2.100
await "r2's virtual routes, rules and addresses" 5 "$R2" on_master "$R2"
nothing_left "$R1" 192.0.2.51 || { show "$R1"; lab_fail "r1 left something at stop"; }
echo "ok: a failover moves them; a stopped node keeps nothing"

# --- crash of the master, restart as backup -----------------------------------
lab_holdfastd "$R1" r1
A=$LAB_PID
lab_wait "r1 to take back the master role" 10 lab_has_vip "$R1" 192.0.2.100
await "r1's virtual items" 5 "$R1" on_master "$R1"
await "r2 to drop them" 5 "$R2" none_virtual "$R2"
kill -KILL "$A"
wait "$A" 2>/dev/null
lab_wait "r2 to take over after the crash" 5 lab_has_vip "$R2" 192.0.2.100
# What the crashed run left, as a crash leaves it (the kernel dropped only the route
# whose source was the VIP, with the VIP, if anything removed it).
has "$R1" "$VBLACK" || { show "$R1"; lab_fail "the crash left no blackhole route: the test proves nothing"; }
has "$R1" "$VRULE" || { show "$R1"; lab_fail "the crash left no rule: the test proves nothing"; }
write r1 50 192.0.2.51  # now lower than r2: it stays backup
lab_holdfastd "$R1" r1
A=$LAB_PID
await "r1 to clean what the crashed run left" 5 "$R1" none_virtual "$R1"
await "r1's static ones, once" 5 "$R1" statics_once "$R1" 192.0.2.51
sleep 1
[ "$(lab_vrrp r1 VI_1 state)" = BACKUP ] || lab_fail "r1 is $(lab_vrrp r1 VI_1 state), not BACKUP"
none_virtual "$R1" || { show "$R1"; lab_fail "the backup has virtual routes"; }
on_master "$R2" || { show "$R2"; lab_fail "r2 lost its virtual routes"; }
grep -qF "removed VIP" "$LAB_DIR/r1.log" || lab_fail "r1 does not log the stale VIP it removed"
echo "ok: after a crash, stale virtual routes, rules and addresses are removed; static ones once"

kill -TERM "$A" "$B"
wait "$A" "$B"
nothing_left "$R1" 192.0.2.51 || { show "$R1"; lab_fail "r1 left something at stop"; }
nothing_left "$R2" 192.0.2.52 || { show "$R2"; lab_fail "r2 left something at stop"; }
echo "ok: both stopped, nothing left"
