#!/usr/bin/python3
"""Fuzz the sectun generic-netlink family for a bounded time.

Worker threads send requests of every command: most are built from
templates that make sense (so they reach the deep paths: SAs with real
algorithms and keys of the right length, selectors with ranges and
ports, tunnel parameters, lifetimes of a second that expire meanwhile),
then mutated (attributes dropped, repeated, retyped, truncated, lengths
lying, nests of garbage, NLA_F_NESTED flipped, wrong header versions);
some are random bytes. A churn thread creates, deletes, brings up and
down and moves the devices between two namespaces meanwhile.

  netlink_fuzz.py --seconds S [--threads N] [--seed X] --devices st0,st1
                  --other-netns NAME

Prints the executions (requests answered) per command, the replies by
errno, and the time; exits 1 if a request went unanswered (a hang) or
the family stopped answering a plain dump afterwards.
"""
import argparse
import collections
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genl  # noqa: E402  (the uapi numbers and the netlink plumbing)

ALGS_ESP = [  # (encr, key bytes, integ, integ key bytes)
    (20, 20, 0, 0), (18, 36, 0, 0), (19, 28, 0, 0), (21, 20, 0, 0),
    (28, 36, 0, 0), (12, 16, 12, 32), (12, 32, 14, 64), (3, 24, 2, 20),
    (11, 0, 13, 48), (12, 24, 5, 16),
]
ALGS_AH = [(2, 20), (12, 32), (13, 48), (14, 64), (5, 16)]
ADDRS4 = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "127.0.0.1", "0.0.0.0",
          "255.255.255.255", "192.0.2.9"]
ADDRS6 = ["fd00::1", "fd00::2", "::", "::1", "ff02::1"]


def u8(v):
    return struct.pack("B", v & 0xff)


def u16(v):
    return struct.pack("H", v & 0xffff)


def u32(v):
    return struct.pack("I", v & 0xffffffff)


def u64(v):
    return struct.pack("Q", v & 0xffffffffffffffff)


