#!/usr/bin/env python3
"""vmwire-conformance against a deliberately broken testee: exactly the
expected failures, each with the right fault; the run goes on after a crash,
an exit, a hang, garbage, an out-of-order answer and extra output; the hung
testee is killed; the JSON, JUnit, coverage and TAP reports agree."""
import os
import time
import xml.etree.ElementTree as ET

import sys

sys.dont_write_bytecode = True  # keep the source tree clean
from runner_lib import VEC, Tap, broken, load_json, run, tmp

t = Tap()
vec = os.path.join(VEC, "rt-basic.json")
pidfile = tmp("hang.pid")
js, xml, cov, fails = tmp("r.json"), tmp("r.xml"), tmp("cov.txt"), tmp("failures.txt")
rc, out, err = run("--data-dir", VEC, "--timeout", "2", "--strict-errors",
                   "--testee", broken("--pidfile", pidfile, vec), "--json", js, "--junit", xml,
                   "--coverage", cov, "--write-failures", fails, vec)
t.eq(rc, 1, "a run with failures exits 1")

# What the broken testee does to each case (see tests/broken_testee.py), and
# what the runner must make of it.
want = {
    "rt-pass-1": ("pass", None), "rt-pass-2": ("pass", None), "rt-empty": ("pass", None),
    "rt-wrong-output": ("fail", "mismatch"), "rt-wrong-result": ("fail", "mismatch"),
    "rt-wrong-error": ("fail", "mismatch"), "rt-crash": ("fail", "crash"),
    "rt-after-crash": ("pass", None), "rt-exit": ("fail", "exit"), "rt-hang": ("fail", "timeout"),
    "rt-after-hang": ("pass", None), "rt-garbage": ("fail", "garbage"),
    "rt-order": ("fail", "out_of_order"), "rt-extra": ("fail", "extra_output"),
    "rt-no-result": ("fail", "bad_answer"), "rt-acceptable-valid": ("pass", None),
    "rt-acceptable-invalid": ("pass", None), "rt-session-ok": ("pass", None),
    "rt-session-bad": ("fail", "mismatch"),
}
rep = load_json(js)
got = {c["id"]: (c["verdict"], c["fault"]) for c in rep["cases"]}
t.eq(got, want, "every case has the expected verdict and fault")
t.eq([c["id"] for c in rep["cases"]], [c["id"] for g in load_json(vec)["groups"] for c in g["cases"]],
     "cases are reported in file order")
t.eq(rep["totals"], {"cases": 19, "pass": 8, "fail": 11, "skip": 0, "xfail": 0, "xpass": 0}, "JSON totals")
t.eq((rep["result"], rep["exit_status"], rep["strict_errors"]), ("failed", 1, True), "JSON run metadata")
byid = {c["id"]: c for c in rep["cases"]}
crash = byid["rt-crash"]
t.ok("signal 11" in crash["detail"] and "about to crash on purpose" in crash["detail"],
     "a crash names the signal and the testee's last stderr line", crash["detail"])
t.ok("about to crash on purpose" in (crash.get("stderr") or ""), "the case keeps the testee's stderr")
t.ok("status 3" in byid["rt-exit"]["detail"], "an exit names the status", byid["rt-exit"]["detail"])
t.ok("within 2 s" in byid["rt-hang"]["detail"], "a hang names the timeout", byid["rt-hang"]["detail"])
t.ok(byid["rt-session-bad"]["detail"].startswith("step 1:"), "a session failure names its step",
     byid["rt-session-bad"]["detail"])
t.ok("output.length" in byid["rt-wrong-output"]["detail"], "an output mismatch names the field",
     byid["rt-wrong-output"]["detail"])
t.eq(byid["rt-pass-1"]["request"], {"id": "rt-pass-1", "operation": "decode", "message": "ic.rt_echo",
                                    "input": "0102"}, "the request sent is in the report")
t.eq(byid["rt-pass-1"]["response"], {"id": "rt-pass-1", "result": "valid", "output": {"length": 2}},
     "the response received is in the report")
t.eq(byid["rt-session-ok"]["request"]["steps"], [{"input": "01"}, {"input": ""}],
     "session steps are sent without their expectations")
