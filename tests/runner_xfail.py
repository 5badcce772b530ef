#!/usr/bin/env python3
"""--expected-failures: listed failures are xfail and do not fail the run; a
listed case that passes is an XPASS and fails the run; stale entries are
reported; the file's syntax is checked."""
import os
import xml.etree.ElementTree as ET

import sys

sys.dont_write_bytecode = True  # keep the source tree clean
from runner_lib import VEC, Tap, broken, load_json, run, tmp

t = Tap()
vec = os.path.join(VEC, "rt-basic.json")
sel = ["--case", "rt-pass-*", "--case", "rt-wrong-*", "--case", "rt-crash", "--case", "rt-garbage"]
testee = broken(vec)
xf = tmp("xfail.txt")

# Every failure listed (one by glob): the run passes, with xfails.
with open(xf, "w") as f:
    f.write("# known failures of the broken testee\n\nrt-wrong-*   # three of them\nrt-crash\n  rt-garbage  \n")
js = tmp("x1.json")
rc, out, _ = run("--data-dir", VEC, "--strict-errors", "--testee", testee, "--expected-failures", xf, "--json", js,
                 *(sel + [vec]))
rep = load_json(js)
t.eq(rc, 0, "only expected failures: exit 0")
t.eq({c["id"]: c["verdict"] for c in rep["cases"]},
     {"rt-pass-1": "pass", "rt-pass-2": "pass", "rt-wrong-output": "xfail", "rt-wrong-result": "xfail",
      "rt-wrong-error": "xfail", "rt-crash": "xfail", "rt-garbage": "xfail"}, "listed failures are xfail")
t.ok(all(c["expected_failure"] == (c["verdict"] == "xfail") for c in rep["cases"]), "JSON marks listed cases")
t.eq([(e["pattern"], e["line"], e["matched"]) for e in rep["expected_failures"]["entries"]],
     [("rt-wrong-*", 3, 3), ("rt-crash", 4, 1), ("rt-garbage", 5, 1)], "JSON: list entries and their matches")
t.ok("Expected failures (5, listed in" in out and "CONFORMANCE PASSED" in out, "human report shows xfails", out)

# A listed case that passes (XPASS) fails the run; an entry matching no
# case is reported as stale.
with open(xf, "w") as f:
    f.write("rt-wrong-*\nrt-crash\nrt-garbage\nrt-pass-1\nrt-no-such-case-*\n")
js, xml = tmp("x2.json"), tmp("x2.xml")
rc, out, _ = run("--data-dir", VEC, "--strict-errors", "--testee", testee, "--expected-failures", xf, "--json", js,
                 "--junit", xml, *(sel + [vec]))
rep = load_json(js)
t.eq(rc, 1, "an unexpected pass fails the run")
t.eq({c["id"]: c["verdict"] for c in rep["cases"]}["rt-pass-1"], "xpass", "a listed passing case is xpass")
t.eq(rep["totals"], {"cases": 7, "pass": 1, "fail": 0, "skip": 0, "xfail": 5, "xpass": 1}, "totals with xpass")
t.ok("XPASS rt-pass-1" in out and "remove it from the list" in out, "human report: XPASS with advice", out)
t.ok("1 match no case" in out and "line 5: rt-no-such-case-*" in out, "human report: stale entry", out)
root = ET.parse(xml).getroot()
t.eq((root.get("tests"), root.get("failures"), root.get("skipped")), ("7", "1", "5"),
     "JUnit: xpass is a failure, xfail a skip")
tc = {tc.get("name"): tc for tc in root.iter("testcase")}
t.eq((tc["rt-pass-1"].find("failure").get("type"), tc["rt-crash"].find("skipped").get("type")), ("xpass", "xfail"),
     "JUnit: xpass and xfail types")

# TAP: xfail and xpass as TODO directives (Automake counts them as XFAIL/XPASS).
rc, out, _ = run("--data-dir", VEC, "--tap", "--testee", testee, "--expected-failures", xf, "--case", "rt-pass-1",
                 "--case", "rt-crash", vec)
lines = out.splitlines()
t.ok(lines[1] == "ok 1 - rt-pass-1 # TODO listed as an expected failure, but passes" and
     lines[2].startswith("not ok 2 - rt-crash # TODO expected failure: testee crashed"), "TAP TODO lines", out)

# The list's syntax.
with open(xf, "w") as f:
    f.write("rt-crash rt-garbage\n")
rc, _, err = run("--data-dir", VEC, "--testee", testee, "--expected-failures", xf, vec)
t.ok(rc == 2 and ":1: one case id or glob per line" in err, "two ids on one line: exit 2", err)
rc, _, err = run("--data-dir", VEC, "--expected-failures", tmp("missing.txt"), vec)
t.ok(rc == 2 and "cannot read" in err, "a missing list: exit 2", err)
t.done()
