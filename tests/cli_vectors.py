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
- validate cases: `vmwire validate` gives the vector's result and error;
- respond, session, deframe and dispatch cases: the raw request through
  `vmwire request -` gives the vector's answer, and `vmwire frames` yields
  each deframe case's frames and errors.
One TAP line per (file, operation, kind) group, with the failures listed.
"""
import concurrent.futures
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
        if rc == 1 and err.startswith("invalid: too_long ") and kind.startswith("serial.") and len(hexin) // 2 > 600:
            return  # decoded without the 600-byte limit (micropb), which every encoder applies (SER-CAP-7)
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


def step_matches(want, got):
    if want.get("result") == "acceptable":
        return got.get("result") in ("valid", "invalid")
    if got.get("result") != want.get("result"):
        return False
    if "output" in want and got.get("output") != want["output"]:
        return False
    if want.get("result") == "invalid" and got.get("error") != want.get("error"):
        return False
    return True


def check_request(kind, case, group, fails):
    """respond, session, deframe, dispatch: the raw request through `vmwire request -`."""
    skip = {"id", "rules", "comment", "flags", "result", "output", "error", "cases", "steps"}
    req = {k: v for src in (group, case) for k, v in src.items() if k not in skip}
    req["id"] = case["id"]
    if "steps" in case:
        req["steps"] = [{k: v for k, v in st.items() if k not in ("result", "output", "error")}
                        for st in case["steps"]]
    p = subprocess.run([VMWIRE, "request", "-"], input=json.dumps(req), capture_output=True, text=True,
                       errors="replace")
    if "steps" in case:
        if p.returncode != 0:
            fails.append("%s: session exit %d: %s" % (case["id"], p.returncode, p.stderr.strip()))
            return
        got = json.loads(p.stdout)
        if len(got) != len(case["steps"]) or not all(step_matches(w, g) for w, g in zip(case["steps"], got)):
            fails.append("%s: session steps differ" % case["id"])
        return
    got = {"result": {0: "valid", 1: "invalid"}.get(p.returncode, "skipped")}
    if p.returncode == 0:
        # a string output (hex) is printed bare, anything else as JSON
        text = p.stdout[:-1] if p.stdout.endswith("\n") else p.stdout
        got["output"] = text if isinstance(case.get("output"), str) else json.loads(text)
    elif p.returncode == 1:
        got["error"] = p.stderr.split()[1] if p.stderr.startswith("invalid: ") else None
        if p.stdout.strip():
            got["output"] = json.loads(p.stdout)
    if not step_matches(case, got):
        fails.append("%s: request answered %s" % (case["id"], json.dumps(got)[:200]))
        return
    if group["operation"] == "deframe" and kind == "serial.stream" and case["result"] == "valid":
        check_frames(group, case, fails)


def check_frames(group, case, fails):
    """`vmwire frames` yields the deframe vector's frames and errors."""
    args = ["frames", "--raw"] + case["input"]
    for opt in ("policy", "limit", "check", "decoder", "empty"):
        v = case.get(opt, group.get(opt))
        if v is not None:
            args += ["--" + opt, str(v)]
    if not case["input"]:
        args += [""]
    rc, out, err = run(*args)
    want_frames = [e["frame"] for e in case["output"] if "frame" in e]
    want_errors = [e["error"] for e in case["output"] if "error" in e]
    lines = out.splitlines()
    frames = [lines[i + 1].strip() for i, l in enumerate(lines) if l.startswith("frame ") and i + 1 < len(lines)]
    errors = [l.split(": ")[1].split(",")[0] for l in lines if l.startswith("error at offset")]
    if frames != want_frames or errors != want_errors:
        fails.append("%s: vmwire frames gave frames %s errors %s" % (case["id"], frames, errors))
    elif rc != (1 if want_errors else 0) and rc != 1:
        fails.append("%s: vmwire frames exit %d" % (case["id"], rc))


CHECKS = {"decode": check_decode, "encode": check_encode, "validate": check_validate}


def main():
    groups = []
    for path in sorted(glob.glob(os.path.join(top_src, "conformance", "vectors", "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        for g in doc["groups"]:
            groups.append((os.path.basename(path), g))
    print("1..%d" % (len(groups) + 1))

    def judge(item):
        name, g = item
        fails = []
        for case in g["cases"]:
            if g["operation"] in CHECKS:
                CHECKS[g["operation"]](g["message"], case, params(g, case), fails)
            else:
                check_request(g["message"], case, g, fails)
        return fails

    # The groups are independent: judged side by side (one vmwire process
    # per worker at a time), reported in file order.
    jobs = int(os.environ.get("CLI_VECTORS_JOBS", "0")) or os.cpu_count() or 1
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        verdicts = list(pool.map(judge, groups))
    failed = 0
    total = 0
    for n, ((name, g), fails) in enumerate(zip(groups, verdicts), 1):
        total += len(g["cases"])
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
          (total, len(check_decode.noncanonical), " ".join(sorted(check_decode.noncanonical))))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
