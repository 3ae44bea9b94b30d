#!/usr/bin/env python3
"""Builds the fuzz corpora under fuzz/corpus/<target>/ (gitignored) before a fuzz run.

Each corpus gets:
  - every golden fixture tests/fixtures/**/*.hex, converted to binary: whole datagrams for
    `datagram`, `roundtrip`, `nft_datagram` and any target this script does not know; the
    attribute area of every message for `attrs`; the flags and payload of every
    NLMSG_ERROR / NLMSG_DONE for `error_message`; the value of every NFTA_RULE_EXPRESSIONS
    of an nf_tables rule message for `nft_expr` (the layout those targets read);
  - the committed hand-made seeds fuzz/seeds/<target>/*;
  - the committed crash inputs fuzz/regressions/<target>/*.

Files are named by content hash, as libFuzzer names its own, so reruns do not duplicate.

    python3 scripts/fuzz-seeds.py               # build fuzz/corpus/*
    python3 scripts/fuzz-seeds.py --hand-seeds  # rewrite the committed fuzz/seeds/*

Targets are the files in fuzz/fuzz_targets/. The hex format is the one of
src/wire/hex.rs: `#` starts a comment, hex digits pair up across white space.
"""

import hashlib
import pathlib
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"

NLMSG_HDR_LEN = 16
NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE = 1, 2, 3

# Size of the fixed family header before the attributes, by message type (as in
# src/fuzzing.rs, family_header_len).
FAMILY_HEADER = {}
for types, size in (
    ((16, 17, 18, 19), 16),  # RTM_*LINK: struct ifinfomsg
    ((20, 21, 22), 8),  # RTM_*ADDR: struct ifaddrmsg
    ((24, 25, 26), 12),  # RTM_*ROUTE: struct rtmsg
    ((28, 29, 30), 12),  # RTM_*NEIGH: struct ndmsg
    ((32, 33, 34), 12),  # RTM_*RULE: struct fib_rule_hdr
    ((36, 37, 38), 20),  # RTM_*QDISC: struct tcmsg
    ((88, 89, 90), 4),  # RTM_*NSID: struct rtgenmsg, padded
):
    FAMILY_HEADER.update(dict.fromkeys(types, size))


def parse_hex(text, name):
    digits = []
    for lineno, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0]
        for col, c in enumerate(code, 1):
            if c.isspace():
                continue
            if c not in "0123456789abcdefABCDEF":
                sys.exit(f"{name}:{lineno}:{col}: not a hex digit: {c!r}")
            digits.append(c)
    if len(digits) % 2:
        sys.exit(f"{name}: odd number of hex digits")
    return bytes.fromhex("".join(digits))


def messages(data):
    """(type, raw flag bytes, payload) of each well-formed message, stopping at the first
    bad length."""
    pos = 0
    while pos + NLMSG_HDR_LEN <= len(data):
        length, kind = struct.unpack_from("=IH", data, pos)
        if length < NLMSG_HDR_LEN or pos + length > len(data):
            return
        yield kind, data[pos + 6 : pos + 8], data[pos + NLMSG_HDR_LEN : pos + length]
        pos += (length + 3) & ~3


NFT_RULE_TYPES = (0x0A06, 0x0A07, 0x0A08)  # NFT_MSG_{NEW,GET,DEL}RULE
NFTA_RULE_EXPRESSIONS = 4


def rule_expression_lists(datagram):
    """The value of each NFTA_RULE_EXPRESSIONS (the list `nft_expr` reads)."""
    for kind, _, payload in messages(datagram):
        if kind not in NFT_RULE_TYPES:
            continue
        pos = 4  # struct nfgenmsg
        while pos + 4 <= len(payload):
            nla_len, nla_type = struct.unpack_from("=HH", payload, pos)
            if nla_len < 4 or pos + nla_len > len(payload):
                break
            if nla_type & 0x3FFF == NFTA_RULE_EXPRESSIONS:
                yield payload[pos + 4 : pos + nla_len]
            pos += (nla_len + 3) & ~3


