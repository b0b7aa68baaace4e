#!/usr/bin/python3
"""Craft ESP packets (AES-GCM, RFC 4106, or AES-CBC with HMAC-SHA2-256-128,
RFC 3602/4868), good and deliberately bad, and send them from a raw
socket: the tests' malicious or broken peer.

  esp_craft.py --src A --dst B --spi SPI --key HEX --inner-src X --inner-dst Y
               ACTION[:SEQ] ...

KEY is the 16/24/32-byte AES key followed by the 4-byte salt; with
--cbc KEY is the AES key and --auth-key the 32-byte HMAC key. Each ACTION
sends one packet carrying an ICMP echo request from X to Y:

  good        a correct packet              tamper    flip a bit of the ICV
  truncate    cut after 4 payload bytes     misalign  ciphertext not 4-aligned
  badpad      padding bytes not 1, 2, 3...  badnh     next header 17 (UDP)
  padlen      pad length beyond the payload dummy     next header 59 (TFC)
  garbage     next header 4 but no IPv4 packet inside
  wrongkey    encrypted under another key   badspi    an SPI nobody has
  sleep       wait 0.2 s
  blockcut    (--cbc) ciphertext 4-aligned but not a whole number of
              blocks, under a valid ICV: authentic, yet undecryptable

  udpfrag1, udpfrag2   (--udp SPORT:DPORT) the first and the second, last
              fragment of one 1,500-byte UDP datagram from X to Y, each in
              its own ESP packet: the second carries no ports

SEQ is the 32-bit sequence number sent (default: one more than the last).
--esn-hi H puts H in the associated data as the ESN high half.
"""
import argparse
import hashlib
import hmac
import os
import socket
import struct
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def icmp_echo(src, dst, ident, seq):
    payload = b"sectun-esp-craft" * 2
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1,
                      0, socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + icmp


def udp_fragment(src, dst, sport, dport, second):
    """One of two IPv4 fragments of a UDP datagram (checksum 0: none)."""
    data = struct.pack("!HHHH", sport, dport, 8 + 1500, 0) + b"f" * 1500
    cut = 1000                      # a multiple of 8
    if second:
        part, frag = data[cut:], cut // 8
    else:
        part, frag = data[:cut], 0x2000      # More Fragments
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(part), 0x5ec7, frag,
                      64, 17, 0, socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + part


def esp_packet(key, spi, seq, esn_hi, inner, nexthdr=4, pad=None):
    aes, salt = key[:-4], key[-4:]
    if pad is None:
        n = (4 - (len(inner) + 2) % 4) % 4
        pad = bytes(range(1, n + 1))
    plain = inner + pad + bytes([len(pad), nexthdr])
    iv = struct.pack("!Q", seq | (esn_hi or 0) << 32)
    aad = struct.pack("!I", spi)
    if esn_hi is not None:
        aad += struct.pack("!I", esn_hi)
    aad += struct.pack("!I", seq)
    sealed = AESGCM(aes).encrypt(salt + iv, plain, aad)
    return struct.pack("!II", spi, seq) + iv + sealed


def esp_cbc_packet(key, auth_key, spi, seq, inner, cut=False):
    n = (16 - (len(inner) + 2) % 16) % 16
    plain = inner + bytes(range(1, n + 1)) + bytes([n, 4])
    iv = os.urandom(16)
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    body = enc.update(plain) + enc.finalize()
    if cut:
        body = body[:-4]
    head = struct.pack("!II", spi, seq) + iv + body
    return head + hmac.new(auth_key, head, hashlib.sha256).digest()[:16]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--spi", type=lambda v: int(v, 0), required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--inner-src", required=True)
    ap.add_argument("--inner-dst", required=True)
    ap.add_argument("--esn-hi", type=int)
    ap.add_argument("--cbc", action="store_true")
    ap.add_argument("--auth-key")
    ap.add_argument("--udp", default="5000:6000")
    ap.add_argument("actions", nargs="+")
    a = ap.parse_args()
    key = bytes.fromhex(a.key)
    family = socket.AF_INET6 if ":" in a.dst else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_ESP)
    sock.bind((a.src, 0))
    seq = 0
    for act in a.actions:
        name, _, n = act.partition(":")
        if name == "sleep":
            time.sleep(0.2)
            continue
        seq = int(n, 0) if n else seq + 1
        inner = icmp_echo(a.inner_src, a.inner_dst, 0x5ec7, seq & 0xffff)
        if a.cbc:
            if name not in ("good", "blockcut"):
                raise SystemExit("with --cbc: good or blockcut only")
            sock.sendto(esp_cbc_packet(key, bytes.fromhex(a.auth_key), a.spi,
                                       seq, inner, name == "blockcut"),
                        (a.dst, 0))
            continue
        spi, k, nh, pad = a.spi, key, 4, None
        if name == "badspi":
            spi = 0x7eadbeef
        elif name == "wrongkey":
            k = os.urandom(len(key))
        elif name == "badpad":
            m = (4 - (len(inner) + 2) % 4) % 4
            m = m if m >= 3 else m + 4
            pad = bytes([1, 2, 9] + list(range(4, m + 1)))
        elif name == "badnh":
            nh = 17
        elif name == "dummy":
            nh = 59
        elif name == "garbage":
            inner = b"\x99" * len(inner)
        elif name in ("udpfrag1", "udpfrag2"):
            sport, dport = (int(p) for p in a.udp.split(":"))
            inner = udp_fragment(a.inner_src, a.inner_dst, sport, dport,
                                 name == "udpfrag2")
        pkt = esp_packet(k, spi, seq, a.esn_hi, inner, nh, pad)
        if name == "tamper":
            pkt = pkt[:-1] + bytes([pkt[-1] ^ 1])
        elif name == "truncate":
            pkt = pkt[:8 + 8 + 4]
        elif name == "misalign":
            pkt = pkt[:-17] + pkt[-16:]
        elif name == "padlen":
            m = (4 - (len(inner) + 2) % 4) % 4
            body = inner + bytes(range(1, m + 1)) + bytes([200, 4])
            aad = struct.pack("!II", spi, seq)
            iv = struct.pack("!Q", seq)
            pkt = struct.pack("!II", spi, seq) + iv + \
                AESGCM(k[:-4]).encrypt(k[-4:] + iv, bytes(body), aad)
        elif name != "good" and name not in ("badspi", "wrongkey", "badpad",
                                             "badnh", "dummy", "garbage",
                                             "udpfrag1", "udpfrag2"):
            raise SystemExit("unknown action " + name)
        sock.sendto(pkt, (a.dst, 0))


if __name__ == "__main__":
    main()
