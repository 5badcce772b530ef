#!/usr/bin/env python3
"""vmwire-conformance with a testee that answers "skipped" for a whole
protocol: reported as such, and skipped cases do not fail the run."""
import os
import xml.etree.ElementTree as ET

import sys

sys.dont_write_bytecode = True  # keep the source tree clean
from runner_lib import VEC, Tap, broken, load_json, run, tmp

t = Tap()
files = [os.path.join(VEC, "rt-basic.json"), os.path.join(VEC, "rt-serial.json")]
js, xml = tmp("s.json"), tmp("s.xml")
rc, out, err = run("--data-dir", VEC, "--strict-errors", "--testee", broken("--honest", "--skip-protocol", "serial", *files),
                   "--json", js, "--junit", xml, *files)
t.eq(rc, 0, "skipped cases do not fail the run")
rep = load_json(js)
t.eq(rep["protocols"]["serial"], {"cases": 3, "pass": 0, "fail": 0, "skip": 3, "xfail": 0, "xpass": 0,
                                  "all_skipped": True}, "JSON: serial is skipped as a whole")
t.eq((rep["protocols"]["ic"]["pass"], rep["protocols"]["ic"]["all_skipped"]), (19, False),
     "JSON: the other protocol still runs")
t.eq({c["detail"] for c in rep["cases"] if c["verdict"] == "skip"}, {"protocol serial is not implemented"},
     "JSON: the testee's reason is kept")
t.ok("Skipped entirely by the testee:\n  protocol serial: all 3 cases skipped (protocol serial is not implemented)"
     in out, "human report says the whole protocol was skipped", out)
row = [ln.split() for ln in out.splitlines() if ln.startswith("serial ")]
t.eq(row, [["serial", "3", "0", "0", "3", "0", "0", "all", "skipped"]], "protocol table row")
t.ok("conformance: 22 cases: 19 passed, 0 failed, 3 skipped" in out and "CONFORMANCE PASSED" in out, "totals")
suites = {s.get("name"): s for s in ET.parse(xml).getroot().findall("testsuite")}
t.eq(sorted(suites), ["ic", "serial"], "JUnit: a testsuite per protocol")
ser = suites["serial"]
t.eq((ser.get("tests"), ser.get("failures"), ser.get("skipped")), ("3", "0", "3"), "JUnit: serial counts")
t.ok(all(tc.find("skipped") is not None for tc in ser.findall("testcase")), "JUnit: skipped elements")

# Selection by protocol.
rc, out, _ = run("--data-dir", VEC, "--protocol", "serial", "--list", *files)
t.eq((rc, out.split()), (0, ["rt-frame-1", "rt-frame-2", "rt-frame-3"]), "--protocol selects files of a protocol")
rc, out, _ = run("--data-dir", VEC, "--protocol", "ic,serial", "--operation", "deframe", "--list", *files)
t.eq(out.split(), ["rt-frame-1", "rt-frame-2", "rt-frame-3"], "--operation narrows the selection")
rc, out, _ = run("--data-dir", VEC, "--rules", "RT-SESS-*", "--list", *files)
t.eq(out.split(), ["rt-session-ok", "rt-session-bad"], "--rules selects by rule glob")
t.done()