t.eq(byid["rt-session-ok"]["request"]["role"], "guest", "group parameters are sent with each request")
t.eq(rep["rules"]["RT-ECHO-2"]["cases"], ["rt-empty", "rt-wrong-result", "rt-wrong-error"], "rule -> cases")
t.eq(rep["coverage"]["uncovered"], ["RT-FRAME-1", "RT-UNCOVERED-1"], "uncovered rules (rt-serial.json not loaded)")
t.eq(rep["coverage"]["checked_outside"], ["RT-FRAME-1"],
     "uncovered rules listed under 'Rules checked outside the vectors' (that section only, covered rules aside)")
t.eq([r for r in sorted(rep["rules"]) if rep["rules"][r]["checked_outside"]], ["RT-ECHO-1", "RT-FRAME-1"],
     "rules marked checked_outside, covered or not")

# The hung testee (a grandchild under sh, or python itself) must be gone.
alive = True
pid = int(open(pidfile).read()) if os.path.exists(pidfile) else None
for _ in range(50):
    try:
        os.kill(pid, 0)
        with open("/proc/%d/stat" % pid) as f:
            if f.read().split(")")[1].split()[0] == "Z":
                raise ProcessLookupError
    except (ProcessLookupError, FileNotFoundError, TypeError):
        alive = False
        break
    time.sleep(0.1)
t.ok(pid is not None and not alive, "the hung testee was killed")

# Human report: failures first, then tables, then totals.
i_fail, i_proto, i_rule, i_tot = (out.find("FAILURES (11)"), out.find("\nprotocol "), out.find("\nspec rule "),
                                  out.find("conformance: 19 cases: 8 passed, 11 failed, 0 skipped"))
t.ok(0 <= i_fail < i_proto < i_rule < i_tot, "human report order: failures, tables, totals", out)
t.ok(out.rstrip().endswith("CONFORMANCE FAILED (19 of 19 judged, 11 failed)"), "human report ends with the verdict",
     out[-300:])
t.ok("  FAIL  rt-wrong-result  (decode ic.rt_echo; %s; rules [\"RT-ECHO-2\"])\n"
     "        expected invalid (truncated), got valid\n"
     "        request: {\"input\":\"\"}\n"
     "        RT-ECHO-2 (spec/rt.md:11): An empty input is truncated.\n" % vec in out,
     "a failure names kind, file and rules, the reason, and quotes the rule", out)
t.ok("        RT-SESS-1 (spec/rt.md:14): A session answers one result per step, in the order of its steps "
     "(e.g. step 0 first).\n" in out, "a rule is quoted by its whole first sentence, over several lines", out)
t.ok("Failures grouped by reason" not in out, "no grouping section when no reason repeats")
t.ok("uncovered in spec/rt.md (2):" in out and "RT-UNCOVERED-1" in out, "human report lists uncovered rules")
t.ok("  not listed under \"Rules checked outside the vectors\" in their spec either, so checked nowhere the spec "
     "names (1):\n    RT-UNCOVERED-1\n" in out, "human report names the uncovered rules no spec section lists", out)