class Maker:
    """Builds one request (command, attribute bytes) from a random source."""

    def __init__(self, rnd, devices, fds):
        self.r = rnd
        self.devices = devices
        self.fds = fds

    def num(self, bits):
        r = self.r
        edge = [0, 1, 2, 255, 256, 4095, 65535, (1 << bits) - 1,
                (1 << bits) - 2, 1 << (bits - 1)]
        return r.choice(edge) if r.random() < 0.3 else r.getrandbits(bits)

    def small(self, n):
        return self.r.randrange(n)

    def device(self):
        r = self.r
        x = r.random()
        if x < 0.85:
            return genl.nla(genl.ATTRS["ifname"], r.choice(self.devices).encode() + b"\0")
        if x < 0.93:
            return genl.nla(genl.ATTRS["ifindex"], u32(r.randrange(64)))
        return genl.nla(genl.ATTRS["ifname"], os.urandom(r.randrange(20)))

    def addr(self, family=None):
        r = self.r
        if family is None:
            family = 4 if r.random() < 0.7 else 6
        if r.random() < 0.15:
            return os.urandom(4 if family == 4 else 16)
        if family == 4:
            return socket.inet_aton(r.choice(ADDRS4))
        return socket.inet_pton(socket.AF_INET6, r.choice(ADDRS6))

    # --- templates -------------------------------------------------------

    def sa_nest(self, full):
        r, A = self.r, genl.SA_ATTRS
        attrs = [genl.nla(A["spi"], u32(0x100 + self.small(48) if r.random() < 0.9 else self.num(32))),
                 genl.nla(A["dir"], u8(self.small(2) if r.random() < 0.95 else self.num(8)))]
        if not full:
            if r.random() < 0.5:
                attrs.append(genl.nla(A["proto"], u8(r.choice([50, 51]))))
            return attrs
        if r.random() < 0.2:
            ah = r.choice(ALGS_AH)
            attrs += [genl.nla(A["proto"], u8(51)), genl.nla(A["integ"], u16(ah[0])),
                      genl.nla(A["integ_key"], os.urandom(ah[1]))]
        else:
            encr, ek, integ, ik = r.choice(ALGS_ESP)
            attrs.append(genl.nla(A["encr"], u16(encr)))
            if ek or r.random() < 0.05:
                attrs.append(genl.nla(A["encr_key"], os.urandom(ek if r.random() < 0.9 else self.small(70))))
            if integ:
                attrs += [genl.nla(A["integ"], u16(integ)),
                          genl.nla(A["integ_key"], os.urandom(ik))]
        opt = [("mode", lambda: u8(self.small(2))),
               ("esn", lambda: u8(self.small(2))),
               ("replay_window", lambda: u32(r.choice([0, 32, 64, 4096, 1 << 20, (1 << 20) + 1]))),
               ("seq", lambda: u64(r.choice([0, 1, 0xfffffffe, 0xffffffff, (1 << 64) - 2, (1 << 64) - 1]))),
               ("soft_bytes", lambda: u64(r.choice([0, 100, 5000, 1 << 40]))),
               ("hard_bytes", lambda: u64(r.choice([0, 200, 10000]))),
               ("soft_packets", lambda: u64(r.choice([0, 1, 3, 10]))),
               ("hard_packets", lambda: u64(r.choice([0, 2, 5, 20]))),
               ("soft_seconds", lambda: u32(r.choice([0, 1, 2, 2000000, 0xffffffff]))),
               ("hard_seconds", lambda: u32(r.choice([0, 1, 3, 2000001]))),
               ("standby", lambda: u8(self.small(2))),
               ("policy", lambda: u32(self.small(8))),
               ("pending_ms", lambda: u32(r.choice([1, 50, 1000, 30000, 0, 1 << 31])))]
        for name, val in opt:
            if r.random() < (0.05 if name == "pending_ms" else 0.2):
                attrs.append(genl.nla(A[name], val()))
        return attrs

    def policy_nest(self):
        r, P = self.r, genl.POL_ATTRS
        fam = 4 if r.random() < 0.7 else 6
        attrs = []
        if r.random() < 0.7:
            attrs.append(genl.nla(P["index"], u32(1 + self.small(12) if r.random() < 0.9 else self.num(32))))
        for name in ("local_start", "local_end", "remote_start", "remote_end"):
            if r.random() < 0.85:
                attrs.append(genl.nla(P[name], self.addr(fam if r.random() < 0.95 else None)))
        for name, val in (("priority", lambda: u32(self.num(32))),
                          ("proto", lambda: u8(r.choice([0, 1, 6, 17, 58, 255]))),
                          ("local_port_min", lambda: u16(self.num(16))),
                          ("local_port_max", lambda: u16(self.num(16))),
                          ("remote_port_min", lambda: u16(self.num(16))),
                          ("remote_port_max", lambda: u16(self.num(16)))):
            if r.random() < 0.25:
                attrs.append(genl.nla(P[name], val()))
        return attrs

    def tunnel_attrs(self):
        r, A = self.r, genl.ATTRS
        attrs = []
        if r.random() < 0.5:
            fam = 4 if r.random() < 0.8 else 6
            key = "ipv4" if fam == 4 else "ipv6"
            attrs.append(genl.nla(A["local_" + key], self.addr(fam)))
            attrs.append(genl.nla(A["remote_" + key], self.addr(fam)))
        opt = [("encap_type", lambda: u8(self.small(3))),
               ("encap_local_port", lambda: u16(r.choice([0, 500, 4500, 65535]))),
               ("encap_remote_port", lambda: u16(r.choice([0, 4500, 1]))),
               ("df_mode", lambda: u8(self.small(4))),
               ("copy_dscp", lambda: u8(self.small(3))),
               ("replay_window", lambda: u32(r.choice([0, 64, 1 << 20, 1 << 21]))),
               ("mtu", lambda: u32(r.choice([0, 67, 68, 1280, 1400, 9000, 65535]))),
               ("natt_keepalive", lambda: u32(r.choice([0, 1, 20, 3600, 0xffffffff]))),
               ("ttl", lambda: u8(r.choice([0, 1, 64, 255]))),
               ("underlay_netns_fd", lambda: u32(r.choice(self.fds + [-1, 0, 1, 999]))),
               ("underlay_netnsid", lambda: u32(r.choice([0, 1, 2, -1])))]
        for name, val in opt:
            if r.random() < 0.15:
                attrs.append(genl.nla(A[name], val()))
        return attrs

    def request(self):
        """(command name, attribute bytes, dump?)"""
        r, A = self.r, genl.ATTRS
        cmd = r.choice(["get_tunnel", "set_tunnel", "clear_stats", "new_sa", "new_sa",
                        "new_sa", "del_sa", "get_sa", "set_sa", "flush_sa",
                        "new_policy", "new_policy", "del_policy", "get_policy",
                        "flush_policy", "expire", "acquire"])
        dump = cmd.startswith("get_") and r.random() < 0.4
        attrs = []
        if not dump or r.random() < 0.5:
            attrs.append(self.device())
        if cmd == "set_tunnel":
            attrs += self.tunnel_attrs()
        elif cmd in ("new_sa", "del_sa", "get_sa", "set_sa", "flush_sa"):
            nest = self.sa_nest(cmd == "new_sa")
            if cmd == "set_sa":
                for name, val in (("current", u8(self.small(2))),
                                  ("hard_packets", u64(self.small(10))),
                                  ("soft_seconds", u32(self.small(5)))):
                    if r.random() < 0.4:
                        nest.append(genl.nla(genl.SA_ATTRS[name], val))
            if cmd == "flush_sa" and r.random() < 0.7:
                nest = nest[1:] if r.random() < 0.5 else []
            if nest or r.random() < 0.5:
                attrs.append(genl.nla(A["sa"] | genl.NLA_F_NESTED, b"".join(self.mutate_list(nest))))
        elif cmd in ("new_policy", "del_policy", "get_policy", "flush_policy"):
            nest = self.policy_nest()
            attrs.append(genl.nla(A["policy"] | genl.NLA_F_NESTED, b"".join(self.mutate_list(nest))))
        return cmd, b"".join(self.mutate_list(attrs)), dump

    # --- mutations ------------------------------------------------------

    def garbage_nest(self, depth=0):
        r = self.r
        out = b""
        for _ in range(r.randrange(4)):
            if depth < 6 and r.random() < 0.4:
                out += genl.nla(r.randrange(40) | genl.NLA_F_NESTED, self.garbage_nest(depth + 1))
            else:
                out += genl.nla(r.randrange(40), os.urandom(r.choice([0, 1, 2, 4, 8, 16, 17, 100])))
        return out

    def mutate_one(self, a):
        r = self.r
        length, atype = struct.unpack_from("HH", a)
        x = r.randrange(8)
        if x == 0:        # another type number
            return struct.pack("HH", length, r.randrange(48) | (atype & genl.NLA_F_NESTED)) + a[4:]
        if x == 1:        # payload cut or grown
            pay = a[4:length]
            pay = pay[:r.randrange(len(pay) + 1)] if r.random() < 0.5 else pay + os.urandom(r.randrange(1, 9))
            return genl.nla(atype, pay)
        if x == 2:        # a length that lies
            return struct.pack("HH", r.choice([0, 1, 3, length + 4, 0xffff]), atype) + a[4:]
        if x == 3:        # NLA_F_NESTED flipped
            return struct.pack("HH", length, atype ^ genl.NLA_F_NESTED) + a[4:]
        if x == 4:        # nested garbage instead
            return genl.nla(atype | genl.NLA_F_NESTED, self.garbage_nest())
        if x == 5:        # random bytes of the same length
            return a[:4] + os.urandom(len(a) - 4)
        if x == 6:        # NLA_F_NET_BYTEORDER and friends
            return struct.pack("HH", length, atype | 0x4000) + a[4:]
        return a + a      # repeated

    def mutate_list(self, attrs):
        r = self.r
        if r.random() < 0.6:
            return attrs
        out = []
        for a in attrs:
            y = r.random()
            if y < 0.08:
                continue
            out.append(self.mutate_one(a) if y < 0.3 else a)
        if r.random() < 0.2:
            out.insert(r.randrange(len(out) + 1), genl.nla(r.randrange(48), os.urandom(r.randrange(24))))
        if r.random() < 0.05:   # many attributes
            out += [genl.nla(r.randrange(1, 30), os.urandom(4))] * r.randrange(100, 2000)
        return out


