#!/usr/bin/env python3
"""What each wake-up of one thread costs, from an ftrace text dump of the events
sched:sched_switch and raw_syscalls:sys_enter/sys_exit (wake_trace.sh makes one).

A wake-up is one stretch on a CPU, from the switch to the thread to the switch away.
Printed per thread: the wake-ups, their time on the CPU (mean, median), the time in
each system call (per wake-up; a call the thread slept in counts until it went off
the CPU and again from its return), the user time (the rest), and the user time
between each pair of consecutive system calls, which places the thread's own work
between its system calls.

Usage: wake_trace.py TRACE_TEXT [MIN_WAKES [TID...]]
  MIN_WAKES  threads with fewer wake-ups are left out (default 3)
  TID        the threads traced (the trace's set_event_pid); without them every
             thread a sched_switch names counts, including those the traced ones
             handed the CPU to, whose stretches then run until they hand it back
"""
import collections
import re
import statistics
import sys

# x86-64 numbers of the calls an event loop makes; others print as numbers.
NAMES = {0: "read", 1: "write", 7: "poll", 44: "sendto", 45: "recvfrom", 46: "sendmsg",
         47: "recvmsg", 202: "futex", 228: "clock_gettime", 232: "epoll_wait",
         233: "epoll_ctl", 281: "epoll_pwait", 286: "timerfd_settime", 299: "recvmmsg",
         307: "sendmmsg"}
EVENT = re.compile(r"^\s*\S+-(\d+)\s+\[\d+\].*?\s([\d.]+): (sched_switch|sys_enter|sys_exit): (.*)$")


def name(nr):
    return NAMES.get(nr, str(nr))


def parse(path, tids):
    on_cpu, in_call, last_exit = {}, {}, {}
    wakes = collections.defaultdict(list)
    gaps = collections.defaultdict(lambda: collections.defaultdict(list))
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = EVENT.match(line)
            if not m:
                continue
            pid, us, kind, rest = int(m[1]), float(m[2]) * 1e6, m[3], m[4]
            if kind == "sched_switch":
                prev = int(re.search(r"prev_pid=(\d+)", rest)[1])
                nxt = int(re.search(r"next_pid=(\d+)", rest)[1])
                w = on_cpu.pop(prev, None)
                if w is not None:
                    w["end"] = us
                    if prev in in_call:
                        nr, t0 = in_call[prev]
                        w["calls"][nr] += us - max(t0, w["start"])
                    wakes[prev].append(w)
                if nxt and (not tids or nxt in tids):
                    on_cpu[nxt] = {"start": us, "calls": collections.Counter(),
                                   "count": collections.Counter()}
                continue
            nr = int(re.search(r"NR (\d+)", rest)[1])
            if kind == "sys_enter":
                in_call[pid] = (nr, us)
                if pid in last_exit:
                    before, t0 = last_exit.pop(pid)
                    gaps[pid][(before, nr)].append(us - t0)
                continue
            t0 = in_call.pop(pid, (nr, None))[1]
            w = on_cpu.get(pid)
            if w is not None:
                start = w["start"] if t0 is None else max(t0, w["start"])
                w["calls"][nr] += us - start
                w["count"][nr] += 1
            last_exit[pid] = (nr, us)
    return wakes, gaps


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    least = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    wakes, gaps = parse(sys.argv[1], {int(t) for t in sys.argv[3:]})
    shown = 0
    for pid, ws in sorted(wakes.items(), key=lambda kv: -len(kv[1])):
        if len(ws) < least:
            continue
        shown += 1
        n = len(ws)
        spans = [w["end"] - w["start"] for w in ws]
        calls, counts = collections.Counter(), collections.Counter()
        for w in ws:
            calls.update(w["calls"])
            counts.update(w["count"])
        user = (sum(spans) - sum(calls.values())) / n
        print(f"thread {pid}: {n} wake-ups, on a CPU {statistics.mean(spans):.1f} us each "
              f"(median {statistics.median(spans):.1f}); user {user:.1f}, system calls "
              f"{sum(calls.values()) / n:.1f}")
        for nr, t in calls.most_common():
            print(f"  {name(nr):>16} {t / n:7.1f} us a wake-up, {counts[nr] / n:.2f} calls")
        for (a, b), v in sorted(gaps[pid].items(), key=lambda kv: -sum(kv[1])):
            if len(v) >= least:
                print(f"  user {name(a):>16} -> {name(b):<16} {statistics.mean(v):6.1f} us "
                      f"(median {statistics.median(v):.1f}, {len(v)} times)")
    if not shown:
        sys.exit(f"wake_trace.py: no thread with {least} or more wake-ups in {sys.argv[1]}")


main()
