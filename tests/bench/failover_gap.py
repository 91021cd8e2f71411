#!/usr/bin/env python3
"""Reads a pcap of one failover trial and prints the gap on the wire.

kill:  from the old master's last advert to the new master's first advert.
term:  from the old master's priority-0 advert to the new master's first advert.

Usage: failover_gap.py FILE.pcap OLD_MASTER_IP NEW_MASTER_IP kill|term
Prints the gap in microseconds, or nothing (exit 1) if the trial is incomplete.
Standard library only; reads classic pcap (microsecond or nanosecond) with Ethernet.
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
        if len(pkt) < 14 + 20 or pkt[12:14] != b"\x08\x00":
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 112 or len(ip) < ihl + 8:
            continue
        src = socket.inet_ntoa(ip[12:16])
        priority = ip[ihl + 2]
        yield sec + frac * scale, src, priority


def main():
    path, old, new, kind = sys.argv[1:5]
    events = list(adverts(path))
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
