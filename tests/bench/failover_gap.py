#!/usr/bin/env python3
"""Reads a pcap of one failover trial and prints the gap on the wire.

kill:  from the old master's last advert to the new master's first advert.
term:  from the old master's priority-0 advert to the new master's first advert.

Usage: failover_gap.py FILE.pcap OLD_MASTER_IP NEW_MASTER_IP kill|term
Prints the gap in microseconds, or nothing (exit 1) if the trial is incomplete.

       failover_gap.py --max-gap FILE.pcap SOURCE_IP|any [VRID]
Prints the largest gap between two adverts from SOURCE_IP (of VRID, if given) in
microseconds, and their count, or nothing (exit 1) with fewer than two.
Standard library only; reads classic pcap (microsecond or nanosecond) with Ethernet,
IPv4 and (for --max-gap) IPv6.
"""
import socket
import struct
import sys


def adverts(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0xA1B2C3D4:
        endian, scale = "<", 1e-6
    elif magic == 0xA1B23C4D:
        endian, scale = "<", 1e-9
    elif magic == 0xD4C3B2A1:
        endian, scale = ">", 1e-6
    else:
        endian, scale = ">", 1e-9
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if len(pkt) >= 14 + 40 + 8 and pkt[12:14] == b"\x86\xdd" and pkt[14 + 6] == 112:
            src = socket.inet_ntop(socket.AF_INET6, pkt[14 + 8:14 + 24])
            yield sec + frac * scale, src, pkt[14 + 40 + 2], pkt[14 + 40 + 1]
            continue
        if len(pkt) < 14 + 20 or pkt[12:14] != b"\x08\x00":
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 112 or len(ip) < ihl + 8:
            continue
        src = socket.inet_ntoa(ip[12:16])
        vrid = ip[ihl + 1]
        priority = ip[ihl + 2]
        yield sec + frac * scale, src, priority, vrid


def max_gap(path, source, vrid):
    times = [t for t, s, p, v in adverts(path)
             if (source == "any" or s == source) and (vrid is None or v == vrid)]
    if len(times) < 2:
        return 1
    gap = max(b - a for a, b in zip(times, times[1:]))
    print(f"{round(gap * 1e6)} us over {len(times)} adverts")
    return 0


def main():
    if sys.argv[1] == "--max-gap":
        return max_gap(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else None)
    path, old, new, kind = sys.argv[1:5]
    events = [(t, s, p) for t, s, p, _ in adverts(path)]
    if kind == "kill":
        old_times = [t for t, s, p in events if s == old and p > 0]
    else:
        old_times = [t for t, s, p in events if s == old and p == 0]
    if not old_times:
        return 1
    last_old = old_times[-1] if kind == "kill" else old_times[0]
    after = [t for t, s, p in events if s == new and t > last_old]
    if not after:
        return 1
    print(round((after[0] - last_old) * 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main())
