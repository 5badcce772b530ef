"""The answers a vector file expects, keyed by case id: the oracle that the
runner tests' hand-made testees (tests/broken_testee.py,
tests/runner-vectors/hostile_testee.py) answer from before they misbehave.

A session case's answer is its steps' expected answers in order; an
`acceptable` case is answered as valid with a one-byte output (the runner
accepts either verdict for it).
"""
import json


def expected_answers(paths):
    """Map case id -> the answer object a conforming testee sends."""
    expect = {}
    for p in paths:
        with open(p) as f:
            doc = json.load(f)
        for g in doc["groups"]:
            for c in g["cases"]:
                if g["operation"] == "session":
                    expect[c["id"]] = {"result": "valid", "output": [
                        {k: s[k] for k in ("result", "output", "error") if k in s} for s in c["steps"]]}
                else:
                    e = {k: c[k] for k in ("result", "output", "error") if k in c}
                    if e["result"] == "acceptable":
                        e = {"result": "valid", "output": {"length": 1}}
                    expect[c["id"]] = e
    return expect
