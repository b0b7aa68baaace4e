#!/usr/bin/python3
"""Fuzz sectun's receive path from its tunnels' remote endpoint.

For a bounded time, sends random and mutated ESP (AES-GCM and
AES-CBC/HMAC-SHA-256, many authentic: their ICV is right, so the inner
packet and the trailer are what is fuzzed), AH and ESP-in-UDP packets:
SPIs sectun owns and SPIs nobody owns, garbage bodies, authentic
packets truncated at every length, bad padding and pad lengths, every
next header, inner IPv4 and IPv6 headers that lie about their lengths,
IPv6 inner packets with hundreds of extension headers, replays, and
UDP payloads around the encapsulation's edge cases (keepalives,
non-ESP markers, 1 to 9 bytes).

  packet_fuzz.py --seconds S --src A --dst B --gcm SPI:KEYHEX
                 --cbc SPI:KEYHEX:AUTHHEX --ah SPI --udp SPI:KEYHEX

Prints one JSON object: packets sent, those that must reach sectun (an
ESP or AH packet of at least 8 bytes, or ESP in UDP of 20 bytes or more
not starting with a zero marker), those that may (ESP in UDP of 9 to 19
bytes: Linux 6.1 drops them before any handler), and those xfrm counts
as header errors (ESP under 8 bytes, AH under 12 with an SPI sectun does
not own).
"""
import argparse
import collections
import hashlib
import hmac
import json
import os
import random
import socket
import struct
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def ipv4_header(rnd, payload_len, proto):
    ihl = rnd.choice([5, 5, 5, 4, 6, 15])
    tot = 20 + payload_len if rnd.random() < 0.7 else rnd.randrange(65536)
    ver = 4 if rnd.random() < 0.9 else rnd.randrange(16)
    hdr = struct.pack("!BBHHHBBH4s4s", ver << 4 | ihl, rnd.randrange(256), tot,
                      rnd.randrange(65536), rnd.choice([0, 0x2000, 0x4000, 0x1fff, 0x00b9]),
                      rnd.randrange(256), proto, 0, os.urandom(4), os.urandom(4))
    return hdr + os.urandom(max(0, ihl * 4 - 20))


def ipv6_chain(rnd):
    """An IPv6 packet with up to hundreds of extension headers."""
    n = rnd.choice([0, 1, 3, 50, 300])
    body = b""
    nh = rnd.choice([6, 17, 58, 59, 44, 0, 60, 43, 51, 50, 255])
    for _ in range(n):
        kind = rnd.choice([0, 60, 43, 44])
        if kind == 44:     # a fragment header
            body = struct.pack("!BBHI", nh, 0, rnd.randrange(65536), rnd.getrandbits(32)) + body
        else:
            body = struct.pack("!BB", nh, 0) + b"\x01\x04\0\0\0\0" + body
        nh = kind
    body += os.urandom(rnd.randrange(64))
    plen = len(body) if rnd.random() < 0.7 else rnd.randrange(65536)
    ver = 6 if rnd.random() < 0.9 else rnd.randrange(16)
    return struct.pack("!IHBB16s16s", ver << 28, plen, nh, 64, os.urandom(16),
                       os.urandom(16)) + body


def inner_packet(rnd):
    """(inner bytes, next header for the ESP trailer)"""
    x = rnd.random()
    if x < 0.35:
        body = os.urandom(rnd.randrange(64))
        return ipv4_header(rnd, len(body), rnd.choice([1, 6, 17, 50, 255])) + body, \
            rnd.choice([4, 4, 4, 41])
    if x < 0.7:
        return ipv6_chain(rnd), rnd.choice([41, 41, 41, 4])
    if x < 0.8:
        return b"", rnd.choice([4, 41, 59])
    return os.urandom(rnd.randrange(200)), rnd.randrange(256)


def trailer_pad(rnd, inner, align):
    n = (align - (len(inner) + 2) % align) % align
    pad = bytes(range(1, n + 1))
    padlen = n
    x = rnd.random()
    if x < 0.08 and n:
        pad = os.urandom(n)                 # not 1, 2, 3, ...
    elif x < 0.14:
        padlen = rnd.randrange(256)         # beyond the payload, maybe
    return pad, padlen


