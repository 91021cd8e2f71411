#!/usr/bin/env python3
"""Floods a LAN segment with malformed and hostile VRRP packets (lab use only).

  vrrp_flood.py IFACE COUNT [--seed N] [--pps N] [--only KIND]
  vrrp_flood.py --config PRIORITY     prints the pair's config (holdfastd and
                                      keepalived read it alike) at PRIORITY

Sends COUNT Ethernet frames through an AF_PACKET socket on IFACE, cycling through a
pool of packets of these kinds (each with the discard reason a correct receiver
must count it under):

  random        random bytes as a VRRP message             (various)
  truncated     the first 1-7 bytes of an advert           too_short
  version       version 1, 4 or 15                         bad_version
  type          type 2-15                                  bad_type
  checksum      a wrong checksum                           bad_checksum
  ttl           TTL 1-254                                  bad_ttl
  vrid          an advert for VRID 77 (nobody's)           unknown_vrid
  auth          VRID 51, priority 254, wrong password,     auth_mismatch
                from spoofed sources
  prio255       VRID 51, priority 255 from a non-owner,    auth_mismatch
                wrong password
  count         count larger than the addresses sent       bad_length
  interval0     interval 0                                 zero_interval
  interval      VRRPv2 interval 2 s (the pair uses 1 s)    interval_mismatch
  v2inv6        VRRPv2 over IPv6                           wrong_family
  v4inv6        VRRPv3 with IPv4-sized addresses in IPv6   bad_length
  v6inv4        VRRPv3 with an IPv6 address in IPv4        bad_length

The targets: VRID 51 VRRPv2 PASS "secret" advert_int 1 VIP 192.0.2.100, and
VRID 52 VRRPv3 IPv6 advert_int 0.1 VIP 2001:db8::100. Prints one JSON object:
{"sent": N, "by_kind": {...}, "expect": {kind: reason}, "seconds": S}.
Standard library only. Every loop is bounded by COUNT.
"""
import json
import random
import socket
import struct
import sys
import time

V4_GROUP = "224.0.0.18"
V6_GROUP = "ff02::12"
MAC_V4 = bytes.fromhex("01005e000012")
MAC_V6 = bytes.fromhex("333300000012")

EXPECT = {
    "truncated": "too_short", "version": "bad_version", "type": "bad_type",
    "checksum": "bad_checksum", "ttl": "bad_ttl", "vrid": "unknown_vrid",
    "auth": "auth_mismatch", "prio255": "auth_mismatch", "count": "bad_length",
    "interval0": "zero_interval", "interval": "interval_mismatch",
    "v2inv6": "wrong_family", "v4inv6": "bad_length", "v6inv4": "bad_length",
    "random": None,
}


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def a4(text):
    return socket.inet_pton(socket.AF_INET, text)


def a6(text):
    return socket.inet_pton(socket.AF_INET6, text)


def vrrp2(vrid, prio, addrs, password=b"secret", interval=1, version=2, vtype=1, count=None,
          bad_sum=False):
    auth = password.ljust(8, b"\0")[:8]
    body = struct.pack("!BBBBBBH", (version << 4) | vtype, vrid, prio,
                       len(addrs) if count is None else count, 1, interval, 0)
    body += b"".join(addrs) + auth
    c = csum(body)
    if bad_sum:
        c ^= 0x5A5A
    return body[:6] + struct.pack("!H", c) + body[8:]


def vrrp3(vrid, prio, addrs, src, dst, interval_cs=10, v6=True, count=None, bad_sum=False):
    body = struct.pack("!BBBBHH", 0x31, vrid, prio, len(addrs) if count is None else count,
                       interval_cs & 0x0FFF, 0) + b"".join(addrs)
    if v6:
        pseudo = src + dst + struct.pack("!I", len(body)) + b"\0\0\0" + bytes([112])
    else:
        pseudo = src + dst + struct.pack("!BBH", 0, 112, len(body))
    c = csum(pseudo + body)
    if bad_sum:
        c ^= 0x5A5A
    return body[:6] + struct.pack("!H", c) + body[8:]


