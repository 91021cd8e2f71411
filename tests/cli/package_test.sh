#!/usr/bin/env bash
# The Debian package (issue 16). Builds it with dpkg-buildpackage from a clean copy
# of the source tree, checks it with lintian (any E: or W: fails), checks what it
# contains, then installs it, upgrades it over an edited conffile, removes and
# purges it in a throwaway root: an overlay of / (upper layer on a tmpfs) in a
# private mount namespace, entered with chroot, so the host's /usr, /etc, /var and
# dpkg database are never written. In that root a recording systemctl stands in
# for systemd: the test sees what the maintainer scripts ask of it.
# Needs root, dpkg-buildpackage, debhelper and lintian (tools/install-deps);
# exits 77 (skipped) without them, and in a sanitizer build (the package does not
# depend on the build's flags: the plain build's suite checks it once).
# Usage: package_test.sh SOURCE_DIR [SANITIZERS]
set -uo pipefail

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '== %s (at %ds)\n' "$*" "$SECONDS"; }
# A path in the root may be an absolute symlink (the .wants link): -e alone would
# follow it on the host.
exists() { [ -e "$1" ] || [ -L "$1" ]; }

# ---------------------------------------------------------------------------
# Inside the private mount namespace: install, upgrade, remove, purge.
# ---------------------------------------------------------------------------
in_root() {
  local work=$1 src=$2 host_ns=$3 deb1=$4 deb2=$5
  SECONDS=$6
  local v1 v2
  v1=$(dpkg-deb -f "$deb1" Version) && v2=$(dpkg-deb -f "$deb2" Version) || fail "versions of the packages"
  [ "$(readlink /proc/self/ns/mnt)" != "$host_ns" ] || fail "not in a private mount namespace"
  local t="$work/root"
  mkdir -p "$t" || fail "mkdir $t"
  mount -t tmpfs -o size=1g,mode=0755 holdfast-pkgtest "$t" || skip "cannot mount a tmpfs in a mount namespace"
  mkdir "$t/upper" "$t/work" "$t/merged"
  local m="$t/merged" up="$t/upper"
  mount -t overlay holdfast-pkgtest -o "lowerdir=/,upperdir=$up,workdir=$t/work" "$m" ||
    skip "cannot mount an overlay of / (no overlayfs in this kernel?)"
  # Nothing below may write through to the host: the root must be the overlay.
  [ "$(findmnt -n -o FSTYPE --mountpoint "$m")" = overlay ] || fail "$m is not an overlay"
  [ -x "$m/usr/bin/dpkg" ] && [ -x "$m/bin/sh" ] || fail "the overlay does not show the host's /usr"
  mount --rbind /dev "$m/dev" || fail "bind /dev"
  mount -t proc proc "$m/proc" || fail "mount proc"
  mount -t tmpfs tmpfs "$m/run" || fail "mount /run"
  # The maintainer scripts act when /run/systemd/system exists; systemctl records
  # the calls (is-active answers from /run/unit-active) and starts nothing.
  mkdir -p "$m/run/systemd/system"
  rm -f "$m/usr/bin/systemctl" "$m/usr/sbin/policy-rc.d" "$m/var/lib/man-db/auto-update"
  cat >"$m/usr/bin/systemctl" <<'EOF'
#!/bin/sh
echo "$*" >>/var/log/systemctl-calls
case " $* " in
*" is-active "*) [ -e /run/unit-active ]; exit ;;
*" is-enabled "*)
  if [ -e /etc/systemd/system/multi-user.target.wants/holdfastd.service ]; then echo enabled; exit 0; fi
  echo disabled; exit 1 ;;