def inputs_for(target, datagram):
    if target == "nft_expr":
        yield from rule_expression_lists(datagram)
    elif target == "attrs":
        for kind, _, payload in messages(datagram):
            skip = FAMILY_HEADER.get(kind)
            if skip is not None and len(payload) > skip:
                yield payload[skip:]
    elif target == "error_message":
        for kind, flags, payload in messages(datagram):
            if kind in (NLMSG_ERROR, NLMSG_DONE):
                yield flags + payload
    else:
        yield datagram


def targets():
    return sorted(p.stem for p in (FUZZ / "fuzz_targets").glob("*.rs"))


def write(directory, data):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / hashlib.sha1(data).hexdigest()
    if not path.exists():
        path.write_bytes(data)
        return 1
    return 0


def build_corpora():
    fixtures = sorted((ROOT / "tests" / "fixtures").rglob("*.hex"))
    datagrams = [parse_hex(f.read_text(), f.relative_to(ROOT)) for f in fixtures]
    for target in targets():
        corpus = FUZZ / "corpus" / target
        corpus.mkdir(parents=True, exist_ok=True)
        added = sum(write(corpus, x) for d in datagrams for x in inputs_for(target, d))
        for kind in ("seeds", "regressions"):
            for f in sorted((FUZZ / kind / target).glob("*")):
                if f.is_file():
                    added += write(corpus, f.read_bytes())
        total = sum(1 for _ in corpus.iterdir())
        print(f"fuzz/corpus/{target}: {added} new, {total} in all")
    print(f"({len(fixtures)} fixtures)")


# ---------------------------------------------------------------------------------------
# Hand-made seeds, committed under fuzz/seeds/<target>/. Small, and each shows the decoders
# one shape they must handle. Native byte order, as netlink uses.

IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO, IFLA_ADDRESS = 3, 4, 18, 1
IFLA_INFO_KIND, IFLA_INFO_DATA, VETH_INFO_PEER = 1, 2, 1
NLA_F_NESTED = 0x8000
NLM_F_MULTI, NLM_F_ACK, NLM_F_REQUEST = 0x2, 0x4, 0x1
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWNEIGH, RTM_NEWNSID = 16, 20, 24, 28, 88
RTM_NEWRULE, RTM_DELRULE = 32, 33
NLM_F_CREATE, NLM_F_EXCL = 0x400, 0x200


def pad(b):
    return b + b"\0" * (-len(b) % 4)


def attr(kind, value, padded=True):
    a = struct.pack("=HH", 4 + len(value), kind) + value
    return pad(a) if padded else a


def nest(kind, *children):
    return attr(kind | NLA_F_NESTED, b"".join(children))


def cstr(s):
    return s.encode() + b"\0"


def u32(v):
    return struct.pack("=I", v)


def msg(kind, flags, payload, seq=1, port=0, length=None):
    n = NLMSG_HDR_LEN + len(payload) if length is None else length
    return pad(struct.pack("=IHHII", n, kind, flags, seq, port) + payload)


def ifinfomsg(index, flags=0x1):
    # family, pad, type (ARPHRD_ETHER), index, flags, change
    return struct.pack("=BxHiII", 0, 1, index, flags, 0)


def link_payload():
    peer = ifinfomsg(0) + attr(IFLA_IFNAME, cstr("veth1"))
    info = nest(
        IFLA_LINKINFO,
        attr(IFLA_INFO_KIND, cstr("veth")),
        nest(IFLA_INFO_DATA, attr(VETH_INFO_PEER | NLA_F_NESTED, peer)),
    )
    return (
        ifinfomsg(2)
        + attr(IFLA_IFNAME, cstr("veth0"))
        + attr(IFLA_MTU, u32(1500))
        + attr(IFLA_ADDRESS, bytes.fromhex("020000000001"))
        + info
    )


def addr_payload():
    # ifaddrmsg: AF_INET, /24, flags, scope, index 2; IFA_ADDRESS, IFA_LOCAL, IFA_LABEL
    a = bytes([198, 18, 0, 1])
    return (
        struct.pack("=BBBBI", 2, 24, 0x80, 0, 2)
        + attr(1, a)
        + attr(2, a)
        + attr(3, cstr("veth0"))
    )


