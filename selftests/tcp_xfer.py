#!/usr/bin/python3
"""Check that tunnels carry TCP streams intact.

  tcp_xfer.py serve PORT
      Accept connections (IPv4 and IPv6) until killed; for each, read the
      stream to its end and answer "BYTES SHA256".
  tcp_xfer.py check PORT BYTES DST...
      To each DST send BYTES random bytes and compare the server's answer
      with what was sent; print one line per DST, exit 1 if any failed.
"""
import hashlib
import os
import socket
import sys
import threading


def serve(port):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind(("::", port))
    srv.listen(16)
    open("/tmp/tcp_xfer.ready.%d" % os.getpid(), "w").close()

    def handle(conn):
        conn.settimeout(60)
        digest, total = hashlib.sha256(), 0
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                digest.update(chunk)
                total += len(chunk)
            conn.sendall(("%d %s\n" % (total, digest.hexdigest())).encode())
        finally:
            conn.close()

    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def check(port, size, dsts):
    ok = True
    for dst in dsts:
        data = os.urandom(size)
        want = "%d %s" % (size, hashlib.sha256(data).hexdigest())
        try:
            conn = socket.create_connection((dst, port), timeout=20)
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
            got = b""
            while True:
                chunk = conn.recv(256)
                if not chunk:
                    break
                got += chunk
            got = got.decode().strip()
        except OSError as e:
            got = "error: %s" % e
        if got == want:
            print("ok", dst)
        else:
            print("FAIL", dst, "sent", want, "received", got)
            ok = False
    return ok


def main():
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    sys.exit(0 if check(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]) else 1)


if __name__ == "__main__":
    main()
