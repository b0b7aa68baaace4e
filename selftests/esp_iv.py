#!/usr/bin/env python3
"""esp_iv.py PCAP SPI IVLEN: the IVs of the ESP packets with SPI in PCAP
must be unpredictable from one another: all different, and no two
consecutive differences alike (a counter, or a counter under XOR with a
fixed mask, has repeating ones). Prints what it found; exits 1 if not."""
import sys

from scapy.all import ESP, rdpcap


def ivs(path, spi, ivlen):
    out = []
    for pkt in rdpcap(path):
        if ESP in pkt and pkt[ESP].spi == spi:
            out.append((pkt[ESP].seq, bytes(pkt[ESP].data)[:ivlen]))
    return out


def main():
    path, spi, ivlen = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3])
    pkts = ivs(path, spi, ivlen)
    seen = [iv for _, iv in pkts]
    if len(seen) < 8:
        print(f"only {len(seen)} ESP packets with SPI {spi:#x}")
        return 1
    nums = [int.from_bytes(iv, "big") for iv in seen]
    diffs = [(b - a) % (1 << (8 * ivlen)) for a, b in zip(nums, nums[1:])]
    xors = [a ^ b for a, b in zip(nums, nums[1:])]
    if len(set(nums)) != len(nums):
        print(f"repeated IVs among {len(nums)}: "
              + " ".join(f"{seq}:{iv.hex()}" for seq, iv in pkts))
        return 1
    if len(set(diffs)) != len(diffs) or len(set(xors)) != len(xors):
        print(f"IVs follow a pattern: {[iv.hex() for iv in seen[:4]]}")
        return 1
    print(f"{len(nums)} IVs of {ivlen} bytes, all different, no pattern")
    return 0


if __name__ == "__main__":
    sys.exit(main())