def route_payload():
    # rtmsg: AF_INET6, dst /64, src 0, tos 0, table main, proto kernel, scope universe,
    # type unicast, flags; RTA_DST, RTA_OIF, RTA_PRIORITY, RTA_TABLE
    return (
        struct.pack("=BBBBBBBBI", 10, 64, 0, 0, 254, 2, 0, 1, 0)
        + attr(1, bytes.fromhex("20010db8000000010000000000000000"))
        + attr(4, u32(2))
        + attr(6, u32(256))
        + attr(15, u32(254))
    )


def neigh_payload():
    # ndmsg: AF_INET, index 2, state REACHABLE, flags, type; NDA_DST, NDA_LLADDR
    return (
        struct.pack("=BxxxiHBB", 2, 2, 0x02, 0, 1)
        + attr(1, bytes([198, 18, 0, 2]))
        + attr(2, bytes.fromhex("020000000002"))
    )


def nsid_payload(*attrs):
    # rtgenmsg: AF_UNSPEC and 3 bytes of padding; NETNSA_* attributes, each an s32/u32
    return struct.pack("=Bxxx", 0) + b"".join(attr(k, struct.pack("=i", v)) for k, v in attrs)


def rule_payload(family, src_len, table, action, flags, *attrs):
    # fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action, flags
    return struct.pack("=BBBBBBBBI", family, 0, src_len, 0, table, 0, 0, action, flags) + b"".join(
        attrs
    )


def rule_seeds():
    # FRA_* numbers: SRC 2, IIFNAME 3, GOTO 4, PRIORITY 6, FWMARK 10, TUN_ID 12,
    # SUPPRESS_PREFIXLEN 14, TABLE 15, FWMASK 16, UID_RANGE 20, PROTOCOL 21, IP_PROTO 22,
    # SPORT_RANGE 23, DPORT_RANGE 24
    local = rule_payload(2, 0, 255, 1, 0, attr(15, u32(255)), attr(14, u32(0xFFFFFFFF)),
                         attr(21, b"\x02"))
    from_rule = rule_payload(2, 24, 100, 1, 0, attr(15, u32(100)), attr(6, u32(32765)),
                             attr(2, bytes([198, 18, 1, 0])))
    flow = rule_payload(10, 0, 101, 8, 0x2, attr(20, struct.pack("=II", 100, 200)),
                        attr(22, b"\x06"), attr(23, struct.pack("=HH", 1000, 2000)),
                        attr(24, struct.pack("=HH", 80, 80)),
                        attr(12, struct.pack(">Q", 42)), attr(3, cstr("veth0")),
                        attr(10, u32(0x10)), attr(16, u32(0xFF)))
    goto = rule_payload(2, 0, 0, 2, 0x4, attr(4, u32(5000)), attr(6, u32(1004)))
    return {
        "dump-reply": msg(RTM_NEWRULE, NLM_F_MULTI, local)
        + msg(RTM_NEWRULE, NLM_F_MULTI, from_rule)
        + msg(RTM_NEWRULE, NLM_F_MULTI, flow)
        + msg(NLMSG_DONE, NLM_F_MULTI, u32(0)),
        "request-add": msg(RTM_NEWRULE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                           rule_payload(2, 24, 100, 1, 0, attr(2, bytes([198, 18, 1, 0])))),
        "delete-goto": msg(RTM_DELRULE, NLM_F_REQUEST | NLM_F_ACK, goto),
    }


def request(kind=RTM_NEWADDR, seq=42, port=4242):
    return msg(kind, NLM_F_REQUEST | NLM_F_ACK, addr_payload(), seq=seq, port=port)


def error_payload(errno, echo, tlvs=b""):
    head = struct.pack("=i", -errno) + echo
    return pad(head) + tlvs if tlvs else head


def flags(v):
    return struct.pack("=H", v)


NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END = 16, 17


def nft_type(msg):
    return 10 << 8 | msg


