#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The selftests' jget, answered by one long-lived interpreter.

Under TCG a python3 start costs about 0.4 s, and the tests evaluate a few
hundred JSON expressions. lib.sh's jget sends the length of EXPR, a
newline, EXPR, the JSON and a NUL here (bash reaches TCP on loopback with
builtins only), and reads back "O LENGTH\\n" and what print(EXPR) would
print without its newline, or "E LENGTH\\n" and the error. Without the
server jget starts python3 itself, with the same result.

    jget_server.py PORT
"""
import json
import socketserver
import sys
import traceback


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        buf = bytearray()
        while not buf.endswith(b"\0"):
            chunk = self.request.recv(65536)
            if not chunk:
                return
            buf += chunk
        length, _, rest = bytes(buf[:-1]).partition(b"\n")
        try:
            expr = rest[:int(length)].decode()
            text = rest[int(length):].decode()
            j = json.loads(text)
            value = eval(expr, {"j": j, "json": json, "sys": sys})
            status, text = "O", "%s" % (value,)
        except Exception:  # the caller sees what python3 -c would print
            status, text = "E", traceback.format_exc()
        body = text.encode()
        self.request.sendall(b"%s %d\n%s" % (status.encode(), len(body), body))


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    with Server(("127.0.0.1", int(sys.argv[1])), Handler) as server:
        server.serve_forever()
