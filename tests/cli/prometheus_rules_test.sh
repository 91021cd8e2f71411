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
alerts=$(python3 - "$DIR/holdfast.rules.yml" "$DIR/holdfast.rules.test.yml" <<'PY'
import re, sys
alerts = re.findall(r"^ *- alert: *([A-Za-z0-9_]+) *$", open(sys.argv[1]).read(), re.M)
tests = open(sys.argv[2]).read()
if not alerts:
    sys.exit("no alert found in holdfast.rules.yml")
bad = []
for name in alerts:
    # An alert_rule_test entry: "alertname: NAME", then (before the next entry)
    # "exp_alerts: []" (quiet) or "- exp_labels:" (fires).
    quiet = fires = False
    for m in re.finditer(r"alertname: %s\b(.*?)(?=alertname:|\n  - name:|\Z)" % re.escape(name), tests, re.S):
        quiet |= bool(re.search(r"exp_alerts: \[\]", m.group(1)))
        fires |= "- exp_labels:" in m.group(1)
    if not (quiet and fires):
        bad.append("%s (%s)" % (name, "no firing case" if quiet else "no quiet case" if fires else "no case"))
if bad:
    sys.exit("alerts not tested both ways in holdfast.rules.test.yml: " + ", ".join(bad))
print(" ".join(alerts))
PY
) || fail "see above"
echo "PASS prometheus rules ($(wc -w <<<"$alerts") alerts, each firing and quiet: $alerts)"
