#!/usr/bin/env bash
# The holdfast demo: two load-balancer routers and a client in network namespaces on
# one bridge. Shows the config check, both daemons starting, a typo caught at reload
# without disturbing the running daemon, and a clean stop; then the same pair with
# native checks: each router's own nginx checked over HTTP, its failure moving the
# VIP within milliseconds, and holdfastctl saying why. Nothing leaves the lab's namespaces, and the lab is
# removed at the end.
set -uo pipefail
HOLDFASTD=$(realpath "${1:-build/holdfastd}")
HOLDFASTCTL=$(realpath "${2:-build/holdfastctl}")
source "$(dirname "$0")/../../tests/lab/lib.sh"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

lab_init demo 180
step "Lab: routers lb1 (192.0.2.11) and lb2 (192.0.2.12), a client (192.0.2.250), one bridge"
lab_switch
lab_router 1
lab_router 2
lab_client
lab_wait "lb1 to reach lb2" 10 lab_exec "$LAB-r1" ping -c1 -W1 192.0.2.12
for n in 1 2; do
  prio=$((101 - n))
  state=$([ "$n" = 1 ] && echo MASTER || echo BACKUP)
  cat >"$LAB_DIR/lb$n.conf" <<CONF
! The classic nginx pair, as the guides write it.
global_defs {
   notification_email {
     admin@example.com
   }
   smtp_server 127.0.0.1
   router_id LB$n
}

vrrp_script check_nginx {
    script "/bin/true"
    interval 2
    weight -20
    fall 3
    rise 2
}

vrrp_instance VI_1 {
    state $state
    interface eth0
    virtual_router_id 51
    priority $prio
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
    track_script {
        check_nginx
    }
}
CONF
done

step "holdfastd -t -f lb1.conf: a keepalived config, checked"
"$HOLDFASTD" -t -f "$LAB_DIR/lb1.conf"

step "Start holdfastd on lb1 and lb2"
for n in 1 2; do
  lab_spawn "$LAB-r$n" "$LAB_DIR/lb$n.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/lb$n.conf" \
    --pid-file "$LAB_DIR/lb$n.pid" --control-socket "$LAB_DIR/lb$n.sock"
  eval "PID$n=$LAB_PID"
  lab_wait "lb$n to start" 10 grep -q "started with" "$LAB_DIR/lb$n.log"
done
cat "$LAB_DIR/lb1.log" "$LAB_DIR/lb2.log"

step "lb1 (priority 100) wins the election and holds the VIP; the client reaches it"
lab_wait "lb1 to hold the VIP" 10 lab_has_vip "$LAB-r1" 192.0.2.100
lab_exec "$LAB-r1" ip -br addr show dev eth0
lab_exec "$LAB-c" ping -c2 -W1 192.0.2.100 | grep -E "bytes from|packet loss"
echo "client's neighbour entry: $(lab_exec "$LAB-c" ip neigh show 192.0.2.100)  (lb1 is $(lab_mac "$LAB-r1"))"

step "SIGKILL lb1: lb2 waits out Master_Down_Interval, takes the VIP and sends gratuitous ARP"
kill -KILL "$PID1"
wait "$PID1" 2>/dev/null
lab_wait "lb2 to take the VIP" 10 lab_has_vip "$LAB-r2" 192.0.2.100
grep -E "MASTER|VIP" "$LAB_DIR/lb2.log"
lab_exec "$LAB-c" ping -c2 -W1 192.0.2.100 | grep -E "packet loss"
echo "client's neighbour entry: $(lab_exec "$LAB-c" ip neigh show 192.0.2.100)  (lb2 is $(lab_mac "$LAB-r2"))"

step "Restart lb1: it removes the VIP its killed run left behind, then takes the VIP back (state MASTER, higher priority)"
lab_spawn "$LAB-r1" "$LAB_DIR/lb1.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/lb1.conf" \
  --pid-file "$LAB_DIR/lb1.pid" --control-socket "$LAB_DIR/lb1.sock"
PID1=$LAB_PID
lab_wait "lb1 to take the VIP back" 10 grep -q -- "-> MASTER" "$LAB_DIR/lb1.log"
grep -E "stale|left by|MASTER|VIP" "$LAB_DIR/lb1.log" | tail -n 4

