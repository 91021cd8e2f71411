#!/usr/bin/env python3
"""A client that notices every request a VIP loses.

Run from the lab's client namespace: every INTERVAL it opens a fresh TCP connection
to each TARGET (ADDRESS:PORT), on schedule even while earlier ones hang (each on its
own thread, a bounded number in flight), sends a minimal HTTP/1.0 GET and reads the
answer (status line and body: the lab's nginx answers "/" with its own name, so the
answers say which router served). A request that does not bring a 200 within
TIMEOUT is a failure; each failure is printed as it ends, with the time it began
(epoch ms, comparable with lab_log_ms), how long it took and why. It prints "ready" once every target
has answered once, and runs until DURATION has passed or STOP_FILE exists. The
last line is one JSON object:

  {"ok": N, "failed": M, "seconds": S, "targets": {"192.0.2.100:80":
   {"ok": N, "failed": M, "served_by": {"n1": N}, "max_ms": X,
    "first_failure_ms": T|null, "last_failure_ms": T|null}}}
(the failure times are when those requests began).

Exit status 0 whatever the counts (the test judges them); 2 on a usage error.
Python 3 standard library only.
"""

import argparse
import json
import os
import socket
import sys
import threading
import time


def now_ms():
    return int(time.time() * 1000)


class Target:
    def __init__(self, spec):
        host, _, port = spec.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("target %r: expected ADDRESS:PORT" % spec)
        self.spec = spec
        self.host = host.strip("[]")
        self.port = int(port)
        self.ok = 0
        self.failed = 0
        self.served_by = {}
        self.max_ms = 0
        self.first_failure_ms = None
        self.last_failure_ms = None

    def report(self):
        return {
            "ok": self.ok,
            "failed": self.failed,
            "served_by": self.served_by,
            "max_ms": self.max_ms,
            "first_failure_ms": self.first_failure_ms,
            "last_failure_ms": self.last_failure_ms,
        }


def request(target, timeout):
    """One GET on a fresh connection: (True, server name) or (False, reason)."""
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((target.host, target.port), timeout=timeout) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\nUser-Agent: vip_client\r\n\r\n")
            data = b""
            # The answer is a few hundred bytes; bounded by size and by the deadline.
            while len(data) < 65536:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False, "timeout reading the answer (%d bytes so far)" % len(data)
                s.settimeout(left)
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
    except socket.timeout:
        return False, "timeout"
    except OSError as e:
        return False, e.strerror or str(e)
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or parts[1] != "200":
        return False, "bad answer %r" % status[:80]
    return True, body.decode("latin-1").strip() or "?"


def run(target, args, stop, lock, ready):
    """Starts one request every INTERVAL, each on its own thread, so that a request
    hanging until its timeout does not delay the next ones: every request that would
    have been made during an outage is made, and counted."""
    inflight = [0]

    def one():
        t0, began_ms = time.monotonic(), now_ms()
        ok, what = request(target, args.timeout)
        ms = int((time.monotonic() - t0) * 1000)
        with lock:
            inflight[0] -= 1
            target.max_ms = max(target.max_ms, ms)
            if ok:
                target.ok += 1
                target.served_by[what] = target.served_by.get(what, 0) + 1
                ready.add(target.spec)
            else:
                target.failed += 1
                target.first_failure_ms = target.first_failure_ms or began_ms
                target.last_failure_ms = began_ms
                print("FAIL t=%d target=%s after=%dms: %s" % (began_ms, target.spec, ms, what), flush=True)

    # In flight at most: every request of one timeout, and some (bounded in count).
    cap = int(args.timeout / args.interval) + 10
    start = time.monotonic()
    limit = int(args.duration / args.interval) + 1  # bounded in count as well as time
    for i in range(limit):
        if stop.is_set() or time.monotonic() - start >= args.duration:
            break
        with lock:
            busy = inflight[0] >= cap
            if busy:
                target.failed += 1
                print("FAIL t=%d target=%s after=0ms: %d requests in flight" % (now_ms(), target.spec, cap), flush=True)
            else:
                inflight[0] += 1
        if not busy:
            threading.Thread(target=one, daemon=True).start()
        pause = start + (i + 1) * args.interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    # The last requests finish (each is bounded by its timeout).
    deadline = time.monotonic() + args.timeout + 1
    while time.monotonic() < deadline:
        with lock:
            if inflight[0] == 0:
                break
        time.sleep(0.01)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", action="append", required=True, help="ADDRESS:PORT (repeatable)")
    p.add_argument("--interval", type=float, default=0.005, help="seconds between requests per target")
    p.add_argument("--timeout", type=float, default=0.3, help="seconds a request may take")
    p.add_argument("--duration", type=float, default=60, help="seconds to run at most")
    p.add_argument("--stop-file", help="stop as soon as this file exists")
    args = p.parse_args()
    if args.interval <= 0 or args.timeout <= 0 or not 0 < args.duration <= 600:
        p.error("interval and timeout must be > 0, duration in (0, 600]")
    try:
        targets = [Target(t) for t in args.target]
    except ValueError as e:
        p.error(str(e))

    stop = threading.Event()
    lock = threading.Lock()
    ready = set()
    threads = [threading.Thread(target=run, args=(t, args, stop, lock, ready), daemon=True) for t in targets]
    began = time.monotonic()
    for t in threads:
        t.start()
    said_ready = False
    while any(t.is_alive() for t in threads):
        with lock:
            if not said_ready and len(ready) == len(targets):
                print("ready", flush=True)
                said_ready = True
        if args.stop_file and os.path.exists(args.stop_file):
            stop.set()
        if time.monotonic() - began > args.duration + 2 * args.timeout + 1:
            stop.set()
        time.sleep(0.01)
    for t in threads:
        t.join(timeout=2 * args.timeout + 1)
    report = {
        "ok": sum(t.ok for t in targets),
        "failed": sum(t.failed for t in targets),
        "seconds": round(time.monotonic() - began, 3),
        "targets": {t.spec: t.report() for t in targets},
    }
    print(json.dumps(report, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
