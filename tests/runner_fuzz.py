#!/usr/bin/env python3
"""vmwire-conformance --fuzz: against vmwire-testee (the reference over the
pipe) nothing is found; each planted bug (tests/runner-vectors/
planted_testee.py) is found within a stated budget and written as a small
vector file that the runner loads, that the built-in implementation passes
and that the planted testee fails; a run is deterministic for a seed."""
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
from runner_lib import BUILD, PY, SRC, TESTEE, Tap, load_json, q, run, tmp

t = Tap()
PLANTED = os.path.join(SRC, "tests", "runner-vectors", "planted_testee.py")


def planted(bug):
    return q(PY, PLANTED, bug, TESTEE)


# Nothing found against the reference itself: every kind, a small budget.
rc, out, err = run("--data-dir", SRC, "--strict-errors", "--testee", TESTEE, "--fuzz", "8", timeout=600)
t.ok(rc == 0 and "FUZZ PASSED" in out, "vmwire-testee: no disagreement in 8 requests of every kind",
     out[-3000:] + err[-2000:])
t.ok("decode    crosvm.seed.MainRequest" in out and "dispatch  bridge.amd64" in out and
     "deframe   serial.stream" in out and "session   ic.packet" in out,
     "the summary lists every kind, one line each", out[-3000:])

