#!/usr/bin/env bash
# Runs a libFuzzer target for SECONDS over a copy of the seed corpus (conf/ files and
# any crash inputs kept under tests/fuzz/regressions/). For a long run by hand:
#   tests/fuzz/run_fuzzer.sh build-fuzz/tests/fuzz/config_fuzzer conf 3600
set -euo pipefail
fuzzer=${1:?usage: $0 FUZZER SEED_DIR SECONDS}
seeds=${2:?}
seconds=${3:-20}
corpus=$(mktemp -d /tmp/holdfast-fuzz.XXXXXX)
trap 'rm -rf "$corpus"' EXIT
find "$seeds" -name '*.conf' -exec cp {} "$corpus/" \;
regressions="$(dirname "$0")/regressions"
[ -d "$regressions" ] && cp "$regressions"/* "$corpus/" 2>/dev/null || true
# Regression inputs first, as plain runs: each must pass on its own.
"$fuzzer" -runs=0 "$corpus" 2>&1 | tail -n 2
"$fuzzer" -max_total_time="$seconds" -max_len=8192 -timeout=5 -rss_limit_mb=2048 \
  -artifact_prefix="$PWD/crash-" "$corpus" 2>&1 | tail -n 4
# A crash leaves its input as ./crash-*: keep it under tests/fuzz/regressions/.