# JUnit XML.
root = ET.parse(xml).getroot()
t.eq((root.tag, root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")),
     ("testsuites", "19", "4", "7", "0"), "JUnit totals: wrong answers are failures, testee faults errors")
suites = root.findall("testsuite")
t.eq([s.get("name") for s in suites], ["ic"], "JUnit: one testsuite per protocol")
tcs = suites[0].findall("testcase")
t.eq(len(tcs), 19, "JUnit: one testcase per case")
t.eq(sorted(tc.get("name") for tc in tcs if tc.find("failure") is not None),
     sorted(k for k, v in want.items() if v[1] == "mismatch"), "JUnit: the wrong answers are <failure>")
t.eq(sorted(tc.get("name") for tc in tcs if tc.find("error") is not None),
     sorted(k for k, v in want.items() if v[0] == "fail" and v[1] != "mismatch"), "JUnit: the testee faults are <error>")
t.eq({tc.get("name"): tc.get("classname") for tc in tcs}["rt-crash"], "ic.rt-basic",
     "JUnit classname is protocol.vector-file")
tc = [tc for tc in tcs if tc.get("name") == "rt-crash"][0]
t.eq([(p.get("name"), p.get("value")) for p in tc.find("properties")],
     [("rule", "RT-ECHO-1"), ("rule", "RT-ECHO-3"), ("operation", "decode"), ("message", "ic.rt_echo"),
      ("vector_file", vec)], "JUnit: the rules are testcase properties")
f = tc.find("error")
t.ok(f is not None and f.get("type") == "crash" and "signal 11" in f.get("message"), "JUnit error carries type and reason")
t.eq(suites[0].get("errors"), "7", "JUnit testsuite counts errors")

# Coverage table.
c = open(cov).read()
t.ok("RT-UNCOVERED-1" in c and "UNCOVERED" in c.split("RT-UNCOVERED-1")[1].split("\n")[0],
     "coverage: an uncovered rule is marked", c)
t.ok("(checked outside the vectors)" in c.split("RT-FRAME-1")[1].split("\n")[0] and
     "(checked outside the vectors)" not in c.split("RT-UNCOVERED-1")[1].split("\n")[0],
     "coverage: an uncovered rule the spec lists as checked outside is marked so, and only that one", c)
t.ok("# 1 of the uncovered rules are listed under" in c, "coverage: the count of such rules in the header", c)
line = [ln for ln in c.splitlines() if ln.strip().startswith("RT-SESS-1")]
t.ok(line and line[0].split()[1:] == ["2", "rt-session-ok", "rt-session-bad"], "coverage: rule, count, cases", c)
t.ok("RT-NOT-A-RULE" not in c and "RT-ECHO-9" not in c, "coverage: no rule from code blocks or running text")

# --write-failures gives exactly the failing ids.
ids = [ln.split()[0] for ln in open(fails) if ln.strip() and not ln.startswith("#")]
t.eq(sorted(ids), sorted(k for k, v in want.items() if v[0] == "fail"), "--write-failures lists the failures")

# Without --strict-errors a different error name is not a failure.
rc, out, _ = run("--data-dir", VEC, "--testee", broken(vec), "--case", "rt-wrong-*", "--verbose", vec)
t.ok(rc == 1 and "pass  rt-wrong-error" in out and "fail  rt-wrong-result" in out,
     "error names are compared only with --strict-errors", out)

# TAP output: one line per case, the plan first.
rc, out, _ = run("--data-dir", VEC, "--tap", "--testee", broken(vec), "--case", "rt-pass-*", "--case",
                 "rt-wrong-output", "--case", "rt-extra", vec)
lines = out.splitlines()
t.eq(lines[:5], ["1..4", "ok 1 - rt-pass-1", "ok 2 - rt-pass-2",
                 "not ok 3 - rt-wrong-output: output.length differs: expected 2, got 3",
                 "not ok 4 - rt-extra: testee printed more than one line for this request: "
                 '{"result": "valid", "output": {"length": 1}, "id": "rt-extra"}'], "TAP lines")
t.ok(rc == 1 and all(ln.startswith("# ") for ln in lines[5:]), "TAP: the report follows as comments")

# A testee that exits at start cannot start: after --start-attempts (3)
# failed hellos the runner gives up, and every case fails as not run.
rc, out, _ = run("--data-dir", VEC, "--testee", "echo starting up >&2; exit 3", "--json", js, vec)
rep = load_json(js)
faults = [c["fault"] for c in rep["cases"]]
t.ok(rc == 1 and set(faults) == {"start"} and "not run" in rep["cases"][5]["detail"] and
     "hello" in rep["cases"][0]["detail"] and "status 3" in rep["cases"][0]["detail"],
     "a testee that exits at start: every case not run", rep["cases"][0]["detail"])
t.eq((rep["testee_starts"], rep["not_run"], rep["judged"]), (3, 19, 0), "three starts, nothing judged")
t.ok("19 cases were not run" in out and "CONFORMANCE FAILED (nothing judged: 0 of 19, 19 failed (19 of them not run))"
     in out, "the report says the cases were not run", out[-400:])
rc, out, _ = run("--data-dir", VEC, "--testee", "/nonexistent/testee", "--json", js, "--case", "rt-pass-1", vec)
t.ok(rc == 1 and "127" in load_json(js)["cases"][0]["detail"], "a testee that cannot start", out)
t.done()