# Each planted bug, its selection and budget (requests per kind).
# The last member is the most input bytes the smallest written case may have:
# five empty devices and a two-byte field; two oneof members; a negotiate
# packet offering at most four versions (8 + 20 + 8 + 4 * 4 bytes, padded).
BUGS = [
    # (capacity: the golden cases of serial-vmm-config.json only, so that cases added
    # elsewhere do not change which requests seed 1 draws within the budget)
    ("capacity", ["--message", "serial.VmmConfig", "--operation", "decode", "--case", "ser-vc-*"], 40,
     lambda c: c.get("error") == "capacity", 12),
    ("oneof", ["--message", "crosvm.seed.MainRequest", "--operation", "decode"], 40,
     lambda c: c.get("result") == "valid", 16),
    ("mask", ["--protocol", "bridge"], 80, lambda c: c["input"].get("mode") == 32, None),
    ("version", ["--message", "ic.packet", "--operation", "respond"], 60, lambda c: c["input"][24:28] == "0000", 56),  # type 0: negotiation
    # only a mutated send step shows it (no golden send holds two oneof members)
    # (the golden sessions of crosvm-seed-session.json as the base: the
    # budget then does not depend on how many other session vectors exist)
    ("sendoneof", ["--message", "crosvm.seed.MainResponse", "--operation", "session", "--case", "cv-s-ses-plugin*"], 60,
     lambda c: any(isinstance(s.get("send"), str) for s in c.get("steps", [])), None),
]
for bug, sel, budget, rule, max_bytes in BUGS:
    out_file = tmp("fuzz-%s.json" % bug)
    rc, out, err = run("--data-dir", SRC, "--strict-errors", "--testee", planted(bug), "--fuzz", str(budget),
                       "--fuzz-out", out_file, *sel, timeout=600)
    if not t.ok(rc == 1 and "FUZZ FAILED" in out and os.path.exists(out_file),
                "%s: found within %d requests, exit 1, vector file written" % (bug, budget),
                out[-3000:] + err[-2000:]):
        continue
    doc = load_json(out_file)
    cases = [c for g in doc["groups"] for c in g["cases"]]
    t.ok(len(cases) >= 1 and all("seed 1" in c["comment"] and "generator" in c["comment"] for c in cases),
         "%s: %d minimised cases, each naming seed and generator" % (bug, len(cases)))
    t.ok(all(c["rules"] for c in cases) and any(rule(c) for c in cases),
         "%s: the cases cite their golden case's rules, and one shows the planted bug" % bug, json.dumps(cases)[:2000])
    # Minimal: the smallest hex input found is short.
    sizes = [len(c["input"]) // 2 for c in cases if isinstance(c.get("input"), str)]
    if sizes:
        t.ok(min(sizes) <= max_bytes, "%s: the smallest case has %d input bytes (%d or fewer)" % (bug, min(sizes), max_bytes),
             json.dumps(cases)[:2000])
    elif bug == "mask":
        regs = [len(c["input"]["registers"]) for c in cases]
        t.ok(min(regs) <= 2, "mask: the smallest case sets %d registers (2 or fewer)" % min(regs),
             json.dumps(cases)[:2000])
    sc = subprocess.run([PY, os.path.join(SRC, "conformance", "check_schema.py"), "--data-dir", SRC, out_file],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    t.ok(sc.returncode == 0, "%s: the written file follows vectors.schema.json" % bug, sc.stdout[-2000:])
    # The file is a valid vector file: the reference passes it, the planted testee fails every case.
    rc1, out1, err1 = run("--data-dir", SRC, "--strict-errors", out_file)
    t.ok(rc1 == 0 and "CONFORMANCE PASSED" in out1, "%s: the built-in implementation passes the written file" % bug,
         out1[-2000:] + err1[-2000:])
    rc2, out2, err2 = run("--data-dir", SRC, "--strict-errors", "--testee", planted(bug), "--quiet", out_file)
    t.ok(rc2 == 1 and ("%d failed" % len(cases)) in out2, "%s: the planted testee fails every written case" % bug,
         out2[-2000:] + err2[-2000:])

# Deterministic for a seed; another seed draws other requests.
outs = []
for seed in ("7", "7", "8"):
    f = tmp("det-%d.json" % len(outs))
    run("--data-dir", SRC, "--strict-errors", "--testee", planted("mask"), "--protocol", "bridge", "--fuzz", "30",
        "--seed", seed, "--fuzz-out", f)
    outs.append(open(f).read() if os.path.exists(f) else None)
t.ok(outs[0] is not None and outs[0] == outs[1], "the same seed writes the same file")
t.ok(outs[2] is not None and outs[2] != outs[0], "another seed writes another file")

# Disagreements in two protocols: one file per protocol.
base = tmp("two.json")
rc, out, err = run("--data-dir", SRC, "--strict-errors", "--testee", planted("oneof,mask"), "--fuzz", "20",
                   "--protocol", "crosvm,bridge", "--operation", "decode", "--fuzz-out", base)
t.ok(rc == 1 and os.path.exists(base) and load_json(base)["protocol"] == "crosvm",
     "one protocol disagreeing: FILE itself", out[-2000:] + err[-1000:])
rc3, out3, err3 = run("--data-dir", SRC, "--strict-errors", "--testee", planted("oneof,mask"), "--fuzz", "80",
                      "--message", "crosvm.seed.MainRequest", "--message", "bridge.*", "--fuzz-out", tmp("both.json"))
t.ok(rc3 == 1 and load_json(tmp("both.crosvm.json"))["protocol"] == "crosvm" and
     load_json(tmp("both.bridge.json"))["protocol"] == "bridge" and not os.path.exists(tmp("both.json")),
     "two protocols disagreeing: FILE.crosvm.json and FILE.bridge.json", out3[-2000:] + err3[-1000:])

# --fuzz-time bounds a run that N alone would make long; --message selects.
import time
t0 = time.time()
rc, out, err = run("--data-dir", SRC, "--strict-errors", "--testee", TESTEE, "--fuzz", "100000000", "--fuzz-time", "2",
                   "--message", "serial.*", timeout=120)
t.ok(rc == 0 and "FUZZ PASSED" in out and time.time() - t0 < 30, "--fuzz-time 2 ends the run in time",
     out[-2000:] + err[-1000:])
kinds = [l.split()[1] for l in out.splitlines() if l.startswith("  ") and len(l.split()) == 6 and
         l.split()[0] in ("decode", "encode", "validate", "deframe")]
t.ok(kinds and all(k.startswith("serial.") for k in kinds), "--message serial.* fuzzes only serial kinds", out[-2000:])

# Usage errors.
rc, _, err = run("--data-dir", SRC, "--fuzz", "0")
t.eq(rc, 2, "--fuzz 0 is a usage error")
rc, _, err = run("--data-dir", SRC, "--fuzz-out", tmp("x.json"))
t.eq(rc, 2, "--fuzz-out without --fuzz is a usage error")
rc, _, err = run("--data-dir", SRC, "--fuzz", "5", "--fuzz-out", tmp(""))
t.eq(rc, 2, "an unwritable --fuzz-out is refused before the run")
rc, _, err = run("--data-dir", SRC, "--fuzz", "5", "--json", tmp("r.json"))
t.ok(rc == 2 and "--fuzz-out" in err, "--fuzz with a vector-run report is a usage error", err)
t.done()
