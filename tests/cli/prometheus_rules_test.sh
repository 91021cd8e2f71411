#!/usr/bin/env bash
# dist/prometheus/holdfast.rules.yml: promtool accepts it (check rules), and its unit
# tests (holdfast.rules.test.yml) prove that every alert fires with its labels and
# annotations and stays quiet on the near misses.
set -uo pipefail
DIR=${1:?usage: $0 PATH/TO/dist/prometheus}
if ! command -v promtool >/dev/null; then
  echo "SKIPPED: promtool is not installed (Debian: apt-get install prometheus, or tools/install-deps);" \
    "the alerting rules are NOT checked" >&2
  exit 77
fi
fail() { echo "FAIL: $*" >&2; exit 1; }
promtool check rules "$DIR/holdfast.rules.yml" || fail "promtool check rules"
# Rule files in the test file are relative to it: run from its directory.
(cd "$DIR" && promtool test rules holdfast.rules.test.yml) || fail "promtool test rules"
# Every alert of the rules file has a firing case and a quiet case in the tests.
alerts=$(sed -nE 's/^ *- alert: *([A-Za-z0-9_]+) *$/\1/p' "$DIR/holdfast.rules.yml")
[ -n "$alerts" ] || fail "no alert found in holdfast.rules.yml"
for a in $alerts; do
  python3 - "$DIR/holdfast.rules.test.yml" "$a" <<'PY' || fail "alert $a: no firing case or no quiet case in holdfast.rules.test.yml"
import re, sys
text = open(sys.argv[1]).read()
name = sys.argv[2]
# An alert_rule_test entry: "alertname: NAME" followed (before the next entry) by
# "exp_alerts: []" (quiet) or "- exp_labels:" (fires).
quiet = fires = False
for m in re.finditer(r"alertname: %s\b(.*?)(?=alertname:|\n  - name:|\Z)" % re.escape(name), text, re.S):
    body = m.group(1)
    if re.search(r"exp_alerts: \[\]", body):
        quiet = True
    if "- exp_labels:" in body:
        fires = True
sys.exit(0 if quiet and fires else 1)
PY
done
echo "PASS prometheus rules ($(wc -w <<<"$alerts") alerts, each firing and quiet)"