def esp_gcm(rnd, spi, key, seq):
    inner, nh = inner_packet(rnd)
    pad, padlen = trailer_pad(rnd, inner, 4)
    plain = inner + pad + bytes([padlen, nh])
    iv = struct.pack("!Q", seq)
    aad = struct.pack("!II", spi, seq)
    return aad + iv + AESGCM(key[:-4]).encrypt(key[-4:] + iv, plain, aad)


def esp_cbc(rnd, spi, key, auth, seq):
    inner, nh = inner_packet(rnd)
    pad, padlen = trailer_pad(rnd, inner, 16)
    plain = inner + pad + bytes([padlen, nh])
    if len(plain) % 16:
        plain += bytes(16 - len(plain) % 16)
    iv = os.urandom(16)
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    head = struct.pack("!II", spi, seq) + iv + enc.update(plain) + enc.finalize()
    if rnd.random() < 0.05:
        head = head[:-rnd.randrange(1, 16)]   # not whole blocks, still "authentic"
    return head + hmac.new(auth, head, hashlib.sha256).digest()[:16]


def mutate(rnd, pkt):
    x = rnd.random()
    if x < 0.5 or not pkt:
        return pkt
    b = bytearray(pkt)
    if x < 0.7:
        for _ in range(rnd.randrange(1, 4)):
            b[rnd.randrange(len(b))] ^= 1 << rnd.randrange(8)
        return bytes(b)
    if x < 0.9:
        return bytes(b[:rnd.randrange(len(b))])
    return bytes(b) + os.urandom(rnd.randrange(1, 40))


