#!/usr/bin/env python3
"""Misbehaving and numerous clients of holdfastd's control socket (lab tests).

  control_clients.py SOCKET idle      connects, sends nothing; prints what the daemon
                                      says and how long until it closed the connection
  control_clients.py SOCKET garbage   sends lines that are not requests, then a good one
  control_clients.py SOCKET toolong   sends 8 KiB without a newline
  control_clients.py SOCKET many N    holds N connections open at once, each asks for
                                      status; prints how many were answered and refused
Each mode prints one JSON object on stdout. Every wait is bounded.
"""
import json
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(15)
    s.connect(path)
    return s


def read_line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace").strip()


def closed_by_peer(s):
    """True once the daemon has closed (EOF, or a reset for data it never read)."""
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True


def idle(path):
    s = connect(path)
    t0 = time.monotonic()
    line = read_line(s)
    closed = closed_by_peer(s)
    return {"said": json.loads(line) if line else None, "closed": closed,
            "after_s": round(time.monotonic() - t0, 2)}


def garbage(path):
    s = connect(path)
    replies = []
    for req in [b"hello\n", b"{\"cmd\": 5}\n", b"[1,2,3]\n", b"{\"cmd\": \"rm -rf\"}\n",
                b"\xff\xfe\x00\n", b"{\"cmd\": \"status\"}\n"]:
        s.sendall(req)
        replies.append(json.loads(read_line(s)))
    return {"replies": replies}


def toolong(path):
    s = connect(path)
    s.sendall(b"x" * 8192)
    line = read_line(s)
    closed = closed_by_peer(s)
    return {"said": json.loads(line) if line else None, "closed": closed}


def many(path, n):
    socks = [connect(path) for _ in range(n)]
    time.sleep(0.5)  # every connection accepted before any asks
    for s in socks:
        try:
            s.sendall(b"{\"cmd\": \"status\"}\n")
        except OSError:
            pass
    answered = refused = other = 0
    for s in socks:
        try:
            reply = json.loads(read_line(s))
        except (OSError, ValueError):
            other += 1
            continue
        if reply.get("ok"):
            answered += 1
        elif "too many clients" in reply.get("error", ""):
            refused += 1
        else:
            other += 1
    for s in socks:
        s.close()
    return {"answered": answered, "refused": refused, "other": other}


def main():
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "idle":
        out = idle(path)
    elif mode == "garbage":
        out = garbage(path)
    elif mode == "toolong":
        out = toolong(path)
    elif mode == "many":
        out = many(path, int(sys.argv[3]))
    else:
        sys.exit("unknown mode " + mode)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