def ip4(src, dst, payload, ttl=255):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(payload), 0, 0, ttl, 112, 0,
                      src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ip6(src, dst, payload, hlim=255):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), 112, hlim, src, dst) + payload


def frame(src_mac, payload, v6=False):
    return (MAC_V6 if v6 else MAC_V4) + src_mac + (b"\x86\xdd" if v6 else b"\x08\x00") + payload


def pool(rng):
    """(kind, frame) pairs, a few of each kind with varied sources and values."""
    out = []
    g4, g6 = a4(V4_GROUP), a6(V6_GROUP)
    vip4, vip6 = a4("192.0.2.100"), a6("2001:db8::100")
    for i in range(40):
        mac = bytes([0x02, 0x66, 0, 0, 0, i])
        s4 = a4("192.0.2.%d" % (150 + i))
        s6 = a6("fe80::66:%x" % (i + 1))
        good = vrrp2(51, 100, [vip4])
        f4 = lambda msg, ttl=255: frame(mac, ip4(s4, g4, msg, ttl))
        f6 = lambda msg: frame(mac, ip6(s6, g6, msg), v6=True)
        out.append(("random", f4(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 60))))))
        out.append(("truncated", f4(good[:rng.randint(1, 7)])))
        out.append(("version", f4(vrrp2(51, 100, [vip4], version=rng.choice([1, 4, 15])))))
        out.append(("type", f4(vrrp2(51, 100, [vip4], vtype=rng.randint(2, 15)))))
        out.append(("checksum", f4(vrrp2(51, 100, [vip4], bad_sum=True))))
        out.append(("ttl", f4(good, ttl=rng.randint(1, 254))))
        out.append(("vrid", f4(vrrp2(77, 100, [vip4]))))
        out.append(("auth", f4(vrrp2(51, 254, [vip4], password=b"guess%d" % i))))
        out.append(("prio255", f4(vrrp2(51, 255, [vip4], password=b"owner"))))
        out.append(("count", f4(vrrp2(51, 100, [vip4], count=rng.randint(2, 20)))))
        out.append(("interval0", f6(vrrp3(52, 100, [vip6], s6, g6, interval_cs=0))))
        out.append(("interval", f4(vrrp2(51, 100, [vip4], interval=2))))
        out.append(("v2inv6", f6(vrrp2(52, 100, [vip4]))))
        out.append(("v4inv6", f6(vrrp3(52, 100, [vip4], s6, g6))))
        out.append(("v6inv4", f4(vrrp3(51, 100, [vip6], s4, g4, v6=False))))
    return out


CONFIG = """vrrp_instance VI_4 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority %(prio)d
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass secret
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_6 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    version 3
    priority %(prio)d
    advert_int 0.1
    virtual_ipaddress {
        2001:db8::100/64
    }
}
"""


def main():
    if sys.argv[1] == "--config":
        sys.stdout.write(CONFIG % {"prio": int(sys.argv[2])})
        return
    iface, count = sys.argv[1], int(sys.argv[2])
    seed = 1
    pps = 0
    only = None
    args = sys.argv[3:]
    for i, a in enumerate(args):
        if a == "--seed":
            seed = int(args[i + 1])
        if a == "--pps":
            pps = int(args[i + 1])
        if a == "--only":
            only = args[i + 1]
    rng = random.Random(seed)
    packets = [p for p in pool(rng) if only is None or p[0] == only]
    if not packets:
        sys.exit("no packets of kind %r; kinds: %s" % (only, ", ".join(sorted(EXPECT))))
    rng.shuffle(packets)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    by_kind = {}
    start = time.monotonic()
    n = 0
    for n in range(1, count + 1):
        kind, f = packets[n % len(packets)]
        try:
            s.send(f)
        except BlockingIOError:
            time.sleep(0.001)
            continue
        by_kind[kind] = by_kind.get(kind, 0) + 1
        if pps and n % 100 == 0:
            ahead = n / pps - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)
    took = time.monotonic() - start
    print(json.dumps({"sent": sum(by_kind.values()), "by_kind": by_kind, "expect": EXPECT,
                      "seconds": round(took, 2), "seed": seed}))


if __name__ == "__main__":
    main()
