#!/usr/bin/env bash
# Every C++ source is clang-format clean (.clang-format at the top of the tree).
set -uo pipefail
root=${1:?usage: $0 SOURCE_DIR}
command -v clang-format >/dev/null || { echo "SKIPPED: clang-format is not installed" >&2; exit 77; }
cd "$root"
files=$(find core checkers vrrp netio tools tests -name '*.cc' -o -name '*.h')
if ! clang-format --dry-run --Werror $files; then
  echo "FAIL: run clang-format -i on the files above" >&2
  exit 1
fi
echo "PASS clang-format ($(wc -w <<<"$files") files)"
