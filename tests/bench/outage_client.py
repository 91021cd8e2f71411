#!/usr/bin/env python3
"""The client side of tests/bench/outage.sh: what a client of the VIP sees.

Two uses:

  outage_client.py --log FILE VIP_CLIENT_ARGS...
      runs tests/lab/vip_client.py (a NEW TCP connection + HTTP GET every
      --interval, each failing after --timeout; see its docstring) and also
      writes every request, as it ends, to FILE, one line each:
          BEGAN_MS ENDED_MS ok WHO        (WHO: the name the nginx answered with)
          BEGAN_MS ENDED_MS fail REASON
      (epoch milliseconds, comparable with the fault time the benchmark takes).

  outage_client.py --summarize FILE --fault-ms T --new-master NAME
      prints one JSON object about the requests of FILE around the fault at T:
        outage_ms   T to the end of the first successful answer from NAME that
                    began after T (null: NAME never answered)
        max_gap_ms  the longest time between two successful answers (any
                    server), counted from the last one before T (null: none
                    after T)
        failed      requests that failed (all of FILE: one client run per trial)
        failed_before  of those, the ones that began before T (should be 0)
        ok, served_by  successful answers, and by whom
Python 3 standard library only.
"""

import argparse
import json
import os
import sys
import time

LAB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab")


def run_client(log_path, rest):
    """vip_client.main() with its Client.record also writing each request to log_path."""
    sys.path.insert(0, LAB)
    import vip_client

    log = open(log_path, "w", buffering=1)
    record = vip_client.Client.record

    def logged_record(self, r, ok, what):
        log.write("%d %d %s %s\n" % (r.began_ms, int(time.time() * 1000), "ok" if ok else "fail", what))
        record(self, r, ok, what)

    vip_client.Client.record = logged_record
    sys.argv = [sys.argv[0]] + rest
    try:
        return vip_client.main()
    finally:
        log.close()


def summarize(log_path, fault_ms, new_master):
    oks = []  # (ended, who)
    failed = failed_before = 0
    with open(log_path) as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 3)
            if len(parts) < 4:
                continue  # a line cut short when the client was stopped
            began, ended, what = int(parts[0]), int(parts[1]), parts[2]
            if what == "ok":
                oks.append((ended, began, parts[3]))
            else:
                failed += 1
                failed_before += began < fault_ms
    oks.sort()
    served_by = {}
    for _, _, who in oks:
        served_by[who] = served_by.get(who, 0) + 1
    first_new = next((e for e, b, who in oks if who == new_master and b >= fault_ms), None)
    before = [e for e, _, _ in oks if e < fault_ms]
    after = [e for e, _, _ in oks if e >= fault_ms]
    max_gap = None
    if after:
        times = before[-1:] + after
        if len(times) == 1:
            max_gap = times[0] - fault_ms
        else:
            max_gap = max(b - a for a, b in zip(times, times[1:]))
    return {
        "outage_ms": None if first_new is None else first_new - fault_ms,
        "max_gap_ms": max_gap,
        "failed": failed,
        "failed_before": failed_before,
        "ok": len(oks),
        "served_by": served_by,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--log", help="run the client, logging every request to this file")
    p.add_argument("--summarize", help="summarize this request log")
    p.add_argument("--fault-ms", type=int)
    p.add_argument("--new-master")
    args, rest = p.parse_known_args()
    if args.log and not args.summarize:
        return run_client(args.log, rest)
    if args.summarize and not args.log and not rest and args.fault_ms and args.new_master:
        print(json.dumps(summarize(args.summarize, args.fault_ms, args.new_master), sort_keys=True))
        return 0
    p.error("either --log FILE CLIENT_ARGS... or --summarize FILE --fault-ms T --new-master NAME")


if __name__ == "__main__":
    sys.exit(main())
