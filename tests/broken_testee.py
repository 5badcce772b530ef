#!/usr/bin/env python3
"""A deliberately broken testee for the tests of vmwire-conformance.

usage: broken_testee.py [--honest] [--skip-protocol P] [--pidfile F] VECTOR_FILE...

It reads the vector files itself and answers every request with the expected
answer (an oracle), except for the case ids below, where it misbehaves on
purpose (unless --honest):

  rt-wrong-output   valid, but the wrong output
  rt-wrong-result   valid instead of invalid
  rt-wrong-error    invalid with another error name (fails only --strict-errors)
  rt-crash          SIGSEGV, after a message on stderr
  rt-exit           exits with status 3
  rt-hang           never answers (its pid goes to --pidfile)
  rt-garbage        a line that is not JSON
  rt-order          an answer for another case id
  rt-extra          two answer lines
  rt-no-result      an object without "result"
  rt-session-bad    step 1 answered wrongly
  rt-acceptable-invalid  invalid (the case is acceptable: that passes)

--skip-protocol P answers "skipped" for every message kind of protocol P.
"""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import expected_answers  # noqa: E402


def main():
    args = sys.argv[1:]
    honest = False
    skip = None
    pidfile = None
    files = []
    while args:
        a = args.pop(0)
        if a == "--honest":
            honest = True
        elif a == "--skip-protocol":
            skip = args.pop(0)
        elif a == "--pidfile":
            pidfile = args.pop(0)
        else:
            files.append(a)
    expect = expected_answers(files)
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        cid = req["id"]
        if skip and req["message"].split(".")[0] == skip:
            ans = {"id": cid, "result": "skipped", "reason": "protocol %s is not implemented" % skip}
        elif cid not in expect:
            ans = {"id": cid, "result": "skipped", "reason": "unknown case"}
        else:
            ans = dict(expect[cid], id=cid)
        if not honest:
            if cid == "rt-wrong-output":
                ans["output"] = {"length": 3}
            elif cid == "rt-wrong-result":
                ans = {"id": cid, "result": "valid", "output": {"length": 0}}
            elif cid == "rt-wrong-error":
                ans["error"] = "bad_length"
            elif cid == "rt-crash":
                sys.stderr.write("broken_testee: about to crash on purpose\n")
                sys.stderr.flush()
                os.kill(os.getpid(), signal.SIGSEGV)
            elif cid == "rt-exit":
                sys.exit(3)
            elif cid == "rt-hang":
                if pidfile:
                    with open(pidfile, "w") as f:
                        f.write("%d\n" % os.getpid())
                while True:
                    time.sleep(60)
            elif cid == "rt-garbage":
                out.write("Traceback (most recent call last): not JSON\n")
                out.flush()
                continue
            elif cid == "rt-order":
                ans["id"] = "rt-pass-1"
            elif cid == "rt-extra":
                out.write(json.dumps(ans) + "\n")
            elif cid == "rt-no-result":
                del ans["result"]
            elif cid == "rt-session-bad":
                ans["output"][1] = {"result": "valid", "output": {"length": 5}}
            elif cid == "rt-acceptable-invalid":
                ans = {"id": cid, "result": "invalid", "error": "bad_value"}
        out.write(json.dumps(ans) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
