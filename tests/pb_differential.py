#!/usr/bin/python3
"""Differential test of a protobuf decoder/encoder against Google's protobuf.

Google's side: `protoc --python_out` on the schema, then Debian's python3-protobuf
(its C++ backend). Our side: a decoder command that speaks the line protocol of
tests/pb_decode_json.c on stdin/stdout:

    <MessageFullName> <hex>           ->  canonical JSON, or "invalid <status> <offset>"
    encode <MessageFullName> <json>   ->  hex, or "error <reason>"

For each message type the script generates random valid messages, encodes them
in many equivalent ways (field order shuffled, repeated scalars packed, unpacked
or split, sub-messages split into several occurrences to be merged, varints
padded to 10 bytes), mutates them (truncation, bit flips, byte insertion and
deletion, concatenation, inserted unknown fields and groups, wrong wire types,
over-long varints, field number 0, stray end-groups) and checks that both sides
accept the same inputs and produce the same canonical proto3 JSON
(json_format.MessageToDict with lowerCamelCase names; 64-bit integers as strings).
Then it checks the encoder: for every valid random message, the JSON fed to
`encode` must give exactly Google's SerializeToString() bytes.

Prints TAP: one test per message type and direction, with mismatch examples.

Usage (defaults are the engine's own schema, for `make check`):
    pb_differential.py [--proto FILE.proto] [--include DIR] [--decoder CMD]
                       [--messages pkg.A,pkg.B] [--count N] [--seed N]
Another schema reuses it: build tests/pb_decode_json.c with a descriptor list
for that schema and pass --proto, --messages and --decoder.
Skips (TAP "1..0 # SKIP") when python3-protobuf or protoc is missing.
"""

import argparse
import importlib
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings


def skip(why):
    print("1..0 # SKIP %s" % why)
    sys.exit(0)


try:
    from google.protobuf import json_format
    from google.protobuf import descriptor as gdesc
    from google.protobuf.message import DecodeError
except ImportError:
    skip("python3-protobuf is not installed")

FD = gdesc.FieldDescriptor

# ---- wire writer -----------------------------------------------------------


def varint(v, pad_to=0):
    """Varint of v (two's complement for negatives), padded to pad_to bytes."""
    v &= (1 << 64) - 1
    groups = []
    while True:
        groups.append(v & 0x7F)
        v >>= 7
        if not v:
            break
    while len(groups) < pad_to:
        groups.append(0)
    return bytes([g | 0x80 for g in groups[:-1]] + [groups[-1]])


def tag(num, wt, pad_to=0):
    return varint((num << 3) | wt, pad_to)


WT = {
    FD.TYPE_DOUBLE: 1, FD.TYPE_FLOAT: 5, FD.TYPE_INT64: 0, FD.TYPE_UINT64: 0,
    FD.TYPE_INT32: 0, FD.TYPE_FIXED64: 1, FD.TYPE_FIXED32: 5, FD.TYPE_BOOL: 0,
    FD.TYPE_STRING: 2, FD.TYPE_MESSAGE: 2, FD.TYPE_BYTES: 2, FD.TYPE_UINT32: 0,
    FD.TYPE_ENUM: 0, FD.TYPE_SFIXED32: 5, FD.TYPE_SFIXED64: 1, FD.TYPE_SINT32: 0,
    FD.TYPE_SINT64: 0,
}


def scalar_payload(f, v, rnd):
    t = f.type
    if t in (FD.TYPE_INT32, FD.TYPE_INT64, FD.TYPE_UINT32, FD.TYPE_UINT64, FD.TYPE_ENUM):
        pad = rnd.choice([0, 0, 0, 10]) if rnd else 0
        return varint(int(v), pad)
    if t == FD.TYPE_BOOL:
        return varint(1 if v else 0)
    if t == FD.TYPE_SINT32:
        return varint((v << 1) ^ (v >> 31))
    if t == FD.TYPE_SINT64:
        return varint((v << 1) ^ (v >> 63))
    if t == FD.TYPE_FIXED32:
        return struct.pack("<I", v)
    if t == FD.TYPE_SFIXED32:
        return struct.pack("<i", v)
    if t == FD.TYPE_FIXED64:
        return struct.pack("<Q", v)
    if t == FD.TYPE_SFIXED64:
        return struct.pack("<q", v)
    if t == FD.TYPE_FLOAT:
        return struct.pack("<f", v)
    if t == FD.TYPE_DOUBLE:
        return struct.pack("<d", v)
    raise ValueError(t)


