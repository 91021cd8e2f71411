#!/usr/bin/env bash
# cmake --install into a staging directory: binaries, man pages, bash completion, the
# systemd unit pointing at the installed holdfastd, and /etc/holdfast/holdfast.conf, which
# passes holdfastd -t and is never overwritten by a second install.
set -uo pipefail
BUILD=${1:?usage: $0 BUILD_DIR}
fail() { echo "FAIL: $*" >&2; exit 1; }
stage=$(mktemp -d /tmp/holdfast-install.XXXXXX)
trap 'rm -rf "$stage"' EXIT

DESTDIR="$stage" cmake --install "$BUILD" --prefix /usr >"$stage.log" 2>&1 || fail "install: $(cat "$stage.log")"
rm -f "$stage.log"
for f in usr/sbin/holdfastd usr/sbin/holdfastctl usr/share/man/man8/holdfastd.8 \
  usr/share/man/man8/holdfastctl.8 usr/share/man/man5/holdfast.conf.5 \
  usr/lib/systemd/system/holdfastd.service etc/holdfast/holdfast.conf \
  usr/share/bash-completion/completions/holdfastctl usr/share/bash-completion/completions/holdfastd; do
  [ -e "$stage/$f" ] || fail "not installed: /$f"
done
for c in holdfastctl holdfastd; do
  bash -c 'source "$1" && complete -p "$2"' _ "$stage/usr/share/bash-completion/completions/$c" "$c" 2>&1 |
    grep -q -- "-F _$c $c\$" || fail "the installed completion for $c does not register"
done
unit="$stage/usr/lib/systemd/system/holdfastd.service"
grep -qx "Type=notify" "$unit" || fail "unit is not Type=notify"
grep -qx "ExecStart=/usr/sbin/holdfastd -f /etc/holdfast/holdfast.conf --log-console --no-syslog" "$unit" ||
  fail "ExecStart: $(grep ExecStart= "$unit")"
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit" || fail "ExecReload"
grep -qx "Restart=on-failure" "$unit" || fail "Restart"
"$stage/usr/sbin/holdfastd" -t -f "$stage/etc/holdfast/holdfast.conf" >/dev/null || fail "installed holdfast.conf does not pass -t"
[ "$(stat -c %a "$stage/etc/holdfast/holdfast.conf")" = 640 ] || fail "holdfast.conf mode $(stat -c %a "$stage/etc/holdfast/holdfast.conf")"
echo "# edited by the operator" >>"$stage/etc/holdfast/holdfast.conf"
DESTDIR="$stage" cmake --install "$BUILD" --prefix /usr >/dev/null 2>&1 || fail "second install"
grep -qF "# edited by the operator" "$stage/etc/holdfast/holdfast.conf" || fail "a second install overwrote holdfast.conf"
echo "PASS install"
