#!/usr/bin/env python3
"""A testee with one planted bug, for the tests of vmwire-conformance --fuzz.

It forwards every request to vmwire-testee (the reference) and corrupts one
behaviour, chosen by the first argument:

  capacity  serial.VmmConfig decode accepts a fifth device (SER-CAP-3 off by
            one): five devices decode as the first four
  oneof     crosvm decode keeps the first member of a oneof seen twice instead
            of the last (protobuf's merge rule)
  mask      bridge dispatch in 32-bit mode keeps bits 0-30 of each register
            instead of bits 0-31 (BR-REG-5)
  version   IC guest negotiation ignores the last message version offered
            (IC-NEG-7 picks from a shortened list)
  sendoneof a crosvm session's send steps keep the first member of a oneof
            seen twice (the oneof bug on what the engine is told to send)

usage: planted_testee.py BUG[,BUG...] PATH/TO/vmwire-testee
"""
import json
import subprocess
import sys


def varint(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        s += 7
        if not c & 0x80:
            return v, i


def fields(b):
    """Top-level protobuf fields as (number, wire type, raw bytes), or None."""
    out, i = [], 0
    try:
        while i < len(b):
            st = i
            tag, i = varint(b, i)
            wt = tag & 7
            if wt == 0:
                _, i = varint(b, i)
            elif wt == 1:
                i += 8
            elif wt == 5:
                i += 4
            elif wt == 2:
                n, i = varint(b, i)
                i += n
            else:
                return None
            if i > len(b):
                return None
            out.append((tag >> 3, wt, b[st:i]))
    except IndexError:
        return None
    return out


def capacity(req):
    if req.get("message") != "serial.VmmConfig" or req.get("operation") != "decode":
        return req
    f = fields(bytes.fromhex(req.get("input", "")))
    if f is None or sum(1 for n, wt, _ in f if n == 1 and wt == 2) != 5:
        return req
    seen, keep = 0, []
    for n, wt, raw in f:
        if n == 1 and wt == 2:
            seen += 1
            if seen == 5:
                continue
        keep.append(raw)
    req["input"] = b"".join(keep).hex()
    return req


def first_wins(h):
    """The message with the first length-delimited field moved to the end,
    so that of two oneof members the first one wins."""
    try:
        f = fields(bytes.fromhex(h))
    except (TypeError, ValueError):
        return h
    if f is None:
        return h
    lens = [n for n, wt, _ in f if wt == 2]
    if len(set(lens)) < 2:
        return h
    first = lens[0]
    moved = [raw for n, wt, raw in f if n == first and wt == 2]
    rest = [raw for n, wt, raw in f if not (n == first and wt == 2)]
    return b"".join(rest + moved).hex()


def oneof(req):
    if not req.get("message", "").startswith("crosvm.") or req.get("operation") != "decode":
        return req
    req["input"] = first_wins(req.get("input", ""))
    return req


def sendoneof(req):
    if not req.get("message", "").startswith("crosvm.") or req.get("operation") != "session":
        return req
    for st in req.get("steps") or []:
        if isinstance(st, dict) and isinstance(st.get("send"), str):
            st["send"] = first_wins(st["send"])
    return req


def mask(req):
    inp = req.get("input")
    if req.get("operation") != "dispatch" or not isinstance(inp, dict) or inp.get("mode") != 32:
        return req
    regs = inp.get("registers")
    if isinstance(regs, dict):
        for k, v in list(regs.items()):
            try:
                regs[k] = hex(int(v, 16) & 0x7FFFFFFF)
            except (TypeError, ValueError):
                pass
    return req


def shorten_negotiate(h):
    try:
        b = bytearray(bytes.fromhex(h))
    except (TypeError, ValueError):
        return h
    if len(b) < 36 or int.from_bytes(b[12:14], "little") != 0:
        return h
    F = int.from_bytes(b[28:30], "little")
    M = int.from_bytes(b[30:32], "little")
    end = 36 + 4 * (F + M)
    if M < 2 or end > len(b):
        return h
    del b[end - 4:end]
    b[30:32] = (M - 1).to_bytes(2, "little")
    b[4:8] = (int.from_bytes(b[4:8], "little") - 4).to_bytes(4, "little")
    b[18:20] = (int.from_bytes(b[18:20], "little") - 4).to_bytes(2, "little")
    return bytes(b).hex()


def version(req):
    if req.get("message") != "ic.packet" or req.get("role") != "guest":
        return req
    if req.get("operation") == "respond" and isinstance(req.get("input"), str):
        req["input"] = shorten_negotiate(req["input"])
    elif req.get("operation") == "session":
        for st in req.get("steps") or []:
            if isinstance(st, dict) and isinstance(st.get("input"), str):
                st["input"] = shorten_negotiate(st["input"])
    return req


BUGS = {"capacity": capacity, "oneof": oneof, "mask": mask, "version": version, "sendoneof": sendoneof}


def main():
    bugs = [BUGS[b] for b in sys.argv[1].split(",")]
    ref = subprocess.Popen([sys.argv[2]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           universal_newlines=True, bufsize=1)
    for line in sys.stdin:
        try:
            req = json.loads(line)
            if isinstance(req, dict):
                for bug in bugs:
                    req = bug(req)
                line = json.dumps(req) + "\n"
        except ValueError:
            pass
        ref.stdin.write(line)
        ref.stdin.flush()
        sys.stdout.write(ref.stdout.readline())
        sys.stdout.flush()


if __name__ == "__main__":
    main()
