#!/usr/bin/env python3
"""vmwire-conformance: vector errors and usage errors exit 2 without running
anything; --list, --version, --help; the schema check agrees on the bad files."""
import os
import subprocess

import sys

sys.dont_write_bytecode = True  # keep the source tree clean
from runner_lib import PY, SRC, VEC, Tap, run

t = Tap()
bad = os.path.join(VEC, "bad")
basic = os.path.join(VEC, "rt-basic.json")
expect = {
    "not-json.json": "not-json.json:2:",
    "no-rules.json": "case bad-1: needs a non-empty \"rules\" array",
    "undeclared-rule.json": "case bad-1 names rule RT-ECHO-9, which spec/rt.md does not declare",
    "dup-id.json": "case id bad-ok repeats one in",
    "bad-error.json": "an invalid result needs \"error\" naming a vw_status",
    "no-output.json": "a valid result needs \"output\"",
    "no-steps.json": "a session case needs \"steps\"",
    "bad-operation.json": "unknown \"operation\"",
    "bad-id.json": "case id \"bad 1\" is not [A-Za-z0-9][A-Za-z0-9_.:-]*",
    "wrong-input.json": "case bad-1: \"input\" of a decode case must be a lowercase hex string",
    # a vector file is untrusted text: what the error quotes of it is escaped
    "ctrl-id.json": "case id \"bad\\x1b]0;owned\\x07\\x1b[31m\" is not",
    "ctrl-not-json.json": "ctrl-not-json.json:5: invalid token near '\\x1b'",
}
for name, msg in sorted(expect.items()):
    rc, out, err = run("--data-dir", VEC, os.path.join(bad, name))
    t.ok(rc == 2 and msg in err and "vector error: nothing was run" in err and out == "" and "\x1b" not in err,
         "vector error exits 2: %s" % name, "rc=%d\n%s" % (rc, err))
    # The schema check (make check) refuses the same files.
    p = subprocess.run([PY, os.path.join(SRC, "conformance", "check_schema.py"), "--data-dir", VEC,
                        os.path.join(bad, name)], stdout=subprocess.PIPE, universal_newlines=True)
    t.ok("not ok 1" in p.stdout, "the schema check refuses %s too" % name, p.stdout)
for data, files in ((VEC, ["rt-basic.json", "rt-serial.json"]), (SRC, ["example-ic.json"])):
    p = subprocess.run([PY, os.path.join(SRC, "conformance", "check_schema.py"), "--data-dir", data] +
                       [os.path.join(VEC, f) for f in files], stdout=subprocess.PIPE, universal_newlines=True)
    t.ok(p.returncode == 0 and "not ok" not in p.stdout, "the schema check accepts %s" % ", ".join(files), p.stdout)
rc, _, err = run("--data-dir", VEC, basic, basic)
t.ok(rc == 2 and "repeats one in" in err, "the same case id in two files exits 2", err)
rc, _, err = run("--data-dir", VEC, os.path.join(VEC, "no-such-file.json"))
t.ok(rc == 2 and "no such file" in err, "a missing vector file exits 2", err)

usage = [
    (["--timeout", "abc"], "bad --timeout"),
    (["--timeout", "0"], "bad --timeout"),
    (["--operation", "frobnicate"], "unknown --operation"),
    (["--protocol", "nope"], "--protocol nope: no loaded vector file has this protocol"),
    (["--case", "no-such-*"], "no case matches the selection"),
    (["--no-such-option"], "usage:"),
    (["--testee", ""], "--testee needs a command"),
]
for args, msg in usage:
    rc, out, err = run(*(["--data-dir", VEC] + args + [basic]))
    t.ok(rc == 2 and msg in err, "usage error exits 2: %s" % " ".join(args), "rc=%d\n%s" % (rc, err))

rc, out, _ = run("--data-dir", VEC, "--list", "--case", "rt-pass-*", basic)
t.eq((rc, out), (0, "rt-pass-1\nrt-pass-2\n"), "--list prints the selected ids")
rc, out, _ = run("--data-dir", VEC, "--list", "--verbose", "--case", "rt-session-ok", basic)
t.eq(out, 'rt-session-ok\tsession\tic.rt_echo\t["RT-SESS-1"]\n', "--list --verbose adds kind and rules")
rc, out, _ = run("--version")
t.ok(rc == 0 and out.startswith("vmwire-conformance ") and "testee interface 1" in out, "--version", out)
rc, out, _ = run("--help")
t.ok(rc == 0 and "--expected-failures" in out and "Exit status" in out, "--help")
env = dict(os.environ, VMWIRE_DATADIR=VEC)
p = subprocess.run([os.path.join(os.environ.get("top_builddir", "."), "tools", "vmwire-conformance"), "--version"],
                   stdout=subprocess.PIPE, universal_newlines=True, env=env)
t.ok("data directory: %s" % VEC in p.stdout, "VMWIRE_DATADIR sets the data directory", p.stdout)
t.done()
