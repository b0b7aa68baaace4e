#!/usr/bin/python3
"""Move random bytes over TCP and report what arrived, to check that a
tunnel carries a stream intact.

  tcp_xfer.py serve ADDR PORT     accept one connection, print "BYTES SHA256"
  tcp_xfer.py send ADDR PORT N    send N random bytes, print "N SHA256"
"""
import hashlib
import os
import socket
import sys


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    if mode == "serve":
        srv = socket.socket(family, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((addr, port))
        srv.listen(1)
        srv.settimeout(60)
        conn, _ = srv.accept()
        conn.settimeout(60)
        digest, total = hashlib.sha256(), 0
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            digest.update(chunk)
            total += len(chunk)
        print(total, digest.hexdigest(), flush=True)
    else:
        data = os.urandom(int(sys.argv[4]))
        conn = socket.create_connection((addr, port), timeout=60)
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        conn.recv(1)
        print(len(data), hashlib.sha256(data).hexdigest(), flush=True)


if __name__ == "__main__":
    main()
