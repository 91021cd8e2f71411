#!/usr/bin/env python3
"""A minimal SMTP sink for lab tests: accepts every message and appends it to a file.

Usage: smtp_sink.py ADDRESS PORT OUTFILE
Speaks just enough SMTP (RFC 5321) for a client like libcurl: EHLO/HELO, MAIL, RCPT,
DATA, RSET, NOOP, QUIT. Each message is written as "MAIL FROM", "RCPT TO" lines and
the data, followed by a line "---END---". Standard library only; runs until killed.
"""
import socketserver
import sys

OUT = sys.argv[3]


class Handler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write((text + "\r\n").encode())

    def handle(self):
        self.reply("220 sink ESMTP")
        envelope = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode(errors="replace").strip()
            verb = cmd[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                envelope = [cmd]
                self.reply("250 OK")
            elif verb == "RCPT":
                envelope.append(cmd)
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = []
                while True:
                    l = self.rfile.readline()
                    if not l or l in (b".\r\n", b".\n"):
                        break
                    data.append(l.decode(errors="replace").rstrip("\r\n"))
                with open(OUT, "a") as f:
                    f.write("\n".join(envelope + data) + "\n---END---\n")
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    Server((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
