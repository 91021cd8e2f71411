#!/usr/bin/env bash
# The Grafana dashboard and the Prometheus rules against a live holdfastd pair.
#
# Static, against the pages the daemons serve: dist/grafana/holdfast.json has
# Grafana's dashboard shape (top-level keys, panels with type, title, gridPos
# inside 24 columns and not overlapping, targets with expr on the templated
# datasource), and every holdfast_* metric that a panel, a template variable or a
# rule of dist/prometheus/holdfast.rules.yml queries is one the daemons export
# (read from the scraped /metrics, histograms by their _bucket/_sum/_count
# series), with the label names and literal values it filters, groups or
# templates on; no holdfastd series carries a target label (instance, job), which
# Prometheus would rename.
#
# Live, when prometheus is installed: a real Prometheus in the lab scrapes both
# daemons with the rules loaded (their `for` cut to 3s and their windows to
# seconds, nothing else changed), and the alerts that fire are the expected
# ones with the expected labels (instance = node, vrrp_instance = the
# vrrp_instance) while the lab goes through: a healthy pair; a rolling reload
# that adds a VIP to VI_1, lb1 (the master) first, lb2 late (lb2 flags the VIP-list
# mismatch until it is reloaded too); lb1's nginx failing
# (backend down, VI_1 demoted, VI_2 in FAULT); both failing (VI_2 has no
# master); lb1's nginx failing and recovering twice (VI_2 flaps); two masters of
# VI_1 (another password on lb2: auth_mismatch both ways, while unknown_vrid from
# lb2's VI_3 stays unalerted); lb2's daemon gone (scrape failed). Every
# dashboard query, variables substituted, returns data. Without prometheus the
# rolling reload still runs, its gauge read from /metrics.
set -uo pipefail
HOLDFASTD=${1:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
CTL=${2:?usage: $0 PATH/TO/holdfastd PATH/TO/holdfastctl}
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DASHBOARD=$ROOT/dist/grafana/holdfast.json
RULES=$ROOT/dist/prometheus/holdfast.rules.yml

lab_init dashboard_metrics 300
lab_switch
lab_router 1
lab_router 2
lab_client
R1="$LAB-r1" R2="$LAB-r2" C="$LAB-c"
A=192.0.2.11:9650 B=192.0.2.12:9650

CHECK="$LAB_DIR/check.py"
cat >"$CHECK" <<'PY'
"""Checks of the dashboard and the rules: static (shape, names, labels against
scraped pages) and live (queries and alerts of a Prometheus on 127.0.0.1:9090)."""
import json
import re
import sys
import urllib.parse
import urllib.request

TARGET_LABELS = {"job", "instance", "cluster"}   # set by Prometheus, not holdfastd
GRAFANA_VARS = {"__rate_interval", "__interval", "__range", "__all"}
SUBST = {"$job": "holdfast", "$cluster": ".*", "$node": ".*", "$vrrp_instance": ".*",
         "$__rate_interval": "5m", "$__interval": "1m", "$__range": "5m"}
PANEL_TYPES = {"row", "text", "table", "stat", "state-timeline", "timeseries", "heatmap",
               "gauge", "bargauge", "barchart", "piechart"}
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
SELECTOR = re.compile(r'\b(holdfast_[a-zA-Z0-9_]+)\s*(\{[^}]*\})?')
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
GROUPING = re.compile(r'\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)')

errors = []


def err(msg):
    errors.append(msg)


def scraped(paths):
    """series name -> {label -> set of values}; and the TYPE lines. A target
    label (instance, job, cluster) on a holdfastd series is an error: Prometheus
    would rename it on scrape (instance to exported_instance)."""
    series, types = {}, {}
    for path in paths:
        for line in open(path):
            line = line.rstrip("\n")
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split(" ", 3)
                types[name] = kind
                continue
            if not line or line.startswith("#"):
                continue
            m = SAMPLE.match(line)
            if not m:
                err("%s: not a sample line: %r" % (path, line))
                continue
            labels = series.setdefault(m.group(1), {})
            for k, v in LABEL.findall(m.group(2) or ""):
                if k in TARGET_LABELS:
                    err("%s: %s has the label %r, a target label of Prometheus" % (path, m.group(1), k))
                labels.setdefault(k, set()).add(v)
    return series, types


def check_histograms(series, types):
    for name, kind in types.items():
        if kind != "histogram":
            if name not in series:
                err("/metrics: TYPE %s %s without samples" % (name, kind))
            continue
        for suffix in ("_bucket", "_sum", "_count"):
            if name + suffix not in series:
                err("/metrics: histogram %s has no %s series" % (name, suffix))
        if "+Inf" not in series.get(name + "_bucket", {}).get("le", set()):
            err("/metrics: histogram %s has no le=\"+Inf\" bucket" % name)


def check_query(where, expr, series, legend=None):
    """Every holdfast_* name in expr is a series the daemons export; every label
    it matches, groups by or templates on exists, and literal values occur."""
    names = set()
    known = set(TARGET_LABELS) | {"le"}
    for m in SELECTOR.finditer(expr):
        name, sel = m.group(1), m.group(2) or ""
        names.add(name)
        if name not in series:
            hint = ""
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if name + "_bucket" in series:
                hint = " (a histogram: query %s_bucket, _sum or _count)" % name
            elif base != name and base in series:
                hint = " (%s is not a histogram)" % base
            err("%s: %s is not exported by holdfastd%s" % (where, name, hint))
            continue
        labels = series[name]
        known |= set(labels)
        for label, op, value in MATCHER.findall(sel):
            if label in TARGET_LABELS:
                continue
            if label not in labels:
                err("%s: %s has no label %r (it has %s)" % (where, name, label, sorted(labels)))
                continue
            if "$" in value:
                continue
            live = labels[label]
            if op in ("=", "!=") and value not in live:
                err("%s: %s{%s%s\"%s\"}: no such value (live: %s)"
                    % (where, name, label, op, value, sorted(live)))
            if op in ("=~", "!~") and not any(re.fullmatch(value, v) for v in live):
                err("%s: %s{%s%s\"%s\"} matches no live value (%s)"
                    % (where, name, label, op, value, sorted(live)))
    for m in GROUPING.finditer(expr):
        for label in filter(None, (x.strip() for x in m.group(1).split(","))):
            if label not in known:
                err("%s: groups by %r, a label of none of %s" % (where, label, sorted(names)))
    for label in re.findall(r"\{\{\s*\.?([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}", legend or ""):
        if label not in known:
            err("%s: legend uses {{%s}}, a label of none of %s" % (where, label, sorted(names)))
    for var in re.findall(r"\$\{?([a-zA-Z_][a-zA-Z0-9_]*)", expr):
        if var not in GRAFANA_VARS and "$" + var not in SUBST:
            err("%s: unknown variable $%s" % (where, var))
    return names


def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        for q in p.get("panels", []) or []:   # inside a collapsed row
            yield q


def dashboard_targets(dash):
    """(where, expr, legend, instant) of every query of the dashboard."""
    for p in panels_of(dash):
        for t in p.get("targets", []) or []:
            where = "dashboard panel %r target %s" % (p.get("title"), t.get("refId"))
            yield where, t.get("expr", ""), t.get("legendFormat", ""), t.get("instant", False)


def variable_queries(dash):
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        yield v.get("name"), q or ""


def check_dashboard_shape(dash):
    for key, kind in (("title", str), ("uid", str), ("schemaVersion", int), ("panels", list),
                      ("templating", dict), ("time", dict), ("annotations", dict)):
        if not isinstance(dash.get(key), kind):
            err("dashboard: top-level %r missing or not a %s" % (key, kind.__name__))
    if errors:
        return
    if not 36 <= dash["schemaVersion"] <= 39:
        err("dashboard: schemaVersion %s, expected 36-39" % dash["schemaVersion"])
    if not re.fullmatch(r"[a-zA-Z0-9_-]{1,40}", dash["uid"]):
        err("dashboard: uid %r is not a Grafana uid" % dash["uid"])
    if "id" in dash and dash["id"] is not None:
        err("dashboard: id must be null for import (it is %r)" % dash["id"])
    variables = {v.get("name"): v for v in dash["templating"].get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        err("dashboard: no template variable 'datasource' of type datasource for prometheus")
    for name in ("job", "node", "vrrp_instance"):
        if name not in variables:
            err("dashboard: no template variable %r" % name)
    for name, v in variables.items():
        if v.get("type") == "query" and v.get("datasource", {}).get("uid") != "${datasource}":
            err("dashboard: variable %r does not use ${datasource}" % name)
    ids, boxes = set(), []
    for p in panels_of(dash):
        title = p.get("title")
        where = "dashboard panel %r" % title
        if not isinstance(title, str) or not title:
            err("dashboard: a panel without a title: %s" % json.dumps(p)[:200])
        if p.get("type") not in PANEL_TYPES:
            err("%s: type %r" % (where, p.get("type")))
        if not isinstance(p.get("id"), int) or p["id"] in ids:
            err("%s: id %r missing or not unique" % (where, p.get("id")))
        ids.add(p.get("id"))
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in "hwxy"):
            err("%s: gridPos %r lacks integer h, w, x, y" % (where, g))
            continue
        if g["x"] < 0 or g["y"] < 0 or g["w"] < 1 or g["h"] < 1 or g["x"] + g["w"] > 24:
            err("%s: gridPos %r outside Grafana's 24 columns" % (where, g))
        for other, og in boxes:
            if (g["x"] < og["x"] + og["w"] and og["x"] < g["x"] + g["w"]
                    and g["y"] < og["y"] + og["h"] and og["y"] < g["y"] + g["h"]):
                err("%s: gridPos %r overlaps panel %r %r" % (where, g, other, og))
        boxes.append((title, g))
        if p.get("type") in ("row", "text"):
            continue
        if p.get("datasource", {}).get("uid") != "${datasource}":
            err("%s: datasource %r, expected the ${datasource} variable" % (where, p.get("datasource")))
        targets = p.get("targets")
        if not isinstance(targets, list) or not targets:
            err("%s: no targets" % where)
            continue
        refs = set()
        for t in targets:
            if not isinstance(t.get("expr"), str) or not t["expr"].strip():
                err("%s: a target without expr: %r" % (where, t))
            if not t.get("refId") or t.get("refId") in refs:
                err("%s: refId %r missing or repeated" % (where, t.get("refId")))
            refs.add(t.get("refId"))
            if t.get("datasource", {}).get("uid") != "${datasource}":
                err("%s: target %s datasource %r" % (where, t.get("refId"), t.get("datasource")))


def rule_exprs(path):
    """(alert, expr) of each rule, read without a YAML library: `expr: |` blocks
    and one-line `expr:`. Annotations' $labels are returned apart."""
    lines = open(path).read().split("\n")
    rules, alert, i = [], None, 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^\s*- alert:\s*(\S+)", line)
        if m:
            alert = m.group(1)
        m = re.match(r"^(\s*)expr:\s*(.*)$", line)
        if m:
            indent, rest = len(m.group(1)), m.group(2).strip()
            if rest in ("|", ">", "|-", ">-"):
                body = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or
                                          len(lines[i]) - len(lines[i].lstrip()) > indent):
                    body.append(lines[i].strip())
                    i += 1
                rules.append((alert, "\n".join(body).strip()))
                continue
            rules.append((alert, rest.strip("'\"")))
        i += 1
    return rules


