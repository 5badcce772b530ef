#!/usr/bin/python3
"""Differential test of the serial message decoders against Google's protobuf
with the schema's capacities applied on top (spec/serial.md, SER-MSG-*,
SER-CAP-*).

Google's side: `protoc --python_out` on proto/serial/guest.proto and Debian's
python3-protobuf; a message is valid when Google parses it, it is at most 600
bytes, and its decoded strings and lists fit their capacities (32 bytes, 256
for the two paths, 4 devices). Our side: tests/serial_decode_json, which
answers for both of vmwire's decoders: the protobuf engine path
(vw_serial_decode) with canonical JSON, and the heapless guest codec
(serial_guest.h) with its canonical re-encoding.

The random inputs come from tests/pb_differential.py (random messages,
equivalent encodings, mutations), plus strings and lists sized around the
capacities. Prints TAP: per message kind, the engine path and the guest codec.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import pb_differential as pd  # noqa: E402  (skips by itself without python3-protobuf)

CAP_PATHS = {("InfoResultMessage", "backing_file"), ("InfoResultMessage", "external_data_file")}


def fits(m):
    """The capacities of SER-CAP-1..3 on a decoded Google message."""
    for f, v in m.ListFields():
        if f.type == pd.FD.TYPE_STRING:
            cap = 256 if (m.DESCRIPTOR.name, f.name) in CAP_PATHS else 32
            if len(v.encode("utf-8")) > cap:
                return False
        elif f.type == pd.FD.TYPE_MESSAGE:
            if f.label == pd.FD.LABEL_REPEATED:
                if len(v) > 4 or not all(fits(x) for x in v):
                    return False
            elif not fits(v):
                return False
    return True


def near_capacity(m, rnd):
    """Resize some strings to lengths around their capacity (ASCII and 2-byte characters)."""
    for f in m.DESCRIPTOR.fields:
        if f.type == pd.FD.TYPE_STRING and rnd.random() < 0.3:
            cap = 256 if (m.DESCRIPTOR.name, f.name) in CAP_PATHS else 32
            n = rnd.choice([cap - 1, cap, cap + 1])
            setattr(m, f.name, rnd.choice(["a" * n, "\u00e9" * (n // 2) + "a" * (n % 2)]))
        elif f.type == pd.FD.TYPE_MESSAGE:
            if f.label == pd.FD.LABEL_REPEATED:
                for x in getattr(m, f.name):
                    near_capacity(x, rnd)
            elif m.HasField(f.name):
                near_capacity(getattr(m, f.name), rnd)


def main():
    top = os.environ.get("top_srcdir", os.path.join(here, ".."))
    build = os.environ.get("top_builddir", ".")
    ap = argparse.ArgumentParser()
    ap.add_argument("--decoder", default=os.path.join(build, "tests", "serial_decode_json"))
    ap.add_argument("--count", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=20261122)
    a = ap.parse_args()
    protoc = os.environ.get("PROTOC") or shutil.which("protoc")
    if not protoc:
        pd.skip("protoc is not installed")
    if not os.path.exists(a.decoder):
        pd.skip("decoder %s is not built" % a.decoder)
    tmp = tempfile.mkdtemp(prefix="serdiff.")
    try:
        subprocess.check_call([protoc, "--proto_path=" + os.path.join(top, "proto"),
                               "--python_out=" + tmp, "serial/guest.proto"])
        sys.path.insert(0, tmp)
        import importlib
        mod = importlib.import_module("serial.guest_pb2")
        run(mod, a)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(mod, a):
    rnd = random.Random(a.seed)
    plan = []
    for name in ("GuestMessage", "VmmConfig"):
        cls = getattr(mod, name)
        fields = list(cls.DESCRIPTOR.fields)
        inputs = []
        for _ in range(a.count):
            m = cls()
            pd.fill(m, rnd)
            if rnd.random() < 0.5:
                near_capacity(m, rnd)
            canon = m.SerializeToString()
            raw = pd.encode_raw(m, rnd)
            other = cls()
            pd.fill(other, rnd)
            inputs += [canon, raw, pd.mutate(raw, rnd, fields, pd.encode_raw(other, rnd)),
                       pd.mutate(pd.mutate(canon, rnd, fields, b""), rnd, fields, b"")]
        plan.append(("vmwire.serial." + name, cls, inputs))
    lines = []
    for full, cls, inputs in plan:
        for b in inputs:
            lines.append("serial %s %s" % (full, b.hex()))
            lines.append("fixed %s %s" % (full, b.hex()))
    p = subprocess.run([a.decoder], input="\n".join(lines) + "\n", capture_output=True, text=True)
    out = p.stdout.split("\n")
    if p.returncode != 0 or len(out) < len(lines):
        print("1..1\nnot ok 1 - decoder exited with %d" % p.returncode)
        return
    print("1..%d" % (2 * len(plan)))
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(devnull, 2)
    try:
        compare(plan, out)
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def expect(cls, b):
    """(status class, google message): too_long, wire, capacity or ok."""
    if len(b) > 600:
        return "too_long", None
    g = pd.google_decode(cls, b)
    if g is None:
        return "wire", None
    if not fits(g):
        return "capacity", g
    return "ok", g


def classify(ours):
    if not ours.startswith("invalid "):
        return "ok"
    st = ours.split()[1]
    return st if st in ("too_long", "capacity") else "wire"


def compare(plan, out):
    t = pos = 0
    for full, cls, inputs in plan:
        bad_s, bad_f = [], []
        counts = {}
        for b in inputs:
            s_out, f_out = out[pos], out[pos + 1]
            pos += 2
            want, g = expect(cls, b)
            counts[want] = counts.get(want, 0) + 1
            # the engine path
            if classify(s_out) != want:
                bad_s.append((b.hex(), want, s_out))
            elif want == "ok" and pd.norm(json.loads(s_out)) != pd.norm(pd.to_dict(g)):
                bad_s.append((b.hex(), json.dumps(pd.to_dict(g)), s_out))
            # the guest codec
            if f_out == "toolong" or not f_out.startswith("invalid"):
                if want != "ok":
                    bad_f.append((b.hex(), want, f_out))
                else:
                    g.DiscardUnknownFields()  # the guest codec keeps no unknown fields
                    canon = g.SerializeToString()
                    if f_out == "toolong" and len(canon) <= 600 or f_out != "toolong" and f_out != canon.hex():
                        bad_f.append((b.hex(), canon.hex(), f_out))
            elif classify(f_out) != want:
                bad_f.append((b.hex(), want, f_out))
        summary = ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items()))
        for what, bad in (("engine (vw_serial_decode)", bad_s), ("guest codec", bad_f)):
            t += 1
            print("%s %d - %s %s: %d inputs agree with Google + capacities (%s)" % (
                "not ok" if bad else "ok", t, full, what, len(inputs) - len(bad), summary))
            for ex in bad[:8]:
                print("#   input %s\n#     want %s\n#     ours %s" % ex)


if __name__ == "__main__":
    main()
