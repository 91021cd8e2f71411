#!/usr/bin/env python3
"""Prints the time (epoch seconds) of the first VRRP advert from SRC after T in a
pcap, or nothing (exit 1) when there is none yet.

Usage: first_advert_after.py FILE.pcap SRC T
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from failover_gap import adverts  # noqa: E402


def main():
    path, src, after = sys.argv[1], sys.argv[2], float(sys.argv[3])
    for t, s, *_ in adverts(path):
        if s == src and t > after:
            print("%.6f" % t)
            return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