class Worker(threading.Thread):
    def __init__(self, seed, stop_at, devices, fds):
        super().__init__(daemon=True)
        self.rnd = random.Random(seed)
        self.maker = Maker(self.rnd, devices, fds)
        self.stop_at = stop_at
        self.stats = collections.Counter()
        self.error = None

    def run(self):
        g = genl.Genl()
        g.sock.settimeout(20)
        fam = g.family("sectun")
        try:
            while time.monotonic() < self.stop_at:
                self.one(g, fam)
        except socket.timeout:
            self.error = "a request went unanswered for 20 s"
        except Exception as e:  # noqa: BLE001
            self.error = "%s: %s" % (type(e).__name__, e)

    def one(self, g, fam):
        r = self.rnd
        cmd, attrs, dump = self.maker.request()
        num = genl.CMDS[cmd]
        x = r.random()
        version = 1
        if x < 0.03:
            attrs = os.urandom(r.randrange(64))
        elif x < 0.05:
            version = r.randrange(256)
        elif x < 0.07:
            num = r.randrange(256)
        payload = struct.pack("BBH", num, version, 0) + attrs
        if r.random() < 0.02:
            payload = payload[:r.randrange(4)]
        hdr = struct.pack("IHHII", 16 + len(payload), fam,
                          genl.NLM_F_REQUEST | genl.NLM_F_ACK |
                          (genl.NLM_F_DUMP if dump else 0), g.seq, 0)
        g.sock.send(hdr + payload)
        g.seq += 1
        result = "?"
        for kind, val, _, _ in g.replies():
            if kind == "error":
                result = os.strerror(val) if val else "ok"
            elif kind == "done":
                result = "ok"
        self.stats[(cmd, result)] += 1