class Fuzzer:
    def __init__(self, a):
        self.rnd = random.Random(a.seed)
        self.dst = a.dst
        self.esp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ESP)
        self.esp.bind((a.src, 0))
        self.ah = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_AH)
        self.ah.bind((a.src, 0))
        self.udp = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
        for s in self.udp:
            s.bind((a.src, 0))
        g = a.gcm.split(":")
        self.gcm = (int(g[0], 0), bytes.fromhex(g[1]))
        c = a.cbc.split(":")
        self.cbc = (int(c[0], 0), bytes.fromhex(c[1]), bytes.fromhex(c[2]))
        self.ah_spi = int(a.ah, 0)
        u = a.udp.split(":")
        self.udp_sa = (int(u[0], 0), bytes.fromhex(u[1]))
        self.owned = {self.gcm[0], self.cbc[0], self.ah_spi}
        self.seq = 0
        self.by_spi = collections.Counter()
        self.count = {"sent": 0, "to_sectun": 0, "xfrm_header_errors": 0,
                      "udp_not_esp": 0, "udp_esp_short": 0, "authentic": 0}

    def next_seq(self):
        """Mostly the next number: most authentic packets get decrypted."""
        r = self.rnd
        x = r.random()
        if x < 0.9:
            self.seq += 1
            return self.seq
        if x < 0.99:        # a replay, or too old for the window
            return r.choice([0, self.seq, max(1, self.seq - 100), max(1, self.seq - 1000)])
        self.seq += r.choice([100, 5000])   # a jump ahead
        return self.seq

    def spi(self, own):
        r = self.rnd
        return own if r.random() < 0.8 else r.choice([0, 1, 255, 256, r.getrandbits(32)])

    def send_ip(self, sock, pkt, ah=False):
        sock.sendto(pkt, (self.dst, 0))
        self.count["sent"] += 1
        if len(pkt) >= 8:
            self.count["to_sectun"] += 1
            self.by_spi[("ah " if ah else "esp ") + hex(struct.unpack_from("!I", pkt, 4 if ah else 0)[0])] += 1
        # xfrm's header errors: shorter than its ESP (8) or AH (12) header,
        # unless sectun took it by its SPI.
        spi = struct.unpack_from("!I", pkt, 4 if ah else 0)[0] if len(pkt) >= 8 else None
        if len(pkt) < 8 or (ah and len(pkt) < 12 and spi not in self.owned):
            self.count["xfrm_header_errors"] += 1

    def send_udp(self, payload):
        self.rnd.choice(self.udp).sendto(payload, (self.dst, 4500))
        self.count["sent"] += 1
        if len(payload) <= 8 or payload[:4] == b"\0\0\0\0":
            self.count["udp_not_esp"] += 1
        elif len(payload) < 20:
            # Linux 6.1's xfrm4_udp_encap_rcv() drops ESP in UDP shorter than
            # an IPv4 header, unseen (it compares the UDP length with the IP
            # header's); a kernel that does not passes it on to sectun.
            self.count["udp_esp_short"] += 1
        else:
            self.count["to_sectun"] += 1
            self.by_spi["udp " + hex(struct.unpack_from("!I", payload)[0])] += 1

    def one(self):
        r = self.rnd
        x = r.random()
        if x < 0.35:
            spi, key = self.gcm
            pkt = esp_gcm(r, self.spi(spi), key, self.next_seq())
            self.count["authentic"] += 1
            self.send_ip(self.esp, mutate(r, pkt))
        elif x < 0.55:
            spi, key, auth = self.cbc
            pkt = esp_cbc(r, self.spi(spi), key, auth, self.next_seq())
            self.count["authentic"] += 1
            self.send_ip(self.esp, mutate(r, pkt))
        elif x < 0.65:
            spi = self.spi(r.choice([self.gcm[0], self.cbc[0]]))
            body = struct.pack("!II", spi, self.next_seq()) + os.urandom(r.randrange(120))
            self.send_ip(self.esp, body[:r.randrange(len(body) + 1)] if r.random() < 0.2 else body)
        elif x < 0.8:
            nh, plen = r.choice([4, 41, 6, 59, 51]), r.choice([0, 1, 2, 4, 5, 255])
            body = struct.pack("!BBHII", nh, plen, 0, self.spi(self.ah_spi),
                               self.next_seq()) + os.urandom(r.randrange(80))
            self.send_ip(self.ah, body[:r.randrange(len(body) + 1)] if r.random() < 0.2 else body,
                         ah=True)
        else:
            spi, key = self.udp_sa
            y = r.random()
            if y < 0.6:
                payload = mutate(r, esp_gcm(r, self.spi(spi), key, self.next_seq()))
            elif y < 0.7:
                payload = b"\xff"
            elif y < 0.8:
                payload = b"\0\0\0\0" + os.urandom(r.randrange(40))
            else:
                payload = os.urandom(r.randrange(1, 10))
            self.send_udp(payload)

    def sweep(self):
        """One authentic packet of each SA, truncated at every length."""
        r = self.rnd
        spi, key = self.gcm
        pkt = esp_gcm(r, spi, key, self.next_seq())
        for n in range(len(pkt) + 1):
            self.send_ip(self.esp, pkt[:n])
        spi, key, auth = self.cbc
        pkt = esp_cbc(r, spi, key, auth, self.next_seq())
        for n in range(len(pkt) + 1):
            self.send_ip(self.esp, pkt[:n])
        spi, key = self.udp_sa
        pkt = esp_gcm(r, spi, key, self.next_seq())
        for n in range(1, len(pkt) + 1):
            self.send_udp(pkt[:n])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--gcm", required=True)
    ap.add_argument("--cbc", required=True)
    ap.add_argument("--ah", required=True)
    ap.add_argument("--udp", required=True)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    a = ap.parse_args()
    f = Fuzzer(a)
    start = time.monotonic()
    f.sweep()
    while time.monotonic() - start < a.seconds:
        for _ in range(10):
            f.one()
        time.sleep(0.002)       # let the receiver keep up: no drops on the way
    f.count["seconds"] = round(time.monotonic() - start, 1)
    f.count["seed"] = a.seed
    f.count["owned"] = {k: v for k, v in f.by_spi.items() if int(k.split()[1], 16) in f.owned | {f.udp_sa[0]}}
    print(json.dumps(f.count))


if __name__ == "__main__":
    main()