def nfgen(family, res_id=0):
    return struct.pack("!BBH", family, 0, res_id)


def be32(v):
    return struct.pack("!I", v & 0xFFFFFFFF)


def be64(v):
    return struct.pack("!Q", v)


def nft_nest(kind, flagged, *children):
    return attr(kind | (NLA_F_NESTED if flagged else 0), b"".join(children))


def expr(name, flagged, *data):
    # NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA { ... } }
    return nft_nest(1, flagged, attr(1, cstr(name)), nft_nest(2, flagged, *data))


def data_value(kind, flagged, value):
    return nft_nest(kind, flagged, attr(1, value))


def verdict(kind, flagged, code, chain=None):
    inner = attr(1, be32(code)) + (attr(2, cstr(chain)) if chain else b"")
    return nft_nest(kind, flagged, nft_nest(2, flagged, inner))


def rule_exprs(flagged):
    # iifname "br0" tcp dport 8080 jump sub
    return (
        expr("meta", flagged, attr(2, be32(6)), attr(1, be32(1)))
        + expr("cmp", flagged, attr(1, be32(1)), attr(2, be32(0)),
               data_value(3, flagged, b"br0".ljust(16, b"\0")))
        + expr("payload", flagged, attr(1, be32(1)), attr(2, be32(2)), attr(3, be32(2)),
               attr(4, be32(2)))
        + expr("cmp", flagged, attr(1, be32(1)), attr(2, be32(0)),
               data_value(3, flagged, struct.pack("!H", 8080)))
        + expr("counter", flagged)
        + expr("immediate", flagged, attr(1, be32(0)), verdict(2, flagged, -3, "sub"))
    )