def churn(rnd, stop_at, devices, other, log):
    """Devices come and go, go up and down, and move between namespaces."""
    def ip(*args):
        subprocess.run(("ip",) + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    n = 0
    while time.monotonic() < stop_at:
        d = rnd.choice(devices)
        x = rnd.random()
        if x < 0.25:
            ip("link", "del", d)
            ip("-n", other, "link", "del", d)
            ip("link", "add", d, "type", "sectun")
            ip("link", "set", d, "up")
        elif x < 0.45:
            ip("link", "set", d, "netns", other)
            time.sleep(0.05)
            ip("-n", other, "link", "set", d, "netns", str(os.getpid()))
            ip("link", "set", d, "up")
        elif x < 0.7:
            ip("link", "set", d, rnd.choice(["up", "down"]))
        else:
            ip("link", "set", d, "mtu", str(rnd.choice([1280, 1400, 1500, 9000])))
        n += 1
        time.sleep(0.02)
    log.append(n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--threads", type=int, default=3)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--devices", required=True)
    ap.add_argument("--other-netns", required=True)
    a = ap.parse_args()
    devices = a.devices.split(",")
    fds = [os.open("/proc/self/ns/net", os.O_RDONLY),
           os.open("/run/netns/" + a.other_netns, os.O_RDONLY),
           os.open("/dev/null", os.O_RDONLY)]
    start = time.monotonic()
    stop_at = start + a.seconds
    workers = [Worker(a.seed + i, stop_at, devices, fds) for i in range(a.threads)]
    moves = []
    mover = threading.Thread(target=churn, daemon=True,
                             args=(random.Random(a.seed - 1), stop_at, devices,
                                   a.other_netns, moves))
    for w in workers:
        w.start()
    mover.start()
    for w in workers:
        w.join(a.seconds + 60)
    mover.join(60)
    took = time.monotonic() - start
    stats = sum((w.stats for w in workers), collections.Counter())
    errors = [w.error for w in workers if w.error] + \
        ["a worker never finished" for w in workers if w.is_alive()]
    total = sum(stats.values())
    per_cmd = collections.Counter()
    per_result = collections.Counter()
    for (cmd, result), n in stats.items():
        per_cmd[cmd] += n
        per_result[result] += n
    print("seed %d: %d executions in %.1f s (%d a second) from %d threads, %d device changes"
          % (a.seed, total, took, total / took, a.threads, moves[0] if moves else -1))
    print("by command: " + ", ".join("%s %d" % kv for kv in sorted(per_cmd.items())))
    print("by reply: " + ", ".join("%s %d" % kv for kv in per_result.most_common()))
    # The family still answers.
    g = genl.Genl()
    g.sock.settimeout(20)
    fam = g.family("sectun")
    g.send(fam, genl.CMDS["get_sa"], b"", genl.NLM_F_DUMP)
    try:
        for _ in g.replies():
            pass
    except socket.timeout:
        errors.append("the family stopped answering")
    for e in errors:
        print("FAIL: " + e)
    return 1 if errors or not total else 0


if __name__ == "__main__":
    sys.exit(main())
