#!/usr/bin/env bash
# The man pages render without a warning, and holdfast.conf(5) documents every keyword
# that the parser's tables know.
set -uo pipefail
MAN_DIR=${1:?usage: $0 MAN_DIR SCHEMA_CC}
SCHEMA=${2:?}
command -v man >/dev/null || { echo "SKIPPED: man is not installed (man-db)" >&2; exit 77; }
fail=0
for m in "$MAN_DIR"/*.[0-9]; do
  w=$(LC_ALL=C MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
  if [ -n "$w" ]; then
    echo "FAIL: $m: $w" >&2
    fail=1
  fi
done
# Every implemented keyword (KeywordSpec{"name", ...}) appears in holdfast.conf(5).
rendered=$(LC_ALL=C MANWIDTH=200 man -l "$MAN_DIR/holdfast.conf.5" 2>/dev/null | sed 's/\x08.//g')
for k in $(grep -oE 'KeywordSpec\{"[a-z_0-9]+"' "$SCHEMA" | sed -E 's/.*"(.*)"/\1/' | sort -u); do
  if ! grep -qw -- "$k" <<<"$rendered"; then
    echo "FAIL: keyword '$k' is not documented in holdfast.conf(5)" >&2
    fail=1
  fi
done
[ "$fail" = 0 ] && echo "PASS man pages"
exit "$fail"