def static(dash_path, rules_path, pages):
    series, types = scraped(pages)
    if not series:
        err("no samples in %s" % pages)
    check_histograms(series, types)
    try:
        dash = json.load(open(dash_path))
    except ValueError as e:
        sys.exit("FAIL: %s is not JSON: %s" % (dash_path, e))
    check_dashboard_shape(dash)
    used = set()
    n = 0
    for where, expr, legend, _ in dashboard_targets(dash):
        used |= check_query(where, expr, series, legend)
        n += 1
    for name, q in variable_queries(dash):
        m = re.fullmatch(r"label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)", q.strip())
        if not m:
            err("dashboard variable %r: query %r is not label_values(SELECTOR, LABEL)" % (name, q))
            continue
        used |= check_query("dashboard variable %r" % name,
                            m.group(1), series, "{{%s}}" % m.group(2))
    rules = rule_exprs(rules_path)
    alerts = re.findall(r"^\s*- alert:\s*(\S+)", open(rules_path).read(), re.M)
    if len(rules) != len(alerts) or not rules:
        err("rules: %d alerts but %d exprs read" % (len(alerts), len(rules)))
    rule_names = set()
    for alert, expr in rules:
        rule_names |= check_query("rule %s" % alert, expr, series)
    for label in set(re.findall(r"\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)", open(rules_path).read())):
        if label not in TARGET_LABELS and not any(label in l for l in series.values()):
            err("rules: annotations use $labels.%s, a label no metric has" % label)
    unused = sorted(n for n in series if n not in used)
    if errors:
        print("\n".join("FAIL: " + e for e in errors))
        sys.exit(1)
    print("ok: dashboard: %d panels, %d queries, Grafana shape; every name and label it queries "
          "is exported (%d names)" % (sum(1 for _ in panels_of(dash)), n, len(used)))
    print("ok: rules: %d alerts; every holdfast_* name and label they use is exported: %s"
          % (len(rules), ", ".join(sorted(rule_names))))
    print("ok: exported series the dashboard does not show: %s" % (", ".join(unused) or "none"))


