#!/usr/bin/env bash
# Run after the other lab tests: none of them left a namespace or a process behind.
set -uo pipefail
[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: needs root" >&2; exit 77; }
left=$(ip netns list | grep -E '^hf[0-9a-f]+-' || true)
[ -z "$left" ] || { echo "FAIL: namespaces left behind: $left" >&2; exit 1; }
procs=$(ps -eo pid,args | grep -E '[h]oldfastd .*holdfast-' || true)
[ -z "$procs" ] || { echo "FAIL: processes left behind: $procs" >&2; exit 1; }
echo "PASS no leftovers"