def ld(b):
    return varint(len(b)) + b


def encode_raw(m, rnd):
    """An equivalent, not necessarily canonical, encoding of message m."""
    parts = []
    for f, v in m.ListFields():
        if f.type == FD.TYPE_GROUP:
            continue
        if f.label == FD.LABEL_REPEATED:
            vals = list(v)
            if f.type == FD.TYPE_MESSAGE:
                for x in vals:
                    parts.append(tag(f.number, 2) + ld(encode_raw(x, rnd)))
            elif f.type in (FD.TYPE_STRING, FD.TYPE_BYTES):
                for x in vals:
                    b = x.encode("utf-8") if isinstance(x, str) else x
                    parts.append(tag(f.number, 2) + ld(b))
            else:
                i = 0
                while i < len(vals):
                    k = rnd.randint(1, len(vals) - i)
                    chunk = vals[i:i + k]
                    i += k
                    if rnd.random() < 0.5:
                        parts.append(tag(f.number, 2) +
                                     ld(b"".join(scalar_payload(f, x, None) for x in chunk)))
                    else:
                        for x in chunk:
                            parts.append(tag(f.number, WT[f.type]) + scalar_payload(f, x, rnd))
        elif f.type == FD.TYPE_MESSAGE:
            body = encode_raw(v, rnd)
            if rnd.random() < 0.3 and len(v.ListFields()) > 1:
                # split into two occurrences that Google merges back
                sub = list(v.ListFields())
                rnd.shuffle(sub)
                cut = rnd.randint(1, len(sub) - 1)
                for group in (sub[:cut], sub[cut:]):
                    part = type(v)()
                    for sf, sv in group:
                        if sf.label == FD.LABEL_REPEATED:
                            getattr(part, sf.name).extend(sv)
                        elif sf.type == FD.TYPE_MESSAGE:
                            getattr(part, sf.name).CopyFrom(sv)
                        else:
                            setattr(part, sf.name, sv)
                    parts.append(tag(f.number, 2) + ld(encode_raw(part, rnd)))
            else:
                parts.append(tag(f.number, 2) + ld(body))
        elif f.type in (FD.TYPE_STRING, FD.TYPE_BYTES):
            b = v.encode("utf-8") if isinstance(v, str) else v
            if rnd.random() < 0.1:
                # an earlier occurrence that the later one replaces
                parts.append(tag(f.number, 2) + ld(b"zz"))
            parts.append(tag(f.number, 2) + ld(b))
        else:
            if rnd.random() < 0.1 and f.containing_oneof is None:
                parts.append(tag(f.number, WT[f.type]) + scalar_payload(f, v, rnd))
            parts.append(tag(f.number, WT[f.type]) + scalar_payload(f, v, rnd))
    rnd.shuffle(parts)
    return b"".join(parts)


# ---- random messages --------------------------------------------------------

STRINGS = ["", "a", "hello", "a\u0000b", "\u00e9t\u00e9", "\u20ac", "\U0001f600", "x" * 130]


def rand_scalar(f, rnd):
    t = f.type
    if t in (FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32):
        return rnd.choice([0, 1, -1, 127, 128, 2**31 - 1, -2**31, rnd.randint(-2**31, 2**31 - 1)])
    if t in (FD.TYPE_UINT32, FD.TYPE_FIXED32):
        return rnd.choice([0, 1, 127, 128, 2**32 - 1, rnd.randint(0, 2**32 - 1)])
    if t in (FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64):
        return rnd.choice([0, 1, -1, 2**63 - 1, -2**63, rnd.randint(-2**63, 2**63 - 1)])
    if t in (FD.TYPE_UINT64, FD.TYPE_FIXED64):
        return rnd.choice([0, 1, 2**64 - 1, rnd.randint(0, 2**64 - 1)])
    if t == FD.TYPE_FLOAT:
        return struct.unpack("<f", struct.pack("<f", rnd.choice(
            [0.0, -0.0, 1.5, -2.25, 0.1, 3.4e38, 1e-45, float("inf"), float("-inf"),
             rnd.uniform(-1e6, 1e6)])))[0]
    if t == FD.TYPE_DOUBLE:
        return rnd.choice([0.0, -0.0, 0.1, 1e300, -5e-324, float("inf"), rnd.uniform(-1e9, 1e9)])
    if t == FD.TYPE_BOOL:
        return rnd.random() < 0.5
    if t == FD.TYPE_ENUM:
        vals = [v.number for v in f.enum_type.values]
        return rnd.choice(vals + [7, -5, 2**31 - 1])
    if t == FD.TYPE_STRING:
        return rnd.choice(STRINGS)
    if t == FD.TYPE_BYTES:
        return bytes(rnd.randrange(256) for _ in range(rnd.choice([0, 1, 2, 3, 5, 40])))
    raise ValueError(t)


