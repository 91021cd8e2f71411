#!/usr/bin/env bash
# bash completion (dist/bash-completion/holdfastctl) against a real holdfastd: with
# two instances, a backend and a group running in a namespace, `holdfastctl -s SOCK
# why <TAB>` offers the instances and `checks <TAB>` the backend and the group, in
# every form of the socket option given earlier on the line; `sniff <TAB>` offers
# the namespace's interfaces; once the daemon is stopped, nothing. Run without and
# with bash-completion's helpers (tests/cli/completion_lib.sh); without the package
# the plain half runs, then the test says SKIPPED and exits 77.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/cli/completion_lib.sh
source "$(dirname "$0")/../cli/completion_lib.sh"
comp_fail() { lab_fail "$*"; }

lab_init completion_names 90
lab_switch
lab_router 1
R1="$LAB-r1"
cat >"$LAB_DIR/a.conf" <<CONF
backend web1 {
    address 127.0.0.1
    check tcp { port 8080  interval 1s  timeout 200ms }
}
backend_group web { backends web1  quorum 1 }
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.101/24
    }
}
CONF
lab_holdfastd "$R1" a
D1=$LAB_PID
SOCK="$LAB_DIR/a.sock"
lab_wait "holdfastd's control socket" 15 lab_ctl a status

comp_setup "$(cd "$(dirname "$0")/../../dist/bash-completion" && pwd)" "$LAB_DIR"
# The completion runs `holdfastctl` from PATH: the one under test. It runs where an
# operator of the router would, in its namespace.
PATH="$(cd "$(dirname "$CTL")" && pwd):$PATH"
export PATH
COMP_RUN=(ip netns exec "$R1")

for m in "${COMP_MODES[@]}"; do
  comp_expect "why: the daemon's instances (-s SOCK)" "$m" "holdfastctl -s $SOCK why " VI_1 VI_2
  comp_expect "vrrp: a prefix (--socket SOCK)" "$m" "holdfastctl --json --socket $SOCK vrrp VI_2" VI_2
  comp_expect "checks: the backend and the group (--socket=SOCK)" "$m" \
    "holdfastctl --socket=$SOCK checks " web web1
  comp_expect "checks: a prefix (-sSOCK)" "$m" "holdfastctl -s$SOCK --timeout 3 checks web1" web1
  comp_expect "why takes one instance" "$m" "holdfastctl -s $SOCK why VI_1 "
  comp_expect "sniff: the namespace's interfaces" "$m" "holdfastctl -s $SOCK sniff " eth0 lo
done

lab_stop "$D1"
for m in "${COMP_MODES[@]}"; do
  comp_expect "why with the daemon stopped: nothing" "$m" "holdfastctl -s $SOCK why "
done
comp_done
comp_has_helpers || {
  echo "SKIPPED: completion_names: bash-completion is not installed ($COMP_BASH_COMPLETION): the half without its helpers passed; tools/install-deps installs it" >&2
  exit 77
}
echo "PASS completion_names"
