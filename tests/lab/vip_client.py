#!/usr/bin/env python3
"""A client that notices every request a VIP loses.

Run from the lab's client namespace: every INTERVAL it opens a fresh TCP connection
to each TARGET (ADDRESS:PORT), on schedule even while earlier ones hang (one
non-blocking event loop, a bounded number in flight), sends a minimal HTTP/1.0 GET
and reads the answer (status line and body: the lab's nginx answers "/" with its
own name, so the answers say which router served). A request that does not bring a
200 within TIMEOUT is a failure; each failure is printed as it ends, with the time
it began (epoch ms, comparable with lab_log_ms), how long it took and why. It
prints "ready" once every target has answered once, and runs until DURATION has
passed or STOP_FILE exists. The last line is one JSON object:

  {"ok": N, "failed": M, "seconds": S, "targets": {"192.0.2.100:80":
   {"ok": N, "failed": M, "served_by": {"n1": N}, "max_ms": X,
    "first_failure_ms": T|null, "last_failure_ms": T|null}}}

(the failure times are when those requests began).
Exit status 0 whatever the counts (the test judges them); 2 on a usage error.
Python 3 standard library only.
"""

import argparse
import collections
import errno
import json
import os
import selectors
import socket
import sys
import time

REQUEST = b"GET / HTTP/1.0\r\nHost: vip\r\nUser-Agent: vip_client\r\n\r\n"


def now_ms():
    return int(time.time() * 1000)


class Target:
    def __init__(self, spec):
        host, _, port = spec.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("target %r: expected ADDRESS:PORT" % spec)
        self.spec = spec
        self.address = (host.strip("[]"), int(port))
        self.family = socket.AF_INET6 if ":" in self.address[0] else socket.AF_INET
        self.ok = 0
        self.failed = 0
        self.inflight = 0
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


class Request:
    def __init__(self, target):
        self.target = target
        self.t0 = time.monotonic()
        self.began_ms = now_ms()
        self.data = b""
        self.done = False
        self.sock = None


class Client:
    def __init__(self, targets, timeout):
        self.targets = targets
        self.timeout = timeout
        self.sel = selectors.DefaultSelector()
        self.pending = collections.deque()  # in start order, so the oldest expire first

    def start(self, target, cap):
        if target.inflight >= cap:
            self.record(Request(target), False, "%d requests already in flight" % cap)
            return
        r = Request(target)
        target.inflight += 1
        self.pending.append(r)
        try:
            r.sock = socket.socket(target.family, socket.SOCK_STREAM)
            r.sock.setblocking(False)
            err = r.sock.connect_ex(target.address)
        except OSError as e:
            self.finish(r, False, e.strerror or str(e))
            return
        if err not in (0, errno.EINPROGRESS):
            self.finish(r, False, os.strerror(err))
            return
        self.sel.register(r.sock, selectors.EVENT_WRITE, r)

    def on_event(self, r, mask):
        if r.done:
            return
        try:
            if mask & selectors.EVENT_WRITE:
                err = r.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    self.finish(r, False, os.strerror(err))
                    return
                r.sock.send(REQUEST)  # a few dozen bytes: one segment
                self.sel.modify(r.sock, selectors.EVENT_READ, r)
                return
            chunk = r.sock.recv(4096)
        except OSError as e:
            self.finish(r, False, e.strerror or str(e))
            return
        if chunk and len(r.data) < 65536:
            r.data += chunk
            return
        head, _, body = r.data.partition(b"\r\n\r\n")  # EOF: HTTP/1.0 ends the answer so
        status = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = status.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or parts[1] != "200":
            self.finish(r, False, "bad answer %r" % status[:80])
        else:
            self.finish(r, True, body.decode("latin-1").strip() or "?")

    def expire(self, now):
        while self.pending and (self.pending[0].done or now - self.pending[0].t0 >= self.timeout):
            r = self.pending.popleft()
            if not r.done:
                what = "timeout" if not r.data else "timeout reading the answer (%d bytes)" % len(r.data)
                self.finish(r, False, what)

    def finish(self, r, ok, what):
        r.done = True
        r.target.inflight -= 1
        if r.sock is not None:
            try:
                self.sel.unregister(r.sock)
            except (KeyError, ValueError):
                pass
            r.sock.close()
        self.record(r, ok, what)

    def record(self, r, ok, what):
        t = r.target
        ms = int((time.monotonic() - r.t0) * 1000)
        t.max_ms = max(t.max_ms, ms)
        if ok:
            t.ok += 1
            t.served_by[what] = t.served_by.get(what, 0) + 1
            return
        t.failed += 1
        t.first_failure_ms = t.first_failure_ms or r.began_ms
        t.last_failure_ms = r.began_ms
        print("FAIL t=%d target=%s after=%dms: %s" % (r.began_ms, t.spec, ms, what), flush=True)

    def busy(self):
        return any(not r.done for r in self.pending)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", action="append", required=True, help="ADDRESS:PORT (repeatable)")
    p.add_argument("--interval", type=float, default=0.005, help="seconds between requests per target")
    p.add_argument("--timeout", type=float, default=0.3, help="seconds a request may take")
    p.add_argument("--duration", type=float, default=60, help="seconds to run at most")
    p.add_argument("--stop-file", help="stop as soon as this file exists")
    args = p.parse_args()
    if not 0.001 <= args.interval <= 10 or not 0 < args.timeout <= 10 or not 0 < args.duration <= 600:
        p.error("interval must be in [0.001, 10], timeout in (0, 10], duration in (0, 600]")
    try:
        targets = [Target(t) for t in args.target]
    except ValueError as e:
        p.error(str(e))

    client = Client(targets, args.timeout)
    cap = int(args.timeout / args.interval) + 10  # in flight per target, at most
    began = time.monotonic()
    ticks = 0
    max_ticks = int(args.duration / args.interval) + 1  # bounded in count as well as time
    stopping = False
    said_ready = False
    # Bounded: ticks stop at max_ticks or at the deadline, and the drain after them
    # lasts at most one timeout (and a second of slack) past the deadline.
    hard_end = began + args.duration + args.timeout + 1
    while time.monotonic() < hard_end:
        now = time.monotonic()
        if not stopping and (now - began >= args.duration or ticks >= max_ticks or
                             (args.stop_file and os.path.exists(args.stop_file))):
            stopping = True
        if not stopping:
            # On schedule: every tick that is due gets its requests, even after a stall.
            while ticks < max_ticks and began + ticks * args.interval <= now:
                for t in targets:
                    client.start(t, cap)
                ticks += 1
        client.expire(now)
        if stopping and not client.busy():
            break
        if not said_ready and all(t.ok for t in targets):
            print("ready", flush=True)
            said_ready = True
        wait = args.interval if stopping else max(0.0, began + ticks * args.interval - time.monotonic())
        for key, mask in client.sel.select(timeout=min(wait, args.interval)):
            client.on_event(key.data, mask)
    client.expire(float("inf"))  # whatever is still in flight at the hard end failed
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
