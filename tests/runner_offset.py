#!/usr/bin/env python3
"""Fault offsets and the output of an invalid answer: with --strict-errors an
expected "offset" is compared when the answer carries one (an answer without
it is not failed, a different one is), an expected "output" of an invalid
case is compared like a valid one's; "offset" on a non-invalid expectation
is a vector error."""
import json
import os
import subprocess

import sys

sys.dont_write_bytecode = True  # keep the source tree clean
from runner_lib import PY, SRC, VEC, Tap, load_json, q, run, tmp

t = Tap()

# A testee answering each case id with a fixed answer from a JSON file.
TESTEE = tmp("canned_testee.py")
with open(TESTEE, "w") as f:
    f.write("import json, sys\n"
            "answers = json.load(open(sys.argv[1]))\n"
            "for line in sys.stdin:\n"
            "    req = json.loads(line)\n"
            "    if req.get('operation') == 'hello':\n"
            "        print(json.dumps({'id': req['id'], 'result': 'valid', 'output': {}}), flush=True)\n"
            "        continue\n"
            "    ans = dict(answers[req['id']])\n"
            "    ans['id'] = req['id']\n"
            "    print(json.dumps(ans), flush=True)\n")


def case(cid, expect, comment="runner test"):
    c = {"id": cid, "rules": ["RT-ECHO-2"], "comment": comment, "input": ""}
    c.update(expect)
    return c


TRUNC0 = {"result": "invalid", "error": "truncated", "offset": 0}
cases = [
    (case("off-same", TRUNC0), {"result": "invalid", "error": "truncated", "offset": 0}, "pass"),
    (case("off-omitted", TRUNC0), {"result": "invalid", "error": "truncated"}, "pass"),
    (case("off-wrong", TRUNC0), {"result": "invalid", "error": "truncated", "offset": 3}, "fail"),
    (case("off-not-number", TRUNC0), {"result": "invalid", "error": "truncated", "offset": "0"}, "fail"),
    (case("off-unasked", {"result": "invalid", "error": "truncated"}),
     {"result": "invalid", "error": "truncated", "offset": 7}, "pass"),
    (case("out-same", {"result": "invalid", "error": "truncated", "output": "0a0b"}),
     {"result": "invalid", "error": "truncated", "output": "0a0b"}, "pass"),
    (case("out-differs", {"result": "invalid", "error": "truncated", "output": "0a0b"}),
     {"result": "invalid", "error": "truncated", "output": "0a0c"}, "fail"),
    (case("out-missing", {"result": "invalid", "error": "truncated", "output": "0a0b"}),
     {"result": "invalid", "error": "truncated"}, "fail"),
]
doc = {"protocol": "ic", "spec": "spec/rt.md", "version": 1, "comment": "offset tests",
       "groups": [{"operation": "decode", "message": "ic.rt_echo", "cases": [c for c, _, _ in cases]},
                  {"operation": "session", "message": "ic.rt_echo", "cases": [
                      {"id": "sess-off-wrong", "rules": ["RT-SESS-1"], "comment": "a step's offset differs",
                       "steps": [{"input": "", "result": "invalid", "error": "truncated", "offset": 0}]},
                      {"id": "sess-off-same", "rules": ["RT-SESS-1"], "comment": "a step's offset matches",
                       "steps": [{"input": "", "result": "invalid", "error": "truncated", "offset": 0}]}]}]}
answers = {c["id"]: a for c, a, _ in cases}
answers["sess-off-wrong"] = {"result": "valid", "output": [{"result": "invalid", "error": "truncated", "offset": 1}]}
answers["sess-off-same"] = {"result": "valid", "output": [{"result": "invalid", "error": "truncated", "offset": 0}]}
want = {c["id"]: v for c, _, v in cases}
want.update({"sess-off-wrong": "fail", "sess-off-same": "pass"})
vec, ans = tmp("rt-offset.json"), tmp("answers.json")
with open(vec, "w") as f:
    json.dump(doc, f)
with open(ans, "w") as f:
    json.dump(answers, f)
testee = q(PY, TESTEE, ans)

js = tmp("strict.json")
rc, out, err = run("--data-dir", VEC, "--strict-errors", "--testee", testee, "--json", js, vec)
rep = load_json(js)
t.eq({c["id"]: c["verdict"] for c in rep["cases"]}, want, "--strict-errors: offsets and invalid outputs judged")
t.eq(rc, 1, "a wrong offset or output fails the run")
detail = {c["id"]: c.get("detail") or "" for c in rep["cases"]}
t.ok("offset 0" in detail["off-wrong"] and "3" in detail["off-wrong"], "the report names both offsets",
     detail["off-wrong"])
t.ok("step 0" in detail["sess-off-wrong"], "a session step's offset is judged", detail["sess-off-wrong"])

# Without --strict-errors neither error names nor offsets are compared.
js = tmp("lax.json")
rc, out, err = run("--data-dir", VEC, "--testee", testee, "--json", js, vec)
verdicts = {c["id"]: c["verdict"] for c in load_json(js)["cases"]}
t.eq(verdicts["off-wrong"], "pass", "without --strict-errors a wrong offset is not judged")
t.eq(verdicts["out-differs"], "fail", "an invalid case's output is compared in any mode")

# The built-in testee reports offsets: a truncated IC header at 2 bytes.
p = subprocess.run([os.path.join(os.environ.get("top_builddir") or ".", "tools", "vmwire-testee")],
                   input='{"id":"x","operation":"decode","message":"ic.message","input":"0100"}\n',
                   stdout=subprocess.PIPE, universal_newlines=True)
t.eq(json.loads(p.stdout).get("offset"), 2, "vmwire-testee answers a truncated header with offset 2")

# "offset" belongs to invalid expectations only, and is a non-negative integer.
for name, exp in (("on-valid", {"result": "valid", "output": {"length": 0}, "offset": 0}),
                  ("negative", {"result": "invalid", "error": "truncated", "offset": -1}),
                  ("string", {"result": "invalid", "error": "truncated", "offset": "1"})):
    bad = dict(doc, groups=[{"operation": "decode", "message": "ic.rt_echo", "cases": [case("bad-" + name, exp)]}])
    path = tmp("bad-offset-%s.json" % name)
    with open(path, "w") as f:
        json.dump(bad, f)
    rc, out, err = run("--data-dir", VEC, path)
    t.ok(rc == 2 and "offset" in err, "vector error: offset %s" % name, err)
    p = subprocess.run([PY, os.path.join(SRC, "conformance", "check_schema.py"), "--data-dir", VEC, path],
                       stdout=subprocess.PIPE, universal_newlines=True)
    t.ok("not ok 1" in p.stdout, "the schema check refuses offset %s too" % name, p.stdout)
t.done()
