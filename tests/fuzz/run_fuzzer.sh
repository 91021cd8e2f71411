#!/usr/bin/env bash
# Runs a libFuzzer target for SECONDS over a copy of its seed corpus and the crash
# inputs kept under tests/fuzz/regressions/TARGET/ (TARGET: the fuzzer's name
# without _fuzzer). For a long run by hand, e.g. an hour:
#   tests/fuzz/run_fuzzer.sh build-fuzz/tests/fuzz/codec_fuzzer tests/fuzz/corpus/codec 3600
# Prints the executions done. A crash leaves ./crash-* (a failure): add it to
# tests/fuzz/regressions/TARGET/ so that it is replayed by the unit tests too.
set -euo pipefail
fuzzer=${1:?usage: $0 FUZZER SEED_DIR SECONDS}
seeds=${2:?}
seconds=${3:-20}
name=$(basename "$fuzzer" _fuzzer)
corpus=$(mktemp -d /tmp/holdfast-fuzz.XXXXXX)
trap 'rm -rf "$corpus"' EXIT
find "$seeds" -maxdepth 1 -type f -exec cp {} "$corpus/" \;
regressions="$(dirname "$0")/regressions/$name"
if [ -d "$regressions" ]; then cp "$regressions"/* "$corpus/" 2>/dev/null || true; fi
# Every seed and regression input first, as plain runs: each must pass on its own.
"$fuzzer" -runs=0 "$corpus" 2>&1 | tail -n 1
"$fuzzer" -max_total_time="$seconds" -max_len=8192 -timeout=5 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$PWD/crash-$name-" "$corpus" >"$corpus.log" 2>&1 || {
  tail -n 40 "$corpus.log"
  rm -f "$corpus.log"
  exit 1
}
grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE" "$corpus.log" | tail -n 2
echo "fuzz $name: $(grep -oE '^stat::number_of_executed_units: [0-9]+' "$corpus.log" | grep -oE '[0-9]+$') executions in ${seconds}s"
rm -f "$corpus.log"
