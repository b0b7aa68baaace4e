#!/usr/bin/python3
"""Check that a tunnel delivers datagrams in the order they were sent.

  udp_order.py recv PORT SECONDS
      Count numbered datagrams until SECONDS pass without one; print
      "received N reordered R highest H" (R: datagrams that came after one
      with a higher number).
  udp_order.py send DST PORT COUNT [SIZE]
      Send COUNT datagrams numbered 0, 1, ... to DST as fast as possible,
      SIZE bytes each (64 unless told; larger ones with a 16 MiB send
      buffer).
"""
import os
import socket
import struct
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def recv(port, idle):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("::", port))
    open("/tmp/udp_order.ready.%d" % os.getpid(), "w").close()
    s.settimeout(30)	# the first one may take a while
    received = reordered = 0
    highest = -1
    while True:
        try:
            data = s.recv(2048)
        except socket.timeout:
            break
        s.settimeout(idle)
        if len(data) < 4:
            continue
        n = struct.unpack("!I", data[:4])[0]
        received += 1
        if n < highest:
            reordered += 1
        else:
            highest = n
    print("received %d reordered %d highest %d" % (received, reordered, highest))


def send(dst, port, count, size):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    if size > 64:
        # Room for thousands in flight (SO_SNDBUFFORCE: past wmem_max, as
        # root), so that a tunnel slower than the sender fills its queues.
        s.setsockopt(socket.SOL_SOCKET, 32, 16 << 20)
    pad = b"\0" * (size - 4)
    for n in range(count):
        try:
            s.sendto(struct.pack("!I", n) + pad, (dst, port))
        except OSError:
            pass	# a full queue drops it; the receiver counts what came


if __name__ == "__main__":
    if sys.argv[1] == "recv":
        recv(int(sys.argv[2]), float(sys.argv[3]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
             int(sys.argv[5]) if len(sys.argv) > 5 else 64)
