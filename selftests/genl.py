#!/usr/bin/python3
"""Send raw sectun generic-netlink requests, well formed or not.

The command and attribute numbers are read from the uapi header, so the
tests never restate the ABI. Usage:

  genl.py [-n NETNS] [--dump] CMD [ATTR=TYPE:VALUE ...]

CMD is a SECTUN_CMD_* suffix (get_tunnel) or a number. ATTR is a
SECTUN_A_* suffix (ifname) or a number. TYPE is u8, u16, u32, u64, s32,
str (NUL-terminated), raw (hex bytes), ipv4, ipv6, nest (empty nest),
u32s (u32s:T:1,2 is a nest of u32 attributes of type T).

Prints "ok" and one line per reply attribute set, or
"error ERRNO: EXTACK-MESSAGE" and exits 1.
"""
import argparse
import errno
import ipaddress
import os
import re
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_ACK_TLVS = 0x200
NLM_F_CAPPED = 0x100
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NETLINK_CAP_ACK = 10

HEADER = os.path.join(os.path.dirname(__file__), "..", "include", "uapi",
                      "linux", "sectun.h")


def read_enum(prefix):
    """Map SECTUN_<prefix>_* names to their values from the uapi header."""
    text = re.sub(r"/\*.*?\*/", "", open(HEADER).read(), flags=re.S)
    names = {}
    for body in re.findall(r"enum \w+ \{(.*?)\};", text, re.S):
        value = -1
        for entry in body.split(","):
            entry = entry.strip()
            m = re.match(r"(\w+)\s*(=\s*(.+))?$", entry, re.S)
            if not m:
                continue
            if m.group(3):
                try:
                    value = int(m.group(3), 0)
                except ValueError:
                    continue	# NAME_MAX = __NAME_MAX - 1
            else:
                value += 1
            if m.group(1).startswith(prefix):
                names[m.group(1)[len(prefix):].lower()] = value
    return names


CMDS = read_enum("SECTUN_CMD_")
ATTRS = read_enum("SECTUN_A_")
SA_ATTRS = read_enum("SECTUN_SA_A_")
POL_ATTRS = read_enum("SECTUN_POL_A_")
NLA_F_NESTED = 0x8000


def nla(atype, payload):
    length = 4 + len(payload)
    return struct.pack("HH", length, atype) + payload + b"\0" * ((4 - length % 4) % 4)


