"""Helpers shared by the tests of vmwire-conformance (tests/runner_*.py).

They run the built runner ($top_builddir/tools/vmwire-conformance) on small
vector files under tests/runner-vectors and print TAP.
"""
import atexit
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.abspath(os.environ.get("top_srcdir") or os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.abspath(os.environ.get("top_builddir") or ".")
PY = os.environ.get("PYTHON3") or sys.executable
RUNNER = os.path.join(BUILD, "tools", "vmwire-conformance")
TESTEE = os.path.join(BUILD, "tools", "vmwire-testee")
VEC = os.path.join(SRC, "tests", "runner-vectors")
BROKEN = os.path.join(SRC, "tests", "broken_testee.py")
EXAMPLE = os.path.join(SRC, "conformance", "examples", "testee_example.py")
TMP = tempfile.mkdtemp(prefix="vwc-test-")
atexit.register(shutil.rmtree, TMP, True)


def q(*words):
    """A shell command line from words (for --testee)."""
    return " ".join(shlex.quote(w) for w in words)


def broken(*args):
    """--testee command line of the broken testee over the given vector files."""
    return q(PY, BROKEN, *args)


def run(*args, timeout=120):
    """Run the runner; returns (exit status, stdout, stderr)."""
    p = subprocess.run([RUNNER] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, universal_newlines=True)
    return p.returncode, p.stdout, p.stderr


def tmp(name):
    return os.path.join(TMP, name)


def load_json(path):
    with open(path) as f:
        return json.load(f)


def _on_exception(kind, value, tb):
    """An exception (say, a report the runner never wrote because it died)
    is one more failed test, then the plan: TAP stays well formed."""
    import traceback
    t = _current[0]
    n = t.n + 1 if t else 1
    print("not ok %d - the test script raised %s: %s" % (n, kind.__name__, value))
    for line in "".join(traceback.format_exception(kind, value, tb)).splitlines():
        print("# " + line)
    print("1..%d" % n)
    sys.stdout.flush()
    shutil.rmtree(TMP, True)
    os._exit(1)


_current = [None]
sys.excepthook = _on_exception


class Tap:
    """Collects results and prints TAP at the end (so a crash mid-way still
    yields a plan mismatch, i.e. a failure)."""

    def __init__(self):
        self.n = 0
        self.failed = 0
        _current[0] = self

    def ok(self, cond, name, diag=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name))
        if not cond:
            self.failed += 1
            if diag is not None:
                for line in str(diag).splitlines()[:40]:
                    print("# " + line)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got:  %r\nwant: %r" % (got, want))

    def done(self):
        print("1..%d" % self.n)
        sys.exit(0)
