#!/usr/bin/env python3
"""A hostile testee for the fault tests of vmwire-conformance (tests/runner_faults.py).

usage: hostile_testee.py [OPTIONS] VECTOR_FILE...

It answers every request with the expected answer (an oracle that reads the
vector files itself), except where an option says otherwise:

  --slow-start S        sleep S seconds before reading anything
  --die-on-hello        exit 4 when it gets the hello request
  --skip-all            answer "skipped" (with a reason) to every case
  --crash-every N       SIGSEGV on every Nth case request of the run (the count
                        is kept in --state FILE across restarts)
  --state FILE          where --crash-every counts
  --do ID=ACTION        misbehave on case ID; ACTION is one of
      nul-line          a line starting with NUL, then the answer
      nul-junk          the answer followed by NUL and junk on the same line
      two-values        the answer and a second JSON object on the same line
      close-stdout      close stdout and keep running (its pid goes to --pidfile)
      blank-flood       4 MiB of blank lines, then the answer
      huge              an answer of 3 MiB
      bad-stderr        hostile bytes on stderr, then a wrong answer
      ctrl-garbage      a non-JSON line full of terminal control sequences
      crash             SIGSEGV
      hang              never answer
      skip              answer skipped
  --pidfile FILE        for close-stdout
"""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from oracle import expected_answers  # noqa: E402

HOSTILE = (b"\xf5\xff\xfe bad lead bytes, overlong \xc0\xaf \xe0\x80\xaf, surrogate \xed\xa0\x80, "
           b"U+FFFE \xef\xbf\xbe U+FFFF \xef\xbf\xbf, NUL \x00, ESC \x1b[31mred\x1b[0m, "
           b"markup <b>&amp; R&D</b> \"q\" 'a', C1 \xc2\x9b, bell \x07\n")


def main():
    args = sys.argv[1:]
    slow = 0.0
    die_hello = skip_all = False
    every = 0
    state = pidfile = None
    do = {}
    files = []
    while args:
        a = args.pop(0)
        if a == "--slow-start":
            slow = float(args.pop(0))
        elif a == "--die-on-hello":
            die_hello = True
        elif a == "--skip-all":
            skip_all = True
        elif a == "--crash-every":
            every = int(args.pop(0))
        elif a == "--state":
            state = args.pop(0)
        elif a == "--pidfile":
            pidfile = args.pop(0)
        elif a == "--do":
            k, v = args.pop(0).split("=", 1)
            do[k] = v
        else:
            files.append(a)
    expect = expected_answers(files)
    if slow:
        time.sleep(slow)
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        req = json.loads(line)
        cid = req["id"]
        if req.get("operation") == "hello":
            if die_hello:
                sys.exit(4)
            out.write(b'{"id": "%s", "result": "valid", "output": {"interface_version": 1}}\n' % cid.encode())
            out.flush()
            continue
        if every and state:
            n = int(open(state).read()) + 1 if os.path.exists(state) else 1
            with open(state, "w") as f:
                f.write("%d" % n)
            if n % every == 0:
                os.kill(os.getpid(), signal.SIGSEGV)
        ans = dict(expect.get(cid, {"result": "skipped", "reason": "unknown case"}), id=cid)
        if skip_all:
            ans = {"id": cid, "result": "skipped", "reason": "nothing is implemented yet"}
        act = do.get(cid)
        data = json.dumps(ans).encode()
        if act == "nul-line":
            out.write(b"\x00" + data + b"\n")
        elif act == "nul-junk":
            out.write(data + b"\x00junk\n")
        elif act == "two-values":
            out.write(data + b' {"id": "%s"}\n' % cid.encode())
        elif act == "close-stdout":
            if pidfile:
                with open(pidfile, "w") as f:
                    f.write("%d\n" % os.getpid())
            out.flush()
            os.close(1)
            sys.stdout = None
            while True:
                time.sleep(60)
        elif act == "blank-flood":
            out.write(b"\n" * (4 << 20) + data + b"\n")
        elif act == "huge":
            out.write(json.dumps(dict(ans, output={"length": 1, "pad": "x" * (3 << 20)})).encode() + b"\n")
        elif act == "bad-stderr":
            sys.stderr.buffer.write(HOSTILE)
            sys.stderr.buffer.flush()
            out.write(json.dumps(dict(ans, result="valid", output={"length": 99, "why": "\u202e\u0007"})).encode()
                      + b"\n")
        elif act == "ctrl-garbage":
            out.write(b"\x1b[2J\x1b]0;pwned\x07 not JSON \xc2\x9b\xff\n")
        elif act == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif act == "hang":
            while True:
                time.sleep(60)
        elif act == "skip":
            out.write(json.dumps({"id": cid, "result": "skipped", "reason": "not <yet> & never"}).encode() + b"\n")
        else:
            out.write(data + b"\n")
        out.flush()


if __name__ == "__main__":
    main()
