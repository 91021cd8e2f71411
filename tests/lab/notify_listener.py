#!/usr/bin/env python3
"""Stands in for systemd's notify socket (sd_notify): binds a unix datagram socket
at PATH and appends each message received to OUT, one line per message (newlines
inside a message become ';'). Runs until killed, or 120 s at most."""
import os
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.5)
deadline = time.monotonic() + 120
with open(out, "a", buffering=1) as f:
    while time.monotonic() < deadline:
        try:
            msg = s.recv(4096)
        except socket.timeout:
            continue
        f.write(msg.decode(errors="replace").strip().replace("\n", ";") + "\n")