def api(path, **params):
    url = "http://127.0.0.1:9090/api/v1/" + path
    if params:
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    with urllib.request.urlopen(url, timeout=5) as r:
        doc = json.load(r)
    if doc.get("status") != "success":
        raise RuntimeError("%s: %s" % (path, doc))
    return doc["data"]


def firing():
    return [a for a in api("alerts")["alerts"] if a["state"] == "firing"]


def alerts(spec):
    """spec: JSON {"fire": [[alertname, {labels}]...], "quiet": [[alertname, {labels}]...]}.
    Each "fire" entry matches a firing alert whose labels include those given; no
    firing alert matches a "quiet" entry. Exit 1, with what fires, otherwise."""
    spec = json.loads(spec)
    now = firing()

    def matches(entry):
        name, labels = entry
        return [a for a in now if a["labels"]["alertname"] == name and
                all(a["labels"].get(k) == v for k, v in labels.items())]
    missing = [e for e in spec.get("fire", []) if not matches(e)]
    extra = [a["labels"] for e in spec.get("quiet", []) for a in matches(e)]
    if missing or extra:
        print("missing: %s; unwanted: %s; firing: %s" % (
            missing, extra, sorted(json.dumps(a["labels"], sort_keys=True) for a in now)))
        sys.exit(1)
    print("firing: " + "; ".join(sorted(
        "%s{%s}" % (a["labels"]["alertname"], ",".join(
            "%s=%s" % (k, v) for k, v in sorted(a["labels"].items())
            if k not in ("alertname", "job", "severity")))
        for a in now)))