def hand_seeds():
    req = request()
    ext = attr(1, cstr("Invalid prefix for given prefix length")) + attr(2, u32(24))
    ack = error_payload(0, req[:16])
    full = error_payload(22, req, ext)
    deep = b""
    for _ in range(20):
        deep = nest(1, deep)
    return {
        "attrs": {
            "link-attributes": link_payload()[16:],
            "addr-attributes": addr_payload()[8:],
            "route-attributes": route_payload()[12:],
            "unpadded-last": attr(IFLA_MTU, u32(9000)) + attr(IFLA_IFNAME, cstr("br0"), False),
            "zero-length": attr(IFLA_MTU, u32(1)) + struct.pack("=HH", 0, 5) + b"\xff" * 8,
            "nest-of-20": deep,
            "getters": attr(1, b"") + attr(2, b"\x07") + attr(3, struct.pack("=Q", 7))
            + attr(4, bytes(16)) + attr(5, cstr("0123456789abcdef")) + attr(6, b"\xff\0"),
        },
        "error_message": {
            "ack-capped": flags(NLM_F_CAPPED) + ack,
            "error-full-echo-ext-ack": flags(NLM_F_ACK_TLVS) + full,
            "error-capped-missing-attr": flags(NLM_F_CAPPED | NLM_F_ACK_TLVS)
            + error_payload(22, req[:16], attr(5, u32(3)) + attr(6, u32(20)) + attr(3, b"ck")),
            "done-ext-ack": flags(NLM_F_MULTI | NLM_F_ACK_TLVS)
            + struct.pack("=i", -22) + attr(1, cstr("bad filter")),
            "malformed-tlv": flags(NLM_F_CAPPED | NLM_F_ACK_TLVS)
            + error_payload(17, req[:16], struct.pack("=HH", 2, 1)),
        },
        "datagram": {
            "dump-reply": msg(RTM_NEWLINK, NLM_F_MULTI, link_payload())
            + msg(RTM_NEWADDR, NLM_F_MULTI, addr_payload())
            + msg(RTM_NEWROUTE, NLM_F_MULTI, route_payload())
            + msg(RTM_NEWNEIGH, NLM_F_MULTI, neigh_payload())
            + msg(NLMSG_DONE, NLM_F_MULTI, u32(0)),
            "error-with-echo": msg(NLMSG_ERROR, NLM_F_ACK_TLVS, full, seq=42, port=4242),
            "unaligned-then-remnant": msg(NLMSG_NOOP, 0, b"\1", length=17)
            + msg(NLMSG_DONE, 0, b"")
            + b"\1\2\3",
        },
        "nsid": {
            "dump-reply": msg(RTM_NEWNSID, NLM_F_MULTI, nsid_payload((1, 3)))
            + msg(RTM_NEWNSID, NLM_F_MULTI, nsid_payload((1, 7)))
            + msg(NLMSG_DONE, NLM_F_MULTI, u32(0)),
            "request-set": msg(RTM_NEWNSID, NLM_F_REQUEST | NLM_F_ACK, nsid_payload((3, 6), (1, 3))),
            "answer-with-current": msg(RTM_NEWNSID, 0, nsid_payload((1, -1), (5, 2))),
        },
        "nft_datagram": {
            "batch": msg(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, nfgen(0, 10))
            + msg(nft_type(0), NLM_F_REQUEST, nfgen(2) + attr(1, cstr("t")) + attr(2, be32(0)),
                  seq=1)
            + msg(nft_type(6), NLM_F_REQUEST | 0xC00, nfgen(2) + attr(1, cstr("t"))
                  + attr(2, cstr("c")) + nft_nest(4, True, rule_exprs(True)), seq=2)
            + msg(NFNL_MSG_BATCH_END, NLM_F_REQUEST, nfgen(0, 10), seq=3),
            "dump-reply": msg(nft_type(3), NLM_F_MULTI, nfgen(2, 3) + attr(1, cstr("t"))
                              + attr(2, be64(1)) + attr(3, cstr("c"))
                              + nft_nest(4, False, attr(1, be32(2)), attr(2, be32(0)))
                              + attr(5, be32(1)) + attr(7, cstr("filter")))
            + msg(NLMSG_DONE, NLM_F_MULTI, u32(0)),
            "gen": msg(nft_type(15), 0, nfgen(0, 7) + attr(1, be32(7)) + attr(2, be32(42))
                       + attr(3, cstr("nft"))),
            "error": msg(NLMSG_ERROR, NLM_F_ACK_TLVS, error_payload(
                17, msg(nft_type(0), NLM_F_REQUEST | 0x200, nfgen(2) + attr(1, cstr("t"))),
                attr(2, u32(20)))),
        },
        "nft_expr": {
            "kernel-style": rule_exprs(False),
            "nft-style": rule_exprs(True),
            "mixed": rule_exprs(True)[:40] + rule_exprs(False)[40:],
            "unknown-expression": expr("quota", False, attr(1, be64(100)))
            + expr("meta", False, attr(2, be32(3)), attr(1, be32(1))),
            "set-element-shapes": nft_nest(1, False, attr(1, cstr("lookup")))
            + nft_nest(5, False, attr(1, cstr("meta"))),
        },
        "rule": rule_seeds(),
        "roundtrip": {
            "dump-reply": msg(RTM_NEWLINK, NLM_F_MULTI, link_payload())
            + msg(RTM_NEWROUTE, NLM_F_MULTI, route_payload())
            + msg(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, u32(0) + attr(1, cstr("ok"))),
            "ack": msg(NLMSG_ERROR, NLM_F_CAPPED, ack, seq=42, port=4242),
            "error-with-echo": msg(NLMSG_ERROR, NLM_F_ACK_TLVS, full, seq=42, port=4242),
            "neigh-addr": msg(RTM_NEWNEIGH, 0, neigh_payload())
            + msg(RTM_NEWADDR, 0, addr_payload()),
        },
    }


def write_hand_seeds():
    for target, seeds in hand_seeds().items():
        d = FUZZ / "seeds" / target
        d.mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (d / name).write_bytes(data)
            print(f"fuzz/seeds/{target}/{name}: {len(data)} bytes")


if __name__ == "__main__":
    if sys.argv[1:] == ["--hand-seeds"]:
        write_hand_seeds()
    elif sys.argv[1:] == []:
        build_corpora()
    else:
        sys.exit(__doc__)
