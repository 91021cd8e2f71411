#!/usr/bin/env bash
# track_file on a pair of holdfastd: a value written into the master's file moves the
# VIP (value * weight added to the priority) and back; an editor-style replace (write
# a copy, rename it over the file) is seen; weight 0 with a non-zero value is a FAULT;
# a missing file counts as 0; init_file creates the file; `holdfastctl why` shows the
# items with their values.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"

lab_init track_file 120
lab_switch
lab_router 1
lab_router 2
R1="$LAB-r1" R2="$LAB-r2"
VIP=192.0.2.100

write() { # NODE PRIORITY
  cat >"$LAB_DIR/$1.conf" <<CONF
track_file tf {
    file $LAB_DIR/$1-tf
    weight 10
    init_file
}
track_file stop {
    file $LAB_DIR/$1-stop
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 82
    priority $2
    advert_int 0.2
    version 3
    virtual_ipaddress {
        $VIP/24
    }
    track_file {
        tf
        stop weight 0
    }
}
CONF
}
write a 100
write b 90
lab_holdfastd "$R1" a
lab_holdfastd "$R2" b
lab_wait "r1 to hold the VIP" 10 lab_has_vip "$R1" "$VIP"
[ "$(cat "$LAB_DIR/a-tf")" = "0" ] || lab_fail "init_file did not create a-tf with 0"
echo "ok: init_file created the file with 0; r1 (100) is master"

prio_is() { [ "$(lab_ctl a vrrp --json | lab_json 'instances[name=VI_1].effective_priority')" = "$1" ]; }
state_is() { [ "$(lab_ctl "$1" vrrp --json | lab_json 'instances[name=VI_1].state')" = "$2" ]; }

echo -2 >"$LAB_DIR/a-tf"
lab_wait "r1's priority to drop to 80" 5 prio_is 80
lab_wait "r2 to take the VIP" 5 lab_has_vip "$R2" "$VIP"
lab_wait "r1 to release it" 5 lab_lacks_vip "$R1" "$VIP"
echo "ok: -2 * weight 10 -> r1 at 80 < 90: the VIP moved to r2"

echo 0 >"$LAB_DIR/a-tf"
lab_wait "r1's priority back to 100" 5 prio_is 100
lab_wait "r1 to take the VIP back" 5 lab_has_vip "$R1" "$VIP"
echo "ok: 0 -> back at 100, the VIP came back"

# An editor's save: a copy written beside it, renamed over the file.
printf -- '-3\n' >"$LAB_DIR/.a-tf.swp"
mv "$LAB_DIR/.a-tf.swp" "$LAB_DIR/a-tf"
lab_wait "r1's priority to drop to 70 after the rename" 5 prio_is 70
lab_wait "r2 to take the VIP" 5 lab_has_vip "$R2" "$VIP"
echo "ok: write-a-copy-and-rename is seen (inotify on the directory)"

why=$(lab_ctl a why VI_1) || lab_fail "holdfastctl why failed"
echo "$why"
grep -qE '^file +tf +value -3 +10 +-30' <<<"$why" || lab_fail "why does not show 'file tf value -3 10 -30'"
grep -qE '^file +stop +value 0 +0 +0 +missing' <<<"$why" || lab_fail "why does not show the missing file 'stop' at 0"
kinds=$(lab_ctl a why VI_1 --json | lab_json 'why.items[0].kind' 'why.items[0].value' 'why.items[1].kind')
[ "$kinds" = "file -3 file" ] || lab_fail "why --json items: '$kinds'"
vrrp=$(lab_ctl a vrrp) || lab_fail "holdfastctl vrrp failed"
grep -qF "tracked:          file tf value -3 -30, file stop value 0 0" <<<"$vrrp" ||
  lab_fail "holdfastctl vrrp does not list the tracked files: $vrrp"
[ "$(lab_ctl a vrrp --json | lab_json 'instances[name=VI_1].tracked[0].value')" = "-3" ] ||
  lab_fail "vrrp --json does not carry the file's value"
echo "ok: holdfastctl why and vrrp show both files, their values and what they add"

rm "$LAB_DIR/a-tf"
lab_wait "r1's priority back to 100 with the file gone" 5 prio_is 100
lab_wait "r1 to take the VIP back" 5 lab_has_vip "$R1" "$VIP"
echo "ok: a missing file counts as 0"

echo 1 >"$LAB_DIR/a-stop"
lab_wait "r1 in FAULT" 5 state_is a FAULT
lab_wait "r2 to take the VIP" 5 lab_has_vip "$R2" "$VIP"
lab_wait "r1 to release it" 5 lab_lacks_vip "$R1" "$VIP"
echo "ok: weight 0 and a non-zero value: FAULT, the VIP moved"
echo 0 >"$LAB_DIR/a-stop"
lab_wait "r1 out of FAULT and master" 5 lab_has_vip "$R1" "$VIP"
echo "ok: weight 0 and 0: r1 master again"