def query(expr):
    print(json.dumps(api("query", query=expr)["result"]))


def live_dashboard(dash_path):
    """Every query of the dashboard and its variables, with the variables as
    Grafana substitutes them for All, returns data from the live Prometheus."""
    dash = json.load(open(dash_path))
    empty = []
    n = 0
    for where, expr, _, _ in dashboard_targets(dash):
        for k in sorted(SUBST, key=len, reverse=True):
            expr = expr.replace(k, SUBST[k])
        n += 1
        if not api("query", query=expr)["result"]:
            empty.append("%s: %s" % (where, expr))
    for name, q in variable_queries(dash):
        for k in sorted(SUBST, key=len, reverse=True):
            q = q.replace(k, SUBST[k])
        m = re.fullmatch(r"label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)", q.strip())
        values = api("label/%s/values" % m.group(2), **{"match[]": m.group(1)})
        print("variable %s: %s" % (name, ", ".join(values) or "(none)"))
        if not values and name != "cluster":   # the lab sets no cluster label
            empty.append("variable %s: %s" % (name, q))
    if empty:
        print("FAIL: dashboard queries without data:\n  " + "\n  ".join(empty))
        sys.exit(1)
    print("ok: all %d dashboard queries return data from the live Prometheus" % n)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "static":
        static(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "alerts":
        alerts(sys.argv[2])
    elif cmd == "query":
        query(sys.argv[2])
    elif cmd == "live-dashboard":
        live_dashboard(sys.argv[2])
PY

# VIPs a node's VI_1 lists besides 192.0.2.100 (a reload that adds one).
declare -A VI1_EXTRA=()
write() { # NODE PRIORITY PASSWORD [EXTRA]
  cat >"$LAB_DIR/$1.conf" <<CONF
global_defs {
    metrics_listen 192.0.2.$((10 + ${1#r})):9650
}
backend nginx_local {
    address 127.0.0.1
    check tcp  { port 8080  interval 300ms  timeout 200ms  rise 2  fall 2 }
    check http { port 8080  path /health  interval 300ms  timeout 200ms  rise 2  fall 2 }
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass $3
    }
    virtual_ipaddress {
        192.0.2.100/24
        ${VI1_EXTRA[$1]:-}
    }
    track_backend {
        nginx_local weight -60
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    version 3
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.101/24
    }
    track_backend {
        nginx_local weight 0
    }
}
${4:-}
CONF
}
# lb2 alone has VI_3: lb1 counts its adverts as unknown_vrid, at its socket.
VI_3='vrrp_instance VI_3 {
    state BACKUP
    interface eth0
    virtual_router_id 53
    version 3
    priority 100
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.102/24
    }
}'

lab_nginx "$R1" n1
lab_nginx "$R2" n2
write r1 150 s3cret
write r2 100 s3cret "$VI_3"
lab_holdfastd "$R1" r1
r1_vips() { lab_has_vip "$R1" 192.0.2.100 && lab_has_vip "$R1" 192.0.2.101; }
lab_wait "r1 to hold both VIPs" 15 r1_vips
lab_holdfastd "$R2" r2
R2PID=$LAB_PID
lab_wait "r2's control socket" 10 test -S "$LAB_DIR/r2.sock"
lab_wait "r2 to hold VI_3's VIP" 10 lab_has_vip "$R2" 192.0.2.102
states() { # NODE: "NAME=STATE ..." of its instances
  lab_ctl "$1" status --json | "$LAB_PYTHON" -c '
import json, sys
print(" ".join(sorted("%s=%s" % (i["name"], i["state"]) for i in json.load(sys.stdin)["instances"])))'
}
r2_settled() { [ "$(states r2)" = "VI_1=BACKUP VI_2=BACKUP VI_3=MASTER" ]; }
lab_wait "r2 backup of VI_1 and VI_2, master of VI_3" 10 r2_settled
checks_up() { lab_ctl r1 status --quiet && lab_ctl r2 status --quiet; }
lab_wait "checks to be up on both" 10 checks_up
echo "ok: lb1 master of VI_1 and VI_2, lb2 backup of both and master of VI_3, nginx checked over TCP and HTTP"

# --- scrape both nodes from the client namespace, as a Prometheus would
for node in r1:$A r2:$B; do
  ip netns exec "$C" curl -sf --max-time 5 "http://${node#*:}/metrics" >"$LAB_DIR/${node%%:*}.metrics" ||
    lab_fail "curl http://${node#*:}/metrics from the client namespace failed"
done
grep -q '^holdfast_check_latency_seconds_bucket{kind="http",target="http 127.0.0.1:8080/health",le="0.001"} ' "$LAB_DIR/r1.metrics" ||
  lab_fail "no HTTP check latency histogram in r1's /metrics"
echo "ok: /metrics scraped from both nodes ($(grep -vc '^#' "$LAB_DIR/r1.metrics") + $(grep -vc '^#' "$LAB_DIR/r2.metrics") samples)"

for node in r1 r2; do
  for line in '# TYPE holdfast_vrrp_vip_list_mismatch gauge' '# TYPE holdfast_vrrp_vip_list_mismatch_total counter' \
    'holdfast_vrrp_vip_list_mismatch{vrrp_instance="VI_1"} 0' 'holdfast_vrrp_vip_list_mismatch_total{vrrp_instance="VI_1"} 0' \
    'holdfast_vrrp_state{vrrp_instance="VI_1",state="MASTER"} '; do
    grep -qF "$line" "$LAB_DIR/$node.metrics" || lab_fail "$node's /metrics lacks: $line"
  done
done
echo "ok: both /metrics label the vrrp_instance vrrp_instance and have holdfast_vrrp_vip_list_mismatch and its _total, at 0"

"$LAB_PYTHON" "$CHECK" static "$DASHBOARD" "$RULES" "$LAB_DIR/r1.metrics" "$LAB_DIR/r2.metrics" ||
  lab_fail "the dashboard or the rules query what the daemons do not export"

# metric NODE NAME LABELS: the value of one sample of NODE's /metrics, scraped now.
metric() {
  local addr=$A
  [ "$1" = r2 ] && addr=$B
  ip netns exec "$C" curl -sf --max-time 5 "http://$addr/metrics" | sed -n "s/^$2{$3} //p"
}
metric_is() { [ "$(metric "$1" "$2" "$3")" = "$4" ]; }
# A rolling reload that adds 192.0.2.103 to VI_1, lb1 (the master) first: lb2
# hears adverts that list a VIP it does not have, and flags them (gauge 1, its
# counter counting, status --json), lb1 does not (a master hears no adverts).
# With a live Prometheus (ALERTS=1) HoldfastVipListMismatch fires for lb2's VI_1
# only. lb2 reloaded too, the flag and the alert are gone.
rolling_reload() { # ALERTS
  VI1_EXTRA[r1]=192.0.2.103/24
  write r1 150 s3cret
  lab_ctl r1 reload >"$LAB_DIR/reload.out" 2>&1 || lab_fail "reload of r1: $(cat "$LAB_DIR/reload.out")"
  lab_wait "lb1 to hold the added VIP 192.0.2.103" 10 lab_has_vip "$R1" 192.0.2.103
  lab_wait "lb2's holdfast_vrrp_vip_list_mismatch of VI_1 at 1" 10 \
    metric_is r2 holdfast_vrrp_vip_list_mismatch 'vrrp_instance="VI_1"' 1
  local n
  n=$(metric r2 holdfast_vrrp_vip_list_mismatch_total 'vrrp_instance="VI_1"')
  [ "${n:-0}" -ge 1 ] || lab_fail "lb2's holdfast_vrrp_vip_list_mismatch_total of VI_1 is '$n' with the gauge at 1"
  metric_is r2 holdfast_vrrp_vip_list_mismatch 'vrrp_instance="VI_2"' 0 || lab_fail "lb2 flags VI_2, whose VIPs did not change"
  metric_is r1 holdfast_vrrp_vip_list_mismatch 'vrrp_instance="VI_1"' 0 || lab_fail "lb1, the master, flags VI_1"
  [ "$(lab_vrrp r2 VI_1 vip_list_mismatch.active vip_list_mismatch.their_vips)" = 'true ["192.0.2.100","192.0.2.103"]' ] ||
    lab_fail "lb2's vrrp --json: $(lab_vrrp r2 VI_1 vip_list_mismatch)"
  [ "$(lab_vrrp r2 VI_1 state)" = BACKUP ] || lab_fail "lb2's VI_1 left BACKUP on adverts it honours"
  echo "ok: lb1 reloaded with 192.0.2.103: lb2's gauge of VI_1 at 1, its counter at $n; VI_2 and lb1 at 0; lb2 stays BACKUP"
  if [ "$1" = 1 ]; then
    expect "VIP lists differ (lb1 reloaded, lb2 not yet)" 20 "{\"fire\": [
  [\"HoldfastVipListMismatch\", {\"instance\": \"$B\", \"vrrp_instance\": \"VI_1\", \"severity\": \"warning\"}]],
 \"quiet\": [[\"HoldfastVipListMismatch\", {\"instance\": \"$A\"}], [\"HoldfastVipListMismatch\", {\"vrrp_instance\": \"VI_2\"}],
  [\"HoldfastNoMaster\", {}], [\"HoldfastTwoMasters\", {}], [\"HoldfastFlapping\", {}]]}"
  fi
  VI1_EXTRA[r2]=192.0.2.103/24
  write r2 100 s3cret "$VI_3"
  lab_ctl r2 reload >"$LAB_DIR/reload.out" 2>&1 || lab_fail "reload of r2: $(cat "$LAB_DIR/reload.out")"
  lab_wait "lb2's holdfast_vrrp_vip_list_mismatch of VI_1 back at 0" 10 \
    metric_is r2 holdfast_vrrp_vip_list_mismatch 'vrrp_instance="VI_1"' 0
  echo "ok: lb2 reloaded too: its gauge of VI_1 back at 0"
  if [ "$1" = 1 ]; then
    expect "VIP lists the same again" 20 "{\"quiet\": [[\"HoldfastVipListMismatch\", {}], [\"HoldfastNoMaster\", {}], [\"HoldfastTwoMasters\", {}]]}"
  fi
  return 0
}

# --- a live Prometheus over the pair, the rules loaded
if ! command -v prometheus >/dev/null; then
  echo "SKIPPED PART: prometheus is not installed: the rules and the dashboard's queries are not evaluated against a live Prometheus" >&2
  rolling_reload 0
  echo "PASS dashboard_metrics (static checks only)"
  exit 0
fi
# The same rules with `for` cut to 3 s (transients of a scrape or two still do not
# fire) and rate/increase windows from minutes to seconds, so that a 1 s scrape
# crosses their thresholds within seconds. Nothing else is changed.
sed -E 's/^( *)for: .*/\1for: 3s/; s/\[5m\]/[20s]/g; s/\[10m\]/[60s]/g' "$RULES" >"$LAB_DIR/rules.yml"
[ "$(diff "$RULES" "$LAB_DIR/rules.yml" | grep -c '^>')" -ge 9 ] || lab_fail "the rules' for/windows were not rewritten: $(diff "$RULES" "$LAB_DIR/rules.yml")"
cat >"$LAB_DIR/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
  evaluation_interval: 1s
rule_files:
  - $LAB_DIR/rules.yml
scrape_configs:
  - job_name: holdfast
    static_configs:
      - targets: ['$A', '$B']
CONF
promtool check config "$LAB_DIR/prometheus.yml" >"$LAB_DIR/promtool.out" 2>&1 || lab_fail "promtool check config: $(cat "$LAB_DIR/promtool.out")"
mkdir -p "$LAB_DIR/tsdb"
lab_spawn "$C" "$LAB_DIR/prometheus.log" prometheus --config.file="$LAB_DIR/prometheus.yml" \
  --storage.tsdb.path="$LAB_DIR/tsdb" --web.listen-address=127.0.0.1:9090 --log.level=warn
lab_wait "prometheus to be ready" 20 ip netns exec "$C" curl -sf http://127.0.0.1:9090/-/ready
pq() { ip netns exec "$C" "$LAB_PYTHON" "$CHECK" query "$1"; }
both_up() { [ "$(pq 'sum(up{job="holdfast"})' | "$LAB_PYTHON" -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["value"][1] if r else 0)')" = 2 ]; }
lab_wait "prometheus to scrape both nodes" 15 both_up
# expect DESC SECONDS SPEC: poll until the firing alerts are as SPEC says.
expect() {
  local desc=$1 seconds=$2 spec=$3
  lab_wait "alerts: $desc" "$seconds" ip netns exec "$C" "$LAB_PYTHON" "$CHECK" alerts "$spec"
  echo "ok: $desc: $(ip netns exec "$C" "$LAB_PYTHON" "$CHECK" alerts "$spec")"
}
# Labels after the scrape: the node is `instance`, the vrrp_instance `vrrp_instance`
# (no exported_instance: holdfastd's labels do not clash with the target's).
masters=$(pq 'holdfast_vrrp_state{job="holdfast",state="MASTER"} == 1' | "$LAB_PYTHON" -c '
import json, sys
print(" ".join(sorted("%s@%s" % (r["metric"]["vrrp_instance"], r["metric"]["instance"]) for r in json.load(sys.stdin))))')
[ "$masters" = "VI_1@$A VI_2@$A VI_3@$B" ] || lab_fail "masters as Prometheus labels them: '$masters', expected VI_1@$A VI_2@$A VI_3@$B"
exported=$(pq 'count({job="holdfast",exported_instance!=""})' | "$LAB_PYTHON" -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["value"][1] if r else 0)')
[ "$exported" = 0 ] || lab_fail "$exported series carry exported_instance: a holdfastd label clashes with the target's instance"
echo "ok: Prometheus labels the node instance=\"$A\" and the vrrp_instance vrrp_instance=\"VI_1\", no exported_instance"

ALL='["HoldfastNoMaster",{}],["HoldfastTwoMasters",{}],["HoldfastInstanceFault",{}],["HoldfastBackendDown",{}],["HoldfastPriorityDemoted",{}],["HoldfastAdvertsDiscarded",{}],["HoldfastFlapping",{}],["HoldfastScrapeFailed",{}],["HoldfastVipListMismatch",{}]'
expect "a healthy pair: nothing fires (unknown_vrid from VI_3 included)" 20 "{\"quiet\": [$ALL]}"

rolling_reload 1

# --- lb1's nginx fails its health check: backend down, VI_1 demoted, VI_2 in FAULT
touch "$LAB_DIR/n1-down"
expect "lb1's nginx failing" 20 "{\"fire\": [
  [\"HoldfastBackendDown\", {\"instance\": \"$A\", \"backend\": \"nginx_local\", \"kind\": \"backend\", \"severity\": \"warning\"}],
  [\"HoldfastPriorityDemoted\", {\"instance\": \"$A\", \"vrrp_instance\": \"VI_1\", \"severity\": \"warning\"}],
  [\"HoldfastInstanceFault\", {\"instance\": \"$A\", \"vrrp_instance\": \"VI_2\", \"state\": \"FAULT\"}]],
 \"quiet\": [[\"HoldfastNoMaster\", {}], [\"HoldfastTwoMasters\", {}], [\"HoldfastScrapeFailed\", {}],
  [\"HoldfastBackendDown\", {\"instance\": \"$B\"}], [\"HoldfastAdvertsDiscarded\", {}]]}"
lab_has_vip "$R2" 192.0.2.100 || lab_fail "lb2 did not take VI_1's VIP"

# --- both fail: VI_2 (weight 0) is in FAULT everywhere: no master
touch "$LAB_DIR/n2-down"
expect "both nginx failing" 20 "{\"fire\": [
  [\"HoldfastNoMaster\", {\"vrrp_instance\": \"VI_2\", \"severity\": \"critical\"}],
  [\"HoldfastInstanceFault\", {\"instance\": \"$B\", \"vrrp_instance\": \"VI_2\"}],
  [\"HoldfastInstanceFault\", {\"instance\": \"$A\", \"vrrp_instance\": \"VI_2\"}],
  [\"HoldfastBackendDown\", {\"instance\": \"$B\", \"backend\": \"nginx_local\"}],
  [\"HoldfastPriorityDemoted\", {\"instance\": \"$B\", \"vrrp_instance\": \"VI_1\"}]],
 \"quiet\": [[\"HoldfastNoMaster\", {\"vrrp_instance\": \"VI_1\"}], [\"HoldfastNoMaster\", {\"vrrp_instance\": \"VI_3\"}],
  [\"HoldfastTwoMasters\", {}], [\"HoldfastScrapeFailed\", {}], [\"HoldfastAdvertsDiscarded\", {}]]}"

# --- healthy again
rm -f "$LAB_DIR/n1-down" "$LAB_DIR/n2-down"
expect "healthy again" 30 "{\"quiet\": [[\"HoldfastNoMaster\", {}], [\"HoldfastInstanceFault\", {}], [\"HoldfastBackendDown\", {}], [\"HoldfastPriorityDemoted\", {}]]}"
# --- lb1's nginx fails and recovers twice: VI_2 (weight 0) goes MASTER -> FAULT ->
# BACKUP -> MASTER each time, 6 transitions in seconds
vi2_on_r1() { [ "$(lab_vrrp r1 VI_2 state)" = "$1" ]; }
for round in 1 2; do
  touch "$LAB_DIR/n1-down"
  lab_wait "VI_2 in FAULT on lb1 (flap $round)" 10 vi2_on_r1 FAULT
  rm -f "$LAB_DIR/n1-down"
  lab_wait "VI_2 master on lb1 again (flap $round)" 10 vi2_on_r1 MASTER
done
expect "flapping" 20 "{\"fire\": [[\"HoldfastFlapping\", {\"instance\": \"$A\", \"vrrp_instance\": \"VI_2\", \"severity\": \"warning\"}]],
 \"quiet\": [[\"HoldfastFlapping\", {\"vrrp_instance\": \"VI_3\"}]]}"

# --- lb2 gets another password for VI_1: each discards the other's adverts and
# both become master
write r2 100 0ther "$VI_3"  # VI1_EXTRA[r2] stays: only the password differs
lab_ctl r2 reload >"$LAB_DIR/reload.out" 2>&1 || lab_fail "reload of r2: $(cat "$LAB_DIR/reload.out")"
expect "two masters of VI_1" 30 "{\"fire\": [
  [\"HoldfastTwoMasters\", {\"vrrp_instance\": \"VI_1\", \"severity\": \"critical\"}],
  [\"HoldfastAdvertsDiscarded\", {\"instance\": \"$A\", \"vrrp_instance\": \"VI_1\", \"scope\": \"instance\", \"reason\": \"auth_mismatch\"}],
  [\"HoldfastAdvertsDiscarded\", {\"instance\": \"$B\", \"vrrp_instance\": \"VI_1\", \"scope\": \"instance\", \"reason\": \"auth_mismatch\"}]],
 \"quiet\": [[\"HoldfastAdvertsDiscarded\", {\"reason\": \"unknown_vrid\"}], [\"HoldfastNoMaster\", {}],
  [\"HoldfastTwoMasters\", {\"vrrp_instance\": \"VI_2\"}], [\"HoldfastScrapeFailed\", {}]]}"
unknown=$(pq 'max(rate(holdfast_vrrp_discarded_total{instance="'"$A"'",scope="socket",reason="unknown_vrid"}[20s]))' |
  "$LAB_PYTHON" -c 'import json,sys; r=json.load(sys.stdin); print(round(float(r[0]["value"][1]), 1) if r else 0)')
"$LAB_PYTHON" -c "import sys; sys.exit(0 if $unknown > 0.1 else 1)" ||
  lab_fail "lb1 should see VI_3's adverts as unknown_vrid above the alert threshold (rate $unknown/s), or the quiet case proves nothing"
echo "ok: unknown_vrid at $unknown/s on lb1 (VI_3 of lb2), not alerted"

# --- the dashboard: every query returns data (this lab has had failures,
# transitions, discards of both scopes and control socket traffic by now)
ip netns exec "$C" "$LAB_PYTHON" "$CHECK" live-dashboard "$DASHBOARD" || lab_fail "dashboard queries without data"

# --- lb2's daemon gone: its scrape fails; the two masters are over
lab_stop "$R2PID"
expect "lb2's holdfastd stopped" 20 "{\"fire\": [[\"HoldfastScrapeFailed\", {\"instance\": \"$B\", \"job\": \"holdfast\", \"severity\": \"critical\"}]],
 \"quiet\": [[\"HoldfastScrapeFailed\", {\"instance\": \"$A\"}], [\"HoldfastTwoMasters\", {}]]}"

echo "PASS dashboard_metrics"
