#!/usr/bin/env bash
# Chaos soak in benchmark mode: COUNT faults (default 1000) on three routers,
# violations counted instead of failing; prints faults by kind, convergence per
# kind (median, p95, max) and the violations (target 0). The seed is printed;
# CHAOS_SEED=N replays a run.
#   tests/bench/chaos.sh [COUNT]
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
HOLDFASTD=${HOLDFASTD:-$HERE/../../build/holdfastd}
[ -x "$HOLDFASTD" ] || { echo "build holdfastd first ($HOLDFASTD)" >&2; exit 1; }
copy=$(mktemp /tmp/holdfastd-chaos.XXXXXX)
trap 'rm -f "$copy"' EXIT
cp "$HOLDFASTD" "$copy"  # a rebuild during the run does not swap the binary
chmod 755 "$copy"
CHAOS_CONTINUE=1 CHAOS_FAULTS=${1:-1000} bash "$HERE/../lab/chaos_soak_test.sh" "$copy" 2>&1 |
  grep --line-buffered -vE "^\.\.\. [0-9]+ faults$"