esac
exit 0
EOF
  chmod 755 "$m/usr/bin/systemctl"
  mkdir "$m/pkgtest" && cp "$deb1" "$deb2" "$m/pkgtest/" || fail "copy the packages into the root"

  inroot() { chroot "$m" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
    DEBIAN_FRONTEND=noninteractive "$@"; }
  dpkg_in_root() {
    local out
    out=$(timeout 300 chroot "$m" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
      DEBIAN_FRONTEND=noninteractive dpkg "$@" </dev/null 2>&1) || { echo "$out" >&2; fail "dpkg $*"; }
    echo "$out" | sed 's/^/   | /'
  }
  status() { inroot dpkg-query -W -f='${Status} ${Version}' holdfast 2>/dev/null; }
  calls() { cat "$m/var/log/systemctl-calls" 2>/dev/null; }
  no_start_calls() {
    local bad
    bad=$(calls | grep -E '(^| )(start|restart|reload-or-restart|enable|preset|stop)( |$)')
    [ -z "$bad" ] || fail "$1: the maintainer scripts ran systemctl $bad"
  }
  local conf=/etc/holdfast/holdfast.conf wants=/etc/systemd/system/multi-user.target.wants/holdfastd.service
  local dsh_wants=/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/holdfastd.service

  step "install $(basename "$deb1") in the throwaway root"
  dpkg_in_root -i "/pkgtest/$(basename "$deb1")"
  [ "$(status)" = "install ok installed $v1" ] || fail "after install: status '$(status)'"
  local f
  for f in /usr/sbin/holdfastd /usr/sbin/holdfastctl /lib/systemd/system/holdfastd.service \
    /usr/share/man/man8/holdfastd.8.gz /usr/share/man/man8/holdfastctl.8.gz \
    /usr/share/man/man5/holdfast.conf.5.gz "$conf" /usr/share/doc/holdfast/copyright \
    /usr/share/doc/holdfast/examples/holdfast.conf; do
    [ -e "$m$f" ] || fail "installed package lacks $f"
  done
  [ -e "$up/usr/sbin/holdfastd" ] || fail "holdfastd is not in the overlay's upper layer"
  [ -d "$m/var/lib/holdfast" ] || fail "no /var/lib/holdfast"
  inroot dpkg-query -W -f='${Conffiles}\n' holdfast | grep -q "^ $conf " || fail "$conf is not a registered conffile"
  [ "$(stat -c '%a %U:%G' "$m$conf")" = "640 root:root" ] || fail "$conf: $(stat -c '%a %U:%G' "$m$conf")"
  cmp -s "$m$conf" "$src/conf/holdfast.conf" || fail "$conf differs from conf/holdfast.conf"
  inroot holdfastd -t -f "$conf" >/dev/null || fail "holdfastd -t on the installed $conf"
  inroot holdfastctl --help >/dev/null || fail "holdfastctl --help in the root"
  local exec
  exec=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$m/lib/systemd/system/holdfastd.service")
  [ -x "$m$exec" ] || fail "the unit's ExecStart '$exec' is not an installed executable"
  # deb-systemd-helper enables through "systemctl preset" when systemctl exists,
  # and records what it enabled.
  ! exists "$m$wants" || fail "the install enabled holdfastd.service"
  ! exists "$m$dsh_wants" || fail "the install enabled holdfastd.service (deb-systemd-helper's state)"
  no_start_calls "install"
  echo "   installed; systemctl calls: $(calls | tr '\n' ';')"

  step "upgrade to $(basename "$deb2") over an edited conffile, holdfastd running"
  echo "# edited by the operator" >>"$m$conf"
  touch "$m/run/unit-active"
  : >"$m/var/log/systemctl-calls"
  dpkg_in_root -i "/pkgtest/$(basename "$deb2")"
  [ "$(status)" = "install ok installed $v2" ] || fail "after upgrade: status '$(status)'"
  grep -qx "# edited by the operator" "$m$conf" || fail "the upgrade lost the operator's edit of $conf"
  [ "$(stat -c '%a' "$m$conf")" = 640 ] || fail "after upgrade $conf has mode $(stat -c '%a' "$m$conf")"
  for f in "$conf".dpkg-dist "$conf".dpkg-new "$conf".dpkg-old; do
    ! exists "$m$f" || fail "the upgrade left $f"
  done
  calls | grep -qx "try-restart holdfastd.service" ||
    fail "the upgrade did not try-restart holdfastd (calls: $(calls | tr '\n' ';'))"
  no_start_calls "upgrade"
  ! exists "$m$wants" || fail "the upgrade enabled holdfastd.service"
  ! exists "$m$dsh_wants" || fail "the upgrade enabled holdfastd.service (deb-systemd-helper's state)"
  echo "   upgraded, edit kept; systemctl calls: $(calls | tr '\n' ';')"

  step "remove (holdfastd running)"
  : >"$m/var/log/systemctl-calls"
  dpkg_in_root -r holdfast
  calls | grep -qx "stop holdfastd.service" || fail "remove did not stop holdfastd (calls: $(calls | tr '\n' ';'))"
  rm -f "$m/run/unit-active"
  [ "$(status)" = "deinstall ok config-files $v2" ] || fail "after remove: status '$(status)'"
  ! exists "$m/usr/sbin/holdfastd" || fail "remove left /usr/sbin/holdfastd"
  grep -qx "# edited by the operator" "$m$conf" || fail "remove did not keep the edited $conf"
  echo "   removed, $conf kept; systemctl calls: $(calls | tr '\n' ';')"

  step "purge (with state left in /var/lib/holdfast)"
  mkdir -p "$m/var/lib/holdfast" && echo state >"$m/var/lib/holdfast/maintenance"
  dpkg_in_root -P holdfast
  [ -z "$(status)" ] || fail "after purge dpkg still knows holdfast: '$(status)'"
  for f in /etc/holdfast /var/lib/holdfast /usr/share/doc/holdfast /lib/systemd/system/holdfastd.service \
    /var/lib/systemd/deb-systemd-helper-enabled/holdfastd.service.dsh-also \
    /var/lib/systemd/deb-systemd-helper-masked/holdfastd.service; do
    ! exists "$m$f" || fail "purge left $f"
  done
  # Every path of the package is gone, and nothing named after it remains in the
  # upper layer (whiteouts aside): dpkg's log and database are all that changed.
  while read -r f; do
    case "$f" in */) continue ;; esac
    ! exists "$m/${f#./}" || fail "purge left /${f#./}"
  done < <(dpkg-deb --fsys-tarfile "$deb2" | tar -tf -)
  rm -rf "$m/pkgtest"
  local left
  left=$(cd "$up" && find . -name '*holdfast*' ! -type c)
  [ -z "$left" ] || fail "purge left: $left"
  echo "   purged; what remains in the root's upper layer:"
  (cd "$up" && find . -type f ! -path './usr/bin/systemctl' | sort | sed 's/^/   | /')
  exit 0
}

