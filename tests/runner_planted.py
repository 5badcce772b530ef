#!/usr/bin/env python3
"""Planted bugs the vectors must catch (issue 17): a proxy testee in front of
vmwire-testee changes one kind of answer, and the suite must fail exactly the
cases written for that bug.

- "debug": a decoded GuestMessage with level 0 left out (the proto3 default)
  is shown as "DEBUG" instead;
- "601": an encoder accepts a GuestMessage of 601 bytes (answers valid);
- "offset": decoder fault offsets are reported one byte late;
- "insnlen": a bridge dispatcher that ignores an `insn_len` other than 0 or
  the trigger's default (it advances RIP by the default instead).
"""
import json
import os

import sys

sys.dont_write_bytecode = True  # keep the source tree clean
from runner_lib import BUILD, PY, SRC, TESTEE, Tap, load_json, q, run, tmp

t = Tap()
PROXY = tmp("planted_testee.py")
with open(PROXY, "w") as f:
    f.write('''import json, subprocess, sys
bug = sys.argv[1]
real = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, universal_newlines=True)
for line in sys.stdin:
    req = json.loads(line)
    inp = req.get("input")
    if bug == "insnlen" and req.get("operation") == "dispatch" and isinstance(inp, dict) and \\
            inp.get("insn_len") not in (None, 0, {"vmcall": 3, "cpuid": 2}.get(inp.get("trigger"))):
        del inp["insn_len"]
        line = json.dumps(req)
    real.stdin.write(line if line.endswith("\\n") else line + "\\n")
    real.stdin.flush()
    ans = json.loads(real.stdout.readline())
    msg, op = req.get("message"), req.get("operation")
    if bug == "debug" and msg == "serial.GuestMessage" and op == "decode" and ans.get("result") == "valid":
        ans["output"].setdefault("level", "DEBUG")
    if bug == "601" and msg == "serial.GuestMessage" and op == "encode" and ans.get("error") == "too_long":
        ans = {"id": ans["id"], "result": "valid", "output": "00" * 601}
    if bug == "offset" and ans.get("result") == "invalid" and "offset" in ans:
        ans["offset"] += 1
    print(json.dumps(ans), flush=True)
''')
VECS = os.path.join(SRC, "conformance", "vectors")


def failures(bug, *files):
    js = tmp("planted-%s.json" % bug)
    run("--data-dir", SRC, "--strict-errors", "--testee", q(PY, PROXY, bug, TESTEE), "--json", js,
        *[os.path.join(VECS, f) for f in files])
    return sorted(c["id"] for c in load_json(js)["cases"] if c["verdict"] == "fail")


got = failures("debug", "serial-guest-message-edges.json")
t.ok("ser-gme-dec-level0" in got and "ser-gme-dec-level-last0" in got,
     "a level 0 shown as DEBUG is caught", got)
got = failures("601", "serial-guest-message-edges.json")
t.ok("ser-gme-enc-601" in got, "an encoder accepting 601 bytes is caught", got)
got = failures("offset", "ic-decode-offsets.json", "serial-guest-message-edges.json",
               "crosvm-final-decode-offsets.json", "crosvm-final-vcpu-stream.json", "ic-kvp-string-offsets.json")
t.ok(len(got) >= 30 and "ic-off-hb-size-17" in got and "ser-gme-dec-trunc-len" in got
     and "cv-f-off-field0" in got and "ic-kvpoff-key-lone-low" in got,
     "offsets one byte late are caught (%d cases)" % len(got), got)
got = failures("insnlen", "bridge.json")
t.ok("br-64-vmcall-insn-len-5" in got and "br-32-cpuid-insn-len-15-no-match" in got,
     "a dispatcher ignoring insn_len (5, 1, 15) is caught", got)
rc, out, _ = run("--data-dir", SRC, "--strict-errors", "--testee", q(PY, PROXY, "none", TESTEE),
                 os.path.join(VECS, "serial-guest-message-edges.json"))
t.ok(rc == 0 and "CONFORMANCE PASSED" in out, "the proxy without a bug passes", out[-400:])
t.done()
