#!/usr/bin/env python3
"""The testee interface end to end: the golden vectors give the same verdict
per case in process and through vmwire-testee over JSON Lines, and the
report files of the real suite are well formed."""
import os
import xml.etree.ElementTree as ET

import sys

sys.dont_write_bytecode = True  # keep the source tree clean
from runner_lib import BUILD, SRC, Tap, load_json, run, tmp

t = Tap()
a, b, xml, cov = tmp("in.json"), tmp("out.json"), tmp("out.xml"), tmp("cov.txt")
rc1, _, err1 = run("--data-dir", SRC, "--strict-errors", "--json", a, "--quiet")
rc2, _, err2 = run("--data-dir", SRC, "--strict-errors", "--testee", os.path.join(BUILD, "tools", "vmwire-testee"),
                   "--json", b, "--junit", xml, "--coverage", cov, "--quiet")
t.ok(rc1 in (0, 1) and rc2 in (0, 1) and os.path.exists(a) and os.path.exists(b),
     "both runs complete and write their reports", (err1 + err2)[-3000:])
ra, rb = load_json(a), load_json(b)
va = {c["id"]: (c["verdict"], c["detail"]) for c in ra["cases"]}
vb = {c["id"]: (c["verdict"], c["detail"]) for c in rb["cases"]}
diff = {k: (va.get(k), vb.get(k)) for k in set(va) | set(vb) if va.get(k) != vb.get(k)}
t.eq(diff, {}, "same verdict and reason for every case in process and over the pipe")
t.eq(rc1, rc2, "same exit status")
t.eq(rb["totals"]["cases"], ra["loaded_cases"], "every loaded case ran")
root = ET.parse(xml).getroot()
n = sum(int(s.get("tests")) for s in root.findall("testsuite"))
t.eq((int(root.get("tests")), n, len(list(root.iter("testcase")))), (rb["totals"]["cases"],) * 3,
     "JUnit counts agree with the JSON report")
t.eq(sorted(s.get("name") for s in root.findall("testsuite")), sorted(rb["protocols"]),
     "JUnit: a testsuite per protocol")
lines = open(cov).read().splitlines()
declared = rb["coverage"]["declared"]
rule_lines = [ln for ln in lines if ln.startswith("  ")]
t.eq(len(rule_lines), declared, "coverage table: one line per declared rule")
t.eq(sum("UNCOVERED" in ln for ln in rule_lines), len(rb["coverage"]["uncovered"]),
     "coverage table: uncovered rules marked")
t.done()