if [ "${1:-}" = --in-root ]; then
  shift
  in_root "$@"
fi

# ---------------------------------------------------------------------------
# On the host: preconditions, build, lintian, contents; then the root.
# ---------------------------------------------------------------------------
SRC=$(cd "${1:?usage: $0 SOURCE_DIR [SANITIZERS]}" && pwd) || exit 1
SANITIZERS=${2:-}
[ -z "$SANITIZERS" ] || skip "sanitizer build ($SANITIZERS): the package is built and checked by the plain build's suite"
[ "$(id -u)" = 0 ] || skip "needs root (a mount namespace, an overlay and chroot for dpkg)"
for c in dpkg-buildpackage dpkg-checkbuilddeps dh lintian unshare chroot findmnt timeout flock; do
  command -v "$c" >/dev/null ||
    skip "$c is not installed (tools/install-deps installs dpkg-dev, debhelper and lintian)"
done
[ -d "$SRC/debian" ] || fail "$SRC/debian does not exist"
for d in usr etc var; do
  ! mountpoint -q "/$d" || skip "/$d is a separate mount: the throwaway root (an overlay of /) would not show it"
done

upstream=$(sed -n 's/^project(holdfast VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
version=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
[ -n "$upstream" ] || fail "no project VERSION in CMakeLists.txt"
[ "${version%-*}" = "$upstream" ] ||
  fail "debian/changelog is at $version, CMakeLists.txt's project VERSION is $upstream"
arch=$(dpkg --print-architecture)

# One run at a time: the build directory's path is fixed so that ccache hits from
# one run to the next (the path is in every compile command).
work=/tmp/holdfast-package-test
exec 9>"$work.lock"
flock -w 1800 9 || fail "another package test holds $work.lock"
rm -rf "$work"
mkdir -p "$work/holdfast-$upstream"
if [ "${HOLDFAST_KEEP_PACKAGE_TEST:-0}" = 1 ]; then
  trap 'echo "kept $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi

host_state() {
  dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' holdfast 2>&1
  local f
  for f in /usr/sbin/holdfastd /usr/sbin/holdfastctl /etc/holdfast /var/lib/holdfast \
    /var/lib/dpkg/info/holdfast.list /lib/systemd/system/holdfastd.service; do
    [ -e "$f" ] && echo "present: $f"
  done
  md5sum /usr/bin/systemctl 2>&1
}
litter() {
  local f
  for f in "$SRC"/debian/holdfast "$SRC"/debian/.debhelper "$SRC"/debian/files \
    "$SRC"/debian/debhelper-build-stamp "$SRC"/obj-*; do
    [ -e "$f" ] && echo "$f"
  done
}
host_before=$(host_state)
litter_before=$(litter)

step "copy the source tree ($version)"
pkgsrc="$work/holdfast-$upstream"
if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked and untracked files as the tree has them, nothing ignored (build dirs).
  (cd "$SRC" && git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read -T - -cf -) |
    tar -C "$pkgsrc" -xf - || fail "copy $SRC"
else
  tar -C "$SRC" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$pkgsrc" -xf - || fail "copy $SRC"
fi
(cd "$pkgsrc" && dpkg-checkbuilddeps) 2>&1 || skip "build dependencies missing (tools/install-deps installs them)"

step "dpkg-buildpackage -us -uc -b (parallel=${HOLDFAST_PACKAGE_JOBS:-2})"
export DEB_BUILD_OPTIONS="parallel=${HOLDFAST_PACKAGE_JOBS:-2}"
unset MAKEFLAGS MFLAGS MAKELEVEL DESTDIR
# debhelper gives the build a throwaway HOME; ccache keeps using the caller's cache.
if command -v ccache >/dev/null && [ -z "${CCACHE_DIR:-}" ]; then
  CCACHE_DIR=$(ccache -k cache_dir 2>/dev/null) && export CCACHE_DIR
fi
(cd "$pkgsrc" && timeout 1800 dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
rc=$?
if [ "$rc" != 0 ]; then
  tail -40 "$work/build.log" >&2
  fail "dpkg-buildpackage exited $rc"
fi
deb="$work/holdfast_${version}_${arch}.deb"
changes="$work/holdfast_${version}_${arch}.changes"
dbgsym="$work/holdfast-dbgsym_${version}_${arch}.deb"
[ -f "$deb" ] && [ -f "$changes" ] && [ -f "$work/holdfast_${version}_${arch}.buildinfo" ] ||
  fail "no $(basename "$deb") with its .changes and .buildinfo: $(ls "$work")"
[ -f "$dbgsym" ] && echo "   built $(basename "$deb") and $(basename "$dbgsym")" ||
  echo "   built $(basename "$deb") (no -dbgsym package)"

step "lintian $(dpkg-query -W -f='${Version}' lintian) on the .changes (the .debs, the .buildinfo); O: = overridden"
# The verdict is the E: and W: lines: lintian 2.116 counts overridden tags as found
# when it shows them (--show-overrides), so its --fail-on cannot be used here.
timeout 900 lintian --info --display-info --show-overrides --fail-on none "$changes" >"$work/lintian.log" 2>&1
rc=$?
grep -E '^[EWIPXO]: ' "$work/lintian.log" | sed 's/^/   | /'
if grep -qE '^[EW]: ' "$work/lintian.log"; then
  cat "$work/lintian.log" >&2
  fail "lintian reports errors or warnings"
fi
[ "$rc" = 0 ] || { cat "$work/lintian.log" >&2; fail "lintian exited $rc"; }
echo "   lintian: no error, no warning"

step "contents of $(basename "$deb")"
listing=$(dpkg-deb -c "$deb") || fail "dpkg-deb -c"
has() { awk '{print $NF}' <<<"$listing" | grep -qx "./$1" || fail "the package lacks /$1"; }
for f in usr/sbin/holdfastd usr/sbin/holdfastctl usr/share/man/man8/holdfastd.8.gz \
  usr/share/man/man8/holdfastctl.8.gz usr/share/man/man5/holdfast.conf.5.gz \
  lib/systemd/system/holdfastd.service etc/holdfast/holdfast.conf var/lib/holdfast/ \
  usr/share/doc/holdfast/copyright usr/share/doc/holdfast/changelog.Debian.gz \
  usr/share/doc/holdfast/README.Debian usr/share/doc/holdfast/README.md.gz \
  usr/share/doc/holdfast/examples/holdfast.conf usr/share/doc/holdfast/examples/holdfast-native.conf \
  usr/share/doc/holdfast/examples/nginx-pair/keepalived-master.conf; do
  has "$f"
done
! awk '{print $NF}' <<<"$listing" | grep -q '^\./usr/lib/systemd/system/' || fail "a unit under /usr/lib/systemd/system"
grep -E ' \./etc/holdfast/holdfast\.conf$' <<<"$listing" | grep -q '^-rw-r----- root/root ' ||
  fail "holdfast.conf in the package: $(grep holdfast.conf <<<"$listing" | head -1)"
for name in holdfastctl holdfastd; do
  if [ -e "$SRC/dist/bash-completion/$name" ]; then
    has "usr/share/bash-completion/completions/$name"
    echo "   bash completion for $name: in the package"
  else
    echo "   NOTE: NO BASH COMPLETION CHECKED for $name: dist/bash-completion/$name is not in the source tree"
  fi
done
for f in $(cd "$SRC" && find dist -type f ! -name holdfastd.service ! -path 'dist/bash-completion/*' 2>/dev/null | sort); do
  if awk '{print $NF}' <<<"$listing" | grep -q "/$(basename "$f")\(\.gz\)\?$"; then
    echo "   $f: in the package"
  else
    echo "   NOTE: $f is not in the package (no install() rule for it)"
  fi
done
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles) || fail "no conffiles"
[ "$conffiles" = /etc/holdfast/holdfast.conf ] || fail "conffiles: $conffiles"
relations=$(dpkg-deb -f "$deb" Conflicts Breaks Replaces Provides)
! grep -qi keepalived <<<"$relations" || fail "the package names keepalived: $relations"
depends=$(dpkg-deb -f "$deb" Depends)
for d in procps libnl-route-3-200 libcurl4 libnftables1 libsystemd0; do
  grep -q "\b$d\b" <<<"$depends" || fail "Depends lacks $d: $depends"
done
x="$work/extract"
dpkg-deb -x "$deb" "$x" || fail "dpkg-deb -x"
unit="$x/lib/systemd/system/holdfastd.service"
grep -qx "Type=notify" "$unit" || fail "unit is not Type=notify"
grep -q "^ExecStartPre=" "$unit" && fail "ExecStartPre: -t's exit 4 would stop a config that runs: $(grep ExecStartPre= "$unit")"
grep -qx "ExecStart=/usr/sbin/holdfastd -f /etc/holdfast/holdfast.conf --log-console --no-syslog" "$unit" ||
  fail "ExecStart: $(grep ExecStart= "$unit")"
grep -qx "WantedBy=multi-user.target" "$unit" || fail "unit has no WantedBy=multi-user.target"
! grep -q @ "$unit" || fail "unit has an unreplaced @VARIABLE@"
[ "$("$x/usr/sbin/holdfastd" --version)" = "holdfastd $upstream" ] ||
  fail "holdfastd --version: $("$x/usr/sbin/holdfastd" --version)"
echo "   binaries, man pages, unit, conffile (0640), docs and examples present; no relation to keepalived"

step "a 0.1.0-2 for the upgrade: the same package with the next Debian revision"
next="${version%-*}-$((${version##*-} + 1))"
deb2="$work/holdfast_${next}_${arch}.deb"
dpkg-deb -R "$deb" "$work/repack" || fail "dpkg-deb -R"
sed -i "s/^Version: .*/Version: $next/" "$work/repack/DEBIAN/control"
dpkg-deb --root-owner-group -b "$work/repack" "$deb2" >/dev/null || fail "dpkg-deb -b"

step "throwaway root (overlay of / in a private mount namespace)"
timeout 900 unshare --mount --propagation private -- \
  bash "$0" --in-root "$work" "$SRC" "$(readlink /proc/self/ns/mnt)" "$deb" "$deb2" "$SECONDS"
rc=$?
[ "$rc" = 77 ] && exit 77
[ "$rc" = 0 ] || fail "in the throwaway root (exit $rc)"

step "the host is untouched"
host_after=$(host_state)
[ "$host_after" = "$host_before" ] || fail "the host changed: before: $host_before; after: $host_after"
! findmnt "$work/root" >/dev/null || fail "the throwaway root is mounted on the host"
[ "$(litter)" = "$litter_before" ] || fail "build products in the source tree: $(litter)"
echo "   host: $(head -1 <<<"$host_after")"
echo "PASS package ($version, ${SECONDS}s)"