step "A typo in lb1's config, then SIGHUP: refused with file:line, the daemon keeps running"
sed -i 's/priority 100/priorty 100/; s/advert_int 1/advert_int 0.5/' "$LAB_DIR/lb1.conf"
kill -HUP "$PID1"
lab_wait "the reload to be refused" 10 grep -q "reload refused" "$LAB_DIR/lb1.log"
grep -E "error|refused" "$LAB_DIR/lb1.log"
kill -0 "$PID1" && echo "lb1 (pid $PID1) is still running with its previous config"
lab_has_vip "$LAB-r1" 192.0.2.100 && echo "and still holds the VIP"

step "holdfastctl status on lb1: still master, with its previous config"
"$HOLDFASTCTL" --help | head -12
lab_exec "$LAB-r1" "$HOLDFASTCTL" -s "$LAB_DIR/lb1.sock" status

step "Stop both daemons with SIGTERM (the master hands over with a priority 0 advert)"
for n in 1 2; do
  pid_var="PID$n"
  kill -TERM "${!pid_var}"
  wait "${!pid_var}"
  echo "lb$n exited with status $?"
  tail -n 1 "$LAB_DIR/lb$n.log"
done

step "Native checks: nginx on each router, checked over HTTP by holdfastd itself (no script)"
for n in 1 2; do
  lab_nginx "$LAB-r$n" "nginx$n"
  eval "NGINX$n=$LAB_NGINX_PID"
  cat >"$LAB_DIR/native$n.conf" <<CONF
backend nginx_local {
    address 127.0.0.1
    check http { port 8080  path /health  expect_status 200  interval 500ms  timeout 300ms  fall 2  rise 2 }
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $((200 - 50 * n))
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
    track_backend {
        nginx_local weight -60
    }
}
CONF
  lab_spawn "$LAB-r$n" "$LAB_DIR/native$n.log" "$HOLDFASTD" -l --no-syslog -f "$LAB_DIR/native$n.conf" \
    --pid-file "$LAB_DIR/native$n.pid" --control-socket "$LAB_DIR/native$n.sock"
  eval "PID$n=$LAB_PID"
done
cat "$LAB_DIR/native1.conf"
lab_wait "lb1 to hold the VIP" 15 lab_has_vip "$LAB-r1" 192.0.2.100
lab_wait "lb1's nginx checked up" 10 grep -q "priority 90 -> 150" "$LAB_DIR/native1.log"
grep -E "backend|priority|MASTER" "$LAB_DIR/native1.log"

step "Stop lb1's nginx: lb1 advertises its lower priority at once and lb2 preempts at once"
lab_stop "$NGINX1"
lab_wait "lb2 to take the VIP" 10 lab_has_vip "$LAB-r2" 192.0.2.100
grep -hE "backend nginx_local: down|priority 150 -> 90|-> MASTER|-> BACKUP" "$LAB_DIR/native1.log" "$LAB_DIR/native2.log" |
  sort | tail -n 4
lab_exec "$LAB-c" ping -c2 -W1 192.0.2.100 | grep -E "packet loss"
lab_wait "lb1's cause to settle" 5 bash -c "ip netns exec $LAB-r1 $HOLDFASTCTL -s $LAB_DIR/native1.sock status --json | grep -q '\"layer\": \"L'"

step "Why is lb2 master? Ask lb1: holdfastctl status, why VI_1"
lab_exec "$LAB-r1" "$HOLDFASTCTL" -s "$LAB_DIR/native1.sock" status
echo
lab_exec "$LAB-r1" "$HOLDFASTCTL" -s "$LAB_DIR/native1.sock" why VI_1

step "Start lb1's nginx again: its check rises, its priority comes back, it preempts"
lab_nginx "$LAB-r1" nginx1
lab_wait "lb1 to take the VIP back" 10 lab_has_vip "$LAB-r1" 192.0.2.100
grep -hE "backend nginx_local: up|-> MASTER" "$LAB_DIR/native1.log" | tail -n 2
step "The event log on lb1: holdfastctl events"
lab_exec "$LAB-r1" "$HOLDFASTCTL" -s "$LAB_DIR/native1.sock" events | tail -n 6
for n in 1 2; do
  pid_var="PID$n"
  kill -TERM "${!pid_var}"
  wait "${!pid_var}"
done

step "Done; removing the lab"