def fill(m, rnd, depth=0):
    d = m.DESCRIPTOR
    oneofs_done = set()
    for f in d.fields:
        if rnd.random() < 0.4:
            continue
        if f.containing_oneof is not None:
            if f.containing_oneof.name in oneofs_done:
                continue
            oneofs_done.add(f.containing_oneof.name)
        if f.label == FD.LABEL_REPEATED:
            n = rnd.choice([0, 1, 2, 3, 5, 20])
            if f.type == FD.TYPE_MESSAGE:
                if depth < 4:
                    for _ in range(n):
                        fill(getattr(m, f.name).add(), rnd, depth + 1)
            else:
                getattr(m, f.name).extend(rand_scalar(f, rnd) for _ in range(n))
        elif f.type == FD.TYPE_MESSAGE:
            if depth < 4:
                sub = getattr(m, f.name)
                sub.SetInParent()
                fill(sub, rnd, depth + 1)
        else:
            setattr(m, f.name, rand_scalar(f, rnd))


# ---- mutations ----------------------------------------------------------------


def unknown_field(rnd, known):
    while True:
        num = rnd.choice([rnd.randint(1, 40), rnd.randint(1, 2**29 - 1)])
        if num not in known:
            break
    wt = rnd.choice([0, 1, 2, 5, 3])
    if wt == 0:
        return tag(num, 0) + varint(rnd.getrandbits(64))
    if wt == 1:
        return tag(num, 1) + bytes(8)
    if wt == 5:
        return tag(num, 5) + bytes(4)
    if wt == 2:
        return tag(num, 2) + ld(bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 5))))
    return group(num, rnd, rnd.randint(1, 3))


def group(num, rnd, depth):
    body = b""
    for _ in range(rnd.randint(0, 3)):
        kind = rnd.randint(0, 3)
        n = rnd.randint(1, 30)
        if kind == 0:
            body += tag(n, 0) + varint(rnd.getrandbits(20))
        elif kind == 1:
            body += tag(n, 2) + ld(b"\xff\xc0")  # not UTF-8: never checked inside groups
        elif kind == 2 and depth > 1:
            body += group(n, rnd, depth - 1)
        else:
            body += tag(n, 5) + bytes(4)
    return tag(num, 3) + body + tag(num, 4)


def wrong_wire_type(rnd, fields):
    f = rnd.choice(fields)
    wt = rnd.choice([w for w in (0, 1, 2, 5, 3) if w != WT[f.type]])
    if wt == 0:
        return tag(f.number, 0) + varint(rnd.getrandbits(64))
    if wt == 1:
        return tag(f.number, 1) + bytes(rnd.randrange(256) for _ in range(8))
    if wt == 5:
        return tag(f.number, 5) + bytes(rnd.randrange(256) for _ in range(4))
    if wt == 2:
        return tag(f.number, 2) + ld(bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 6))))
    return group(f.number, rnd, 1)