def encode(tv, i=0):
    typ, _, val = tv.partition(":")
    if val.startswith("{") and val.endswith("}"):
        val = str(eval(val[1:-1], {"i": i}))
    if typ == "u8":
        return struct.pack("B", int(val, 0))
    if typ == "u16":
        return struct.pack("H", int(val, 0))
    if typ == "u32":
        return struct.pack("I", int(val, 0))
    if typ == "s32":
        return struct.pack("i", int(val, 0))
    if typ == "u64":
        return struct.pack("Q", int(val, 0))
    if typ == "str":
        return val.encode() + b"\0"
    if typ == "raw":
        return bytes.fromhex(val)
    if typ == "ipv4":
        return ipaddress.IPv4Address(val).packed
    if typ == "ipv6":
        return ipaddress.IPv6Address(val).packed
    if typ == "nest":
        return b""
    if typ == "u32s":
        # "u32s:T:1,2": a nest of u32 attributes of type T (or SA attribute T)
        atype, _, vals = val.partition(":")
        atype = SA_ATTRS[atype] if atype in SA_ATTRS else int(atype, 0)
        return b"".join(nla(atype, struct.pack("I", int(v, 0)))
                        for v in vals.split(",") if v)
    raise SystemExit("unknown type " + typ)


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 1

    def send(self, family, cmd, attrs, flags):
        payload = struct.pack("BBH", cmd, 1, 0) + attrs
        hdr = struct.pack("IHHII", 16 + len(payload), family,
                          NLM_F_REQUEST | NLM_F_ACK | flags, self.seq, 0)
        self.sock.send(hdr + payload)
        self.seq += 1

    def replies(self):
        """Yield (type, payload) until DONE or an ACK/error."""
        while True:
            data = self.sock.recv(1 << 20)
            off = 0
            while off < len(data):
                length, mtype, flags, _, _ = struct.unpack_from("IHHII", data, off)
                body = data[off + 16:off + length]
                off += (length + 3) & ~3
                if mtype == NLMSG_ERROR:
                    err = struct.unpack_from("i", body)[0]
                    yield ("error", -err, flags, body)
                    return
                if mtype == NLMSG_DONE:
                    yield ("done", 0, flags, body)
                    return
                yield ("msg", mtype, flags, body)

    def family(self, name):
        self.send(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                  nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"), 0)
        fam = None
        for kind, val, _, body in self.replies():
            if kind == "msg":
                for atype, payload in parse_attrs(body[4:]):
                    if atype == CTRL_ATTR_FAMILY_ID:
                        fam = struct.unpack("H", payload[:2])[0]
            elif kind == "error" and val:
                raise SystemExit("family %s: %s" % (name, os.strerror(val)))
        return fam


def parse_attrs(data):
    off = 0
    while off + 4 <= len(data):
        length, atype = struct.unpack_from("HH", data, off)
        if length < 4:
            break
        yield atype & 0x3fff, data[off + 4:off + length]
        off += (length + 3) & ~3


def extack(flags, body):
    if not flags & NLM_F_ACK_TLVS:
        return "", None
    off = 4
    if not flags & NLM_F_CAPPED:
        off += struct.unpack_from("I", body, 4)[0]
    else:
        off += 16
    msg, miss, nested = "", None, False
    for atype, payload in parse_attrs(body[off:]):
        if atype == NLMSGERR_ATTR_MSG:
            msg = payload.rstrip(b"\0").decode()
        elif atype == NLMSGERR_ATTR_MISS_TYPE:
            miss = struct.unpack("I", payload[:4])[0]
        elif atype == NLMSGERR_ATTR_MISS_NEST:
            nested = True
    return msg, (miss, nested) if miss is not None else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", action="store_true")
    ap.add_argument("--count", action="store_true",
                    help="print only the number of replies")
    ap.add_argument("--raw-payload", help="hex bytes sent as the attributes")
    ap.add_argument("--version", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1,
                    help="send the request N times, {expr} values see i")
    ap.add_argument("cmd")
    ap.add_argument("attrs", nargs="*")
    args = ap.parse_args()

    g = Genl()
    fam = g.family("sectun")
    cmd = CMDS[args.cmd] if args.cmd in CMDS else int(args.cmd, 0)
    names = {v: k for k, v in ATTRS.items()}
    for i in range(args.repeat):
        payload, nest, pnest = b"", b"", b""
        for a in args.attrs:
            name, _, tv = a.partition("=")
            if name.startswith("sa."):
                sub = name[3:]
                atype = SA_ATTRS[sub] if sub in SA_ATTRS else int(sub, 0)
                if tv.startswith("u32s:"):
                    atype |= NLA_F_NESTED
                nest += nla(atype, encode(tv, i))
                continue
            if name.startswith("policy."):
                sub = name[7:]
                pnest += nla(POL_ATTRS[sub] if sub in POL_ATTRS else int(sub, 0),
                             encode(tv, i))
                continue
            atype = ATTRS[name] if name in ATTRS else int(name, 0)
            payload += nla(atype, encode(tv, i))
        if nest:
            payload += nla(ATTRS["sa"] | NLA_F_NESTED, nest)
        if pnest:
            payload += nla(ATTRS["policy"] | NLA_F_NESTED, pnest)
        if args.raw_payload is not None:
            payload = bytes.fromhex(args.raw_payload)
        g.send(fam, cmd, payload, NLM_F_DUMP if args.dump else 0)
        count = 0
        for kind, val, flags, body in g.replies():
            if kind == "msg":
                count += 1
                if not args.count:
                    print(" ".join("%s=%s" % (names.get(t, t), p.hex())
                                   for t, p in parse_attrs(body[4:])))
            elif kind == "error" and val:
                msg, miss = extack(flags, body)
                out = "error %d (%s): %s" % (val, errno.errorcode.get(val, "?"), msg)
                if miss is not None:
                    nested = POL_ATTRS if pnest else SA_ATTRS
                    prefix = "policy." if pnest else "sa."
                    table = ({v: prefix + k for k, v in nested.items()}
                             if miss[1] else names)
                    out += " [missing %s]" % table.get(miss[0], miss[0])
                print(out)
                sys.exit(1)
    if args.count:
        print(count)
    else:
        print("ok")


if __name__ == "__main__":
    main()
