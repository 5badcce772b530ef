#!/usr/bin/env python3
"""vmwire-conformance against hostile testees (tests/runner-vectors/hostile_testee.py):
a testee that cannot start versus a case that crashes it, slow start-up,
all-skipped runs and --require, NUL bytes, closed stdout, blank-line floods,
huge answers, hostile stderr bytes and control characters; the JUnit report of
a crashing testee validated (xmllint and the JUnit schema); report paths
checked before the run; selection mistakes refused; --case-file."""
import json
import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET

import sys

sys.dont_write_bytecode = True  # keep the source tree clean
from runner_lib import PY, RUNNER, VEC, Tap, q, run, tmp

t = Tap()
vec = os.path.join(VEC, "rt-basic.json")
HOSTILE = os.path.join(VEC, "hostile_testee.py")
XSD = os.path.join(VEC, "junit.xsd")
IDS = [c["id"] for g in json.load(open(vec))["groups"] for c in g["cases"]]


def hostile(*args):
    return q(PY, HOSTILE, *(list(args) + [vec]))


def run_bytes(*args, timeout=120):
    """The runner with its raw stdout (bytes), exit status and seconds taken."""
    t0 = time.time()
    p = subprocess.run([RUNNER] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace"), time.time() - t0


def strict_json(path):
    with open(path, encoding="utf-8", errors="strict") as f:
        return json.load(f)


def by_id(rep):
    return {c["id"]: c for c in rep["cases"]}


js, xml = tmp("f.json"), tmp("f.xml")
base = ["--data-dir", VEC, "--strict-errors", "--json", js, "--junit", xml]

# 1. A case that crashes the testee fails alone: every third case request
# crashes it, the runner restarts it and goes on; every case is judged.
state = tmp("crash.count")
rc, out, _, _ = run_bytes(*(base + ["--testee", hostile("--crash-every", "3", "--state", state), vec]))
rep = strict_json(js)
faults = [by_id(rep)[i]["fault"] for i in IDS]
want = ["crash" if (k + 1) % 3 == 0 else None for k in range(len(IDS))]
t.eq(faults, want, "crash on every 3rd case: exactly those cases fail, as crashes")
t.eq((rc, rep["judged"], rep["not_run"], rep["testee_starts"]), (1, 19, 0, 7),
     "every case judged, none 'not run'; one start plus one restart per crash")
t.ok(b"CONFORMANCE FAILED (19 of 19 judged, 6 failed)" in out, "verdict line of the crashing run", out[-300:])

# Its JUnit report: well formed, errors (crashes) told apart from failures,
# valid against the JUnit schema.
root = ET.parse(xml).getroot()
t.eq((root.get("tests"), root.get("errors"), root.get("failures")), ("19", "6", "0"),
     "JUnit of the crashing run: 6 errors, 0 failures")
errs = [tc.get("name") for tc in root.iter("testcase") if tc.find("error") is not None]
t.eq(errs, [i for i, f in zip(IDS, faults) if f], "JUnit: the crashed cases are <error type=crash>")
t.ok(all(tc.find("error").get("type") == "crash" for tc in root.iter("testcase") if tc.find("error") is not None),
     "JUnit: error type is the fault")
if shutil.which("xmllint"):
    p = subprocess.run(["xmllint", "--noout", "--schema", XSD, xml], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    t.ok(p.returncode == 0, "xmllint: the JUnit report of the crashing run is valid against the JUnit schema",
         p.stdout)
else:
    t.ok(True, "xmllint: not installed # SKIP")
# The same report through a JUnit consumer (junitparser, as CI tools read it):
# the crashes are errors, not failures, and every case is there.
try:
    import junitparser
except ImportError:
    t.ok(True, "junitparser: not installed # SKIP")
else:
    kinds = {}
    n = 0
    for suite in junitparser.JUnitXml.fromfile(xml):
        for tc in suite:
            n += 1
            for r in tc.result:
                kinds[type(r).__name__] = kinds.get(type(r).__name__, 0) + 1
    t.eq((n, kinds.get("Error", 0), kinds.get("Failure", 0)), (19, 6, 0),
         "junitparser: the crashing run's report has 19 cases, 6 errors and 0 failures")

# 2. Start-up is not charged to a case: a testee needing 3 s to start passes
# under --timeout 1 (the hello has --startup-timeout), with and without hello.
rc, out, _, secs = run_bytes("--data-dir", VEC, "--timeout", "1", "--testee", hostile("--slow-start", "3"), vec)
t.ok(rc == 0 and b"CONFORMANCE PASSED\n" in out, "slow start (3 s) under --timeout 1 passes", out[-300:])
rc, out, _, _ = run_bytes("--data-dir", VEC, "--timeout", "1", "--no-hello", "--startup-timeout", "10",
                          "--case", "rt-pass-*", "--testee", hostile("--slow-start", "2"), vec)
t.ok(rc == 0 and b"CONFORMANCE PASSED" in out, "--no-hello: the first case gets --startup-timeout too", out[-300:])

# A testee that never gets ready: given up after --start-attempts, quickly;
# the cases are not run (and the run fails).
rc, out, _, secs = run_bytes(*(base + ["--startup-timeout", "1", "--start-attempts", "2",
                                       "--testee", hostile("--slow-start", "60"), vec]))
rep = strict_json(js)
t.ok(rc == 1 and secs < 20 and set(c["fault"] for c in rep["cases"]) == {"start"} and rep["testee_starts"] == 2,
     "too slow to start: 2 attempts of 1 s, then every case not run (%.1f s)" % secs, rep["cases"][0]["detail"])
t.ok("within 1 s" in rep["cases"][0]["detail"] and "startup-timeout" in rep["cases"][0]["detail"],
     "the reason names the start-up timeout", rep["cases"][0]["detail"])
rc, out, _, _ = run_bytes(*(base + ["--testee", hostile("--die-on-hello"), vec]))
rep = strict_json(js)
t.ok(rc == 1 and rep["testee_starts"] == 3 and "hello" in rep["cases"][0]["detail"] and
     "status 4" in rep["cases"][0]["detail"], "dies on the hello: cannot start", rep["cases"][0]["detail"])

# 3. Skips: a run that judged nothing never passes; --require and
# --fail-on-skip turn skips into failures; skipped cases are listed by reason.
rc, out, _, _ = run_bytes(*(base + ["--testee", hostile("--skip-all"), vec]))
t.ok(rc == 1 and out.rstrip().endswith(b"CONFORMANCE FAILED (nothing judged: 0 of 19, 19 skipped)"),
     "all skipped: FAILED, exit 1", out[-200:])
t.ok(b"Skipped by the testee (19), by reason:\n  19 cases: nothing is implemented yet\n" in out,
     "skipped cases grouped by reason", out)
rc, out, _, _ = run_bytes(*(base + ["--require", "ic", "--testee", hostile("--skip-all"), vec]))
rep = strict_json(js)
t.ok(rc == 1 and set(c["fault"] for c in rep["cases"]) == {"skipped_required"} and
     "protocol ic is required" in rep["cases"][0]["detail"], "all skipped with --require ic: every case fails",
     rep["cases"][0]["detail"])
root = ET.parse(xml).getroot()
t.eq((root.get("failures"), root.get("errors"), root.get("skipped")), ("19", "0", "0"),
     "JUnit: a required skip is a <failure>")
t.ok(b"RT-ECHO-1                12      0     12       0      0      0  FAILED (every case)" in out and
     rep["rules"]["RT-ECHO-1"]["all_failed"] is True, "rules whose cases all fail are marked", out)
t.ok(b"Failures grouped by reason (most frequent first):\n  19 cases: skipped (nothing is implemented yet), "
     b"but protocol ic is required (--require)\n" in out, "failures grouped by identical reason", out)
rc, out, _, _ = run_bytes(*(base + ["--testee", hostile("--do", "rt-pass-1=skip"), vec]))
t.ok(rc == 0 and b"CONFORMANCE PASSED (18 of 19 judged, 1 skipped)" in out, "one skip: PASSED, with the count",
     out[-200:])
t.ok(b"1 case: not <yet> & never\n      rt-pass-1\n" in out, "the skip's reason and id are listed", out)
rc, out, _, _ = run_bytes(*(base + ["--fail-on-skip", "--testee", hostile("--do", "rt-pass-1=skip"), vec]))
t.ok(rc == 1 and by_id(strict_json(js))["rt-pass-1"]["fault"] == "skipped_required", "--fail-on-skip")

# 4. Reply lines read exactly; faults named for what they are.
rc, out, _, secs = run_bytes(*(base + ["--timeout", "5", "--testee", hostile(
    "--do", "rt-pass-1=nul-line", "--do", "rt-pass-2=nul-junk", "--do", "rt-wrong-result=two-values", "--do", "rt-empty=blank-flood",
    "--do", "rt-wrong-output=ctrl-garbage", "--do", "rt-crash=hang", "--do", "rt-after-crash=huge"), vec]))
rep = strict_json(js)
c = by_id(rep)
t.ok(c["rt-pass-1"]["fault"] == "garbage" and "NUL" in c["rt-pass-1"]["detail"] and c["rt-pass-1"]["seconds"] < 2,
     "a line starting with NUL is garbage, at once (not a hang)", c["rt-pass-1"])
t.ok(c["rt-pass-2"]["fault"] == "garbage" and "NUL" in c["rt-pass-2"]["detail"],
     "an answer followed by NUL and junk is garbage", c["rt-pass-2"]["detail"])
t.ok(c["rt-wrong-result"]["fault"] == "garbage" and "end of file expected" in c["rt-wrong-result"]["detail"],
     "two JSON values on one line are garbage", c["rt-wrong-result"]["detail"])
t.ok(c["rt-empty"]["verdict"] == "pass" and c["rt-empty"]["seconds"] < 4,
     "4 MiB of blank lines before an answer: still a pass (%.2f s)" % c["rt-empty"]["seconds"], c["rt-empty"])
t.ok(c["rt-wrong-output"]["fault"] == "garbage" and "\\x1b[2J" in c["rt-wrong-output"]["detail"],
     "control sequences in garbage are shown escaped", c["rt-wrong-output"]["detail"])
t.ok(c["rt-crash"]["fault"] == "timeout" and "the runner killed it" in c["rt-crash"]["detail"] and
     c["rt-after-crash"]["fault"] == "too_long", "a hang is a timeout the runner ended; a 3 MiB answer is too_long",
     (c["rt-crash"]["detail"], c["rt-after-crash"]["detail"]))
t.ok(os.path.getsize(js) < 200000, "the huge answer is not kept in the report (%d bytes)" % os.path.getsize(js))
bad = [b for b in (b"\x1b", b"\x07", b"\x00", b"\xc2\x9b", b"\xff") if b in out]
t.eq(bad, [], "no control or invalid bytes from the testee reach the terminal")
t.eq(sum(1 for i in c.values() if i["verdict"] == "pass"), 19 - 6, "the other cases pass (the blank-flood one too)")

pidfile = tmp("closed.pid")
rc, out, _, _ = run_bytes(*(base + ["--testee", hostile("--pidfile", pidfile, "--do", "rt-pass-2=close-stdout"),
                                    vec]))
d = by_id(strict_json(js))["rt-pass-2"]
t.ok(d["fault"] == "closed_stdout" and "closed its standard output" in d["detail"] and "signal" not in d["detail"],
     "closed stdout, still running: named as such, not a crash by the runner's kill", d["detail"])
pid = int(open(pidfile).read())
gone = False
for _ in range(50):
    try:
        os.kill(pid, 0)
        if open("/proc/%d/stat" % pid).read().split(")")[1].split()[0] == "Z":
            raise ProcessLookupError
    except (ProcessLookupError, FileNotFoundError):
        gone = True
        break
    time.sleep(0.1)
t.ok(gone, "the testee that closed its stdout was stopped")
t.eq(by_id(strict_json(js))["rt-empty"]["verdict"], "pass", "the run goes on after a closed stdout")

# 5. Hostile stderr bytes and names: reports stay well-formed.
rdir = tmp("R&D <x>")
os.makedirs(rdir)
doc = json.load(open(vec))
doc["groups"] = [doc["groups"][0]]
doc["groups"][0]["message"] = "ic.R&D<\"x'>"
rvec = os.path.join(rdir, "r&d<1>.json")
json.dump(doc, open(rvec, "w"))
rc, out, _, _ = run_bytes(*(base + ["--stderr-limit", "100000", "--testee", q(
    PY, HOSTILE, "--do", "rt-wrong-output=bad-stderr", rvec), rvec]))
root = ET.parse(xml).getroot()  # raises (a failed test) if not well-formed
tc = [x for x in root.iter("testcase") if x.get("name") == "rt-wrong-output"][0]
t.eq(tc.get("classname"), "ic.r&d<1>", "JUnit: names with markup characters are escaped")
t.ok("\ufffd" in tc.find("system-err").text and "R&D" in tc.find("system-err").text,
     "JUnit: bad stderr bytes are replaced, markup escaped", tc.find("system-err").text)
if shutil.which("xmllint"):
    p = subprocess.run(["xmllint", "--noout", "--schema", XSD, xml], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    t.ok(p.returncode == 0, "xmllint: JUnit with hostile stderr and names is valid", p.stdout)
else:
    t.ok(True, "xmllint: not installed # SKIP")
e = by_id(strict_json(js))["rt-wrong-output"]
t.ok("\ufffd" in e["stderr"] and "output.length differs: expected 2, got 99" in e["detail"] and
     "output.why differs" in e["detail"], "JSON: valid UTF-8; the diff names every differing member", e["detail"])
bad = [b for b in (b"\x1b", b"\x07", b"\x00", b"\xc2\x9b", b"\xe2\x80\xae", b"\xff") if b in out]
t.eq(bad, [], "the terminal gets no control bytes from a hostile answer")
rc, out, _, _ = run_bytes(*(base + ["--stderr-limit", "16", "--testee", q(
    PY, HOSTILE, "--do", "rt-wrong-output=bad-stderr", rvec), rvec]))
e = by_id(strict_json(js))["rt-wrong-output"]["stderr"]
t.ok(e.startswith("[vmwire-conformance: ") and "earlier bytes of stderr not kept (--stderr-limit 16)" in e,
     "--stderr-limit: the cut is noted", e)

# 6. Report paths are checked before anything runs.
marker = tmp("started")
starter = "touch %s; %s" % (q(marker), hostile())
for opt, path in (("--junit", "/nonexistent-dir/r.xml"), ("--json", rdir),
                  ("--write-failures", "/proc/no/such"), ("--coverage", "/nonexistent-dir/c.txt")):
    rc, out, err, _ = run_bytes("--data-dir", VEC, opt, path, "--testee", starter, vec)
    t.ok(rc == 2 and "cannot write" in err and not os.path.exists(marker) and out == b"",
         "unwritable %s: exit 2 before the testee starts" % opt, err)
keep = tmp("keep.json")
open(keep, "w").write("old")
rc, _, err, _ = run_bytes("--data-dir", VEC, "--json", keep, "--junit", "/nonexistent-dir/r.xml", vec)
t.ok(rc == 2 and open(keep).read() == "old", "a good report path is left untouched when another is bad")

# 7. Selection mistakes exit 2.
empty = tmp("empty")
os.makedirs(empty)
wrong = tmp("wrong.json")
d2 = json.load(open(vec))
d2["groups"][0]["cases"][0]["input"] = 5
json.dump(d2, open(wrong, "w"))
d3 = json.load(open(vec))
d3["groups"][0]["cases"][0]["input"] = "0G"
odd = tmp("odd.json")
json.dump(d3, open(odd, "w"))
for args, msg in ((["--data-dir", VEC, empty], "a directory without vector files"),
                  (["--data-dir", empty], "a directory without vector files"),
                  (["--data-dir", VEC, "--expected-failures", empty, vec], "a directory, not a list"),
                  (["--data-dir", VEC, wrong], "\"input\" of a decode case must be a lowercase hex string"),
                  (["--data-dir", VEC, odd], "\"input\" of a decode case must be a lowercase hex string"),
                  (["--data-dir", VEC, "--require", "serial", vec], "--require serial: no loaded vector file"),
                  (["--data-dir", VEC, "--case-file", empty, vec], "a directory, not a list")):
    if args == ["--data-dir", empty]:
        os.makedirs(os.path.join(empty, "conformance", "vectors"), exist_ok=True)
    rc, out, err, _ = run_bytes(*args)
    t.ok(rc == 2 and msg in err, "exit 2: %s" % msg, "rc=%d\n%s" % (rc, err))

# 8. --case-file reruns exactly what --write-failures wrote.
fails = tmp("fails.txt")
broken = q(PY, os.path.join(os.path.dirname(VEC), "broken_testee.py"), vec)
rc, _, _, _ = run_bytes("--data-dir", VEC, "--timeout", "1", "--strict-errors", "--testee", broken,
                        "--write-failures", fails, vec)
listed = [ln.split()[0] for ln in open(fails) if ln.strip() and not ln.startswith("#")]
rc, out, _, _ = run_bytes("--data-dir", VEC, "--list", "--case-file", fails, vec)
t.ok(rc == 0 and out.decode().split() == listed and len(listed) == 11, "--case-file selects exactly the failures",
     out)
stale = tmp("stale.txt")
open(stale, "w").write("rt-pass-1\nno-such-case  # gone\n")
rc, _, err, _ = run_bytes("--data-dir", VEC, "--list", "--case-file", stale, vec)
t.ok(rc == 2 and "no-such-case matches no loaded case" in err, "--case-file: an unknown id is an error", err)
t.done()
