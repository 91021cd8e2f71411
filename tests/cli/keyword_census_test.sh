#!/usr/bin/env bash
# Every keyword keepalived.conf(5) documents is known to holdfastd: implemented, or
# accepted with a warning that says why it has no effect. Reads the man page of the
# installed keepalived package (tools/install-deps installs it); without it the test
# fails: a census of nothing would pass.
# Usage: keyword_census_test.sh HOLDFASTD [MANPAGE] [CENSUS_OUT]
set -uo pipefail
HOLDFASTD=${1:?usage: $0 HOLDFASTD [MANPAGE] [CENSUS_OUT]}
MANPAGE=${2:-/usr/share/man/man5/keepalived.conf.5.gz}
here=$(dirname "$0")
if [ ! -r "$MANPAGE" ]; then
  echo "FAIL: $MANPAGE is missing: install keepalived (tools/install-deps); the census" \
    "reads its man page" >&2
  exit 1
fi
command -v python3 >/dev/null || { echo "FAIL: python3 is missing" >&2; exit 1; }
exec python3 "$here/keyword_census.py" "$HOLDFASTD" "$MANPAGE" ${3:+"$3"}
