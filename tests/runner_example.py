#!/usr/bin/env python3
"""The README's example testee (conformance/examples/testee_example.py) under
vmwire-conformance: it passes the ic.message decode cases it implements and
is skipped for everything else, on hand-made vectors and on the real suite."""
import collections
import glob
import os

import sys

sys.dont_write_bytecode = True  # keep the source tree clean
from runner_lib import EXAMPLE, PY, SRC, VEC, Tap, load_json, q, run, tmp

t = Tap()
testee = q(PY, EXAMPLE)
ex = os.path.join(VEC, "example-ic.json")
js = tmp("ex.json")
rc, out, err = run("--data-dir", SRC, "--strict-errors", "--testee", testee, "--json", js, ex)
t.eq(rc, 0, "the example passes its own cases")
got = {c["id"]: c["verdict"] for c in load_json(js)["cases"]}
t.eq(got, {"ex-ic-short": "pass", "ex-ic-bodiless": "pass", "ex-ic-fields": "pass", "ex-ic-type-9": "pass",
           "ex-ic-body-cut": "pass", "ex-ic-heartbeat": "skip", "ex-ic-encode": "skip"},
     "hand-made IC header cases: decoded ones pass, bodies and encode are skipped")

# The same hand-made cases against the built-in implementation, through
# vmwire-testee: all pass (the vectors and the implementation agree).
rc, out, err = run("--data-dir", SRC, "--strict-errors", "--testee", os.path.join(
    os.environ.get("top_builddir", "."), "tools", "vmwire-testee"), "--json", js, ex)
t.ok(rc == 0 and all(c["verdict"] == "pass" for c in load_json(js)["cases"]),
     "the built-in testee passes the hand-made cases", out)

# The real suite: no failure; every case that is not ic.message decode is
# skipped; the ic.message decode cases pass unless they carry a body.
real = glob.glob(os.path.join(SRC, "conformance", "vectors", "*.json"))
if not real:
    t.ok(True, "# SKIP no vectors in conformance/vectors yet")
else:
    rc, out, err = run("--data-dir", SRC, "--strict-errors", "--testee", testee, "--json", js)
    rep = load_json(js)
    t.eq((rc, rep["totals"]["fail"]), (0, 0), "the example fails no case of the real suite")
    v = collections.Counter(c["verdict"] for c in rep["cases"]
                            if (c["operation"], c["message"]) != ("decode", "ic.message"))
    t.eq(set(v), {"skip"}, "every other kind is skipped")
    dec = [c for c in rep["cases"] if (c["operation"], c["message"]) == ("decode", "ic.message")]
    if dec:
        t.ok(any(c["verdict"] == "pass" for c in dec), "some real ic.message decode cases pass")
    t.ok("Skipped entirely by the testee:" in out, "the report lists what was skipped entirely")
t.done()