def mutate(b, rnd, fields, other):
    k = rnd.randint(0, 13)
    known = {f.number for f in fields}
    if not fields and k in (7, 8, 12):
        k = 5  # these need a known field
    if k == 0 and b:
        return b[:rnd.randrange(len(b))]
    if k == 1 and b:
        i = rnd.randrange(len(b))
        return b[:i] + bytes([b[i] ^ (1 << rnd.randrange(8))]) + b[i + 1:]
    if k == 2:
        i = rnd.randint(0, len(b))
        return b[:i] + bytes([rnd.randrange(256)]) + b[i:]
    if k == 3 and b:
        i = rnd.randrange(len(b))
        return b[:i] + b[i + 1:]
    if k == 4:
        return b + other
    if k == 5:
        return b + unknown_field(rnd, known)
    if k == 6:
        return unknown_field(rnd, known) + b
    if k == 7:
        return b + wrong_wire_type(rnd, fields)
    if k == 8:
        # over-long varints: 10 bytes accepted, 11 refused
        f = rnd.choice(fields)
        n = rnd.choice([10, 11])
        return b + tag(f.number, 0) + b"\xff" * (n - 1) + bytes([rnd.choice([0, 1, 0x7F])])
    if k == 9:
        # field number 0 in every encoding, 5- and 6-byte tags
        return b + rnd.choice([b"\x00", b"\x02\x00", b"\x80\x00", b"\x82\x00", b"\x80\x80\x80\x80\x10",
                               b"\x88\x80\x80\x80\x10\x05", b"\x88\x80\x80\x80\x80\x00\x05",
                               b"\x88\x80\x80\x80\x7f\x05"])
    if k == 10:
        # stray or mismatched end-groups, unterminated groups, wire types 6 and 7
        return b + rnd.choice([b"\x0c", b"\x0b\x14", b"\x0b", b"\x0b\x0c\x0c", b"\x0e", b"\x0f\x00",
                               b"\xfb\x01\xfc\x01", b"\x0b\x13\x1c\x0c"])
    if k == 11:
        # invalid UTF-8 in every string field
        strs = [f for f in fields if f.type == FD.TYPE_STRING]
        if strs:
            f = rnd.choice(strs)
            bad = rnd.choice([b"\xc0\x80", b"\xed\xa0\x80", b"\xff", b"\xf4\x90\x80\x80",
                              b"\xe0\x80\xaf", b"\xc2", b"\x80", b"ok\xc3\xa9"])
            return b + tag(f.number, 2) + ld(bad)
        return b
    if k == 12:
        # length prefix forms: 5-byte length, too long, 6 bytes
        f = rnd.choice(fields)
        return b + tag(f.number, 2) + rnd.choice([b"\x80\x80\x80\x80\x00", b"\x05\x01",
                                                  b"\x80\x80\x80\x80\x80\x00", b"\xff\xff\xff\xff\x07"])
    return b


# ---- both sides -----------------------------------------------------------------


def google_decode(cls, data):
    m = cls()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            m.ParseFromString(data)
        except (DecodeError, Exception):
            return None
        if any(issubclass(x.category, RuntimeWarning) for x in w):
            return None  # python3-protobuf 3.21: top-level end-group / tag 0
    return m


def to_dict(m):
    return json_format.MessageToDict(m, preserving_proto_field_name=False)


def norm(x):
    """Make floats comparable (NaN == NaN)."""
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items()}
    if isinstance(x, list):
        return [norm(v) for v in x]
    if isinstance(x, float) and math.isnan(x):
        return "NaN"
    return x


