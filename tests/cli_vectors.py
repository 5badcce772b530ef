#!/usr/bin/env python3
"""TAP: every golden vector through the vmwire command.

- decode cases: `vmwire decode` gives the vector's answer (result, output,
  error name); a valid decode's JSON encodes back (`vmwire encode`) to the
  same bytes when the input is canonical, and in every case to bytes that
  decode to the same JSON (a fixed point); `--annotate` puts every input
  byte on exactly one line, for valid and invalid inputs alike, and an
  invalid decode names its status and an offset on stderr;
- encode cases: `vmwire encode` gives the vector's bytes, and those bytes
  decode and encode again to themselves (encoder output is canonical);
- validate cases: `vmwire validate` gives the vector's result and error.
One TAP line per (file, operation, kind) group, with the failures listed.
"""
import glob
import json
import os
import re
import subprocess
import sys

top_src = os.environ.get("top_srcdir", ".")
top_build = os.environ.get("top_builddir", ".")
VMWIRE = os.path.join(top_build, "tools", "vmwire")
ANNOTATED = ("ic.", "crosvm.", "serial.GuestMessage", "serial.VmmConfig")
LINE = re.compile(r"^ *(\d+) +(\d+)  ")


def run(*args):
    p = subprocess.run([VMWIRE, *args], capture_output=True, text=True, errors="replace")
    return p.returncode, p.stdout, p.stderr


def params(group, case):
    skip = {"id", "rules", "comment", "flags", "input", "result", "output", "error", "cases", "operation",
            "message", "steps"}
    out = []
    for src in (group, case):
        for k, v in src.items():
            if k not in skip:
                out += ["--param", "%s=%s" % (k, json.dumps(v))]
    return out


def coverage(stdout, n):
    """Offsets of the annotation's lines must tile [0, n)."""
    pos = 0
    for line in stdout.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        off, ln = int(m.group(1)), int(m.group(2))
        if ln == 0:
            continue
        if off != pos:
            return "byte %d: next line starts at %d" % (pos, off)
        pos += ln
    return None if pos == n else "covered %d of %d bytes" % (pos, n)


def check_decode(kind, case, extra, fails):
    hexin = case["input"]
    rc, out, err = run("decode", kind, hexin, *extra)
    want = case["result"]
    if want == "valid":
        if rc != 0:
            fails.append("%s: decode exit %d: %s" % (case["id"], rc, err.strip()))
            return
        got = json.loads(out)
        if got != case["output"]:
            fails.append("%s: decode output differs" % case["id"])
            return
        # decode then encode
        rc, enc, err = run("encode", kind, out, *extra)
        if rc != 0:
            fails.append("%s: encode of the decoded JSON failed: %s" % (case["id"], err.strip()))
            return
        enc = enc.strip()
        if enc != hexin:
            # not canonical: the re-encoding must still decode to the same JSON
            rc, out2, _ = run("decode", kind, enc, *extra)
            if rc != 0 or json.loads(out2) != got:
                fails.append("%s: re-encoding %s is not a fixed point" % (case["id"], enc))
                return
            check_decode.noncanonical.append(case["id"])
    elif want == "invalid":
        if rc != 1:
            fails.append("%s: decode exit %d, want 1" % (case["id"], rc))
            return
        if not err.startswith("invalid: %s " % case["error"]):
            fails.append("%s: stderr does not start with the error %s: %s" % (case["id"], case["error"],
                                                                          err.splitlines()[:1]))
            return
        if "  offset: " not in err:
            fails.append("%s: no offset on stderr" % case["id"])
            return
    if kind.startswith(ANNOTATED):
        rc, out, err = run("decode", kind, hexin, "--annotate", *extra)
        bad = coverage(out, len(hexin) // 2)
        if bad:
            fails.append("%s: --annotate: %s" % (case["id"], bad))
        elif (rc == 0) != (want == "valid") and want != "acceptable":
            fails.append("%s: --annotate exit %d" % (case["id"], rc))


check_decode.noncanonical = []


def check_encode(kind, case, extra, fails):
    rc, out, err = run("encode", kind, json.dumps(case["input"]), *extra)
    if case["result"] == "invalid":
        if rc != 1 or not err.startswith("invalid: %s " % case["error"]):
            fails.append("%s: encode exit %d (%s), want invalid %s" % (case["id"], rc, err.strip(), case["error"]))
        return
    if rc != 0 or out.strip() != case["output"]:
        fails.append("%s: encode gave %s (exit %d), want %s" % (case["id"], out.strip(), rc, case["output"]))
        return
    rc, dec, err = run("decode", kind, case["output"], *extra)
    if rc != 0:
        # an encoder may be asked for bytes its decoder refuses (an explicit
        # pipe size, say); the vector then says so with the decode error
        return
    rc, enc, err = run("encode", kind, dec, *extra)
    if rc != 0 or enc.strip() != case["output"]:
        fails.append("%s: encoded bytes do not round-trip: %s" % (case["id"], enc.strip()))


def check_validate(kind, case, extra, fails):
    rc, out, err = run("validate", kind, case["input"], *extra)
    want = case["result"]
    if want == "valid" and rc != 0:
        fails.append("%s: validate exit %d: %s" % (case["id"], rc, err.strip()))
    elif want == "invalid" and (rc != 1 or not err.startswith("invalid: %s " % case["error"])):
        fails.append("%s: validate exit %d (%s), want invalid %s" % (case["id"], rc, err.splitlines()[:1],
                                                                   case["error"]))


CHECKS = {"decode": check_decode, "encode": check_encode, "validate": check_validate}


def main():
    groups = []
    for path in sorted(glob.glob(os.path.join(top_src, "conformance", "vectors", "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        for g in doc["groups"]:
            if g["operation"] in CHECKS:
                groups.append((os.path.basename(path), g))
    print("1..%d" % (len(groups) + 1))
    failed = 0
    total = 0
    for n, (name, g) in enumerate(groups, 1):
        fails = []
        for case in g["cases"]:
            total += 1
            CHECKS[g["operation"]](g["message"], case, params(g, case), fails)
        desc = "%s %s %s (%d cases)" % (name, g["operation"], g["message"], len(g["cases"]))
        if fails:
            failed += 1
            print("not ok %d - %s" % (n, desc))
            for fl in fails[:20]:
                print("# " + fl)
        else:
            print("ok %d - %s" % (n, desc))
    # every kind and operation the vectors use is listed by `vmwire kinds`
    rc, out, _ = run("kinds", "--json")
    listed = {(k["kind"], op) for k in json.loads(out) for op in k["operations"]} if rc == 0 else set()
    used = set()
    for path in glob.glob(os.path.join(top_src, "conformance", "vectors", "*.json")):
        with open(path) as f:
            for g in json.load(f)["groups"]:
                used.add((g["message"], g["operation"]))
    missing = sorted(used - listed)
    if missing:
        failed += 1
        print("not ok %d - vmwire kinds lists every kind and operation of the vectors # missing %s" %
              (len(groups) + 1, missing))
    else:
        print("ok %d - vmwire kinds lists every kind and operation of the vectors" % (len(groups) + 1))
    print("# %d cases; %d valid decodes re-encode to other bytes (not canonical): %s" %
          (total, len(check_decode.noncanonical), " ".join(check_decode.noncanonical)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