def main():
    here = os.environ.get("top_srcdir", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    build = os.environ.get("top_builddir", ".")
    ap = argparse.ArgumentParser()
    ap.add_argument("--proto", default=os.path.join(here, "tests", "pb", "test.proto"))
    ap.add_argument("--include", default=None)
    ap.add_argument("--decoder", default=os.path.join(build, "tests", "pb_decode_json"))
    ap.add_argument("--messages", default="vwtest.Scalars,vwtest.Repeated,vwtest.Choice,vwtest.Node,vwtest.Empty")
    ap.add_argument("--count", type=int, default=700)
    ap.add_argument("--seed", type=int, default=20261122)
    a = ap.parse_args()

    protoc = os.environ.get("PROTOC") or shutil.which("protoc")
    if not protoc or not os.path.exists(protoc) and not shutil.which(protoc):
        skip("protoc is not installed")
    decoder = a.decoder.split()
    if not os.path.exists(decoder[0]):
        skip("decoder %s is not built" % decoder[0])

    tmp = tempfile.mkdtemp(prefix="pbdiff.")
    try:
        inc = a.include or os.path.dirname(os.path.abspath(a.proto))
        subprocess.check_call([protoc, "--proto_path=" + inc, "--python_out=" + tmp,
                               os.path.abspath(a.proto)])
        sys.path.insert(0, tmp)
        modname = os.path.relpath(os.path.abspath(a.proto), inc)[:-len(".proto")].replace("/", ".") + "_pb2"
        mod = importlib.import_module(modname)
        run(mod, a, decoder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def find_class(mod, full):
    pkg = mod.DESCRIPTOR.package
    rel = full[len(pkg) + 1:] if pkg and full.startswith(pkg + ".") else full
    obj = mod
    for part in rel.split("."):
        obj = getattr(obj, part)
    return obj


def node_chain(depth, tail=b""):
    b = tail
    for _ in range(depth):
        b = b"\x0a" + varint(len(b)) + b
    return b


def run(mod, a, decoder):
    rnd = random.Random(a.seed)
    names = [n for n in a.messages.split(",") if n]
    plan = []
    for name in names:
        cls = find_class(mod, name)
        fields = list(cls.DESCRIPTOR.fields)
        inputs = []
        valid = []
        for i in range(a.count):
            m = cls()
            fill(m, rnd)
            valid.append(m)
            canon = m.SerializeToString()
            inputs.append(canon)
            raw = encode_raw(m, rnd)
            inputs.append(raw)
            other = cls()
            fill(other, rnd)
            inputs.append(mutate(raw, rnd, fields, encode_raw(other, rnd)))
            inputs.append(mutate(mutate(canon, rnd, fields, b""), rnd, fields, b""))
        if name.endswith(".Node"):
            for d in (98, 99, 100, 101, 102):
                inputs.append(node_chain(d))
                inputs.append(node_chain(d, b"\x10\x05"))
                inputs.append(node_chain(d, b"\x1b" * 1 + b"\x1c"))
                inputs.append(b"\x1b" * d + b"\x1c" * d)
                inputs.append(node_chain(50, b"\x1b" * (d - 50) + b"\x1c" * (d - 50)))
        plan.append((name, cls, inputs, valid))

    lines = []
    for name, cls, inputs, valid in plan:
        for b in inputs:
            lines.append("%s %s" % (name, b.hex()))
        for m in valid:
            lines.append("encode %s %s" % (name, json.dumps(to_dict(m))))
    p = subprocess.run(decoder, input="\n".join(lines) + "\n", capture_output=True, text=True)
    out = p.stdout.split("\n")
    if p.returncode != 0 or len(out) < len(lines):
        print("1..1")
        print("not ok 1 - decoder exited with %d after %d of %d lines" % (p.returncode, len(out), len(lines)))
        for l in p.stderr.splitlines()[:20]:
            print("# " + l)
        return

    print("1..%d" % (2 * len(plan)))
    sys.stdout.flush()
    # libprotobuf logs every UTF-8 rejection on stderr: keep the log readable
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(devnull, 2)
    try:
        compare(plan, out)
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def compare(plan, out):
    t = 0
    pos = 0
    for name, cls, inputs, valid in plan:
        bad = []
        n_ok = n_inv = 0
        for b in inputs:
            ours = out[pos]
            pos += 1
            g = google_decode(cls, b)
            if g is None:
                n_inv += 1
                if not ours.startswith("invalid "):
                    bad.append((b.hex(), "google: invalid", "ours: " + ours))
                continue
            n_ok += 1
            want = norm(to_dict(g))
            if ours.startswith("invalid ") or ours.startswith("error "):
                bad.append((b.hex(), "google: " + json.dumps(want), "ours: " + ours))
                continue
            got = norm(json.loads(ours))
            if got != want:
                bad.append((b.hex(), "google: " + json.dumps(want), "ours: " + ours))
        t += 1
        print("%s %d - decode %s: %d inputs agree (%d valid, %d invalid)" % (
            "not ok" if bad else "ok", t, name, len(inputs) - len(bad), n_ok, n_inv))
        for ex in bad[:8]:
            print("#   input %s\n#     %s\n#     %s" % ex)
        if bad:
            print("#   %d mismatches" % len(bad))
        bad = []
        for m in valid:
            ours = out[pos]
            pos += 1
            want = m.SerializeToString().hex()
            if ours != want:
                bad.append((json.dumps(to_dict(m)), "google: " + want, "ours: " + ours))
        t += 1
        print("%s %d - encode %s: %d messages byte-identical" % (
            "not ok" if bad else "ok", t, name, len(valid) - len(bad)))
        for ex in bad[:8]:
            print("#   json %s\n#     %s\n#     %s" % ex)


if __name__ == "__main__":
    main()
