#!/usr/bin/env python3
"""Validate golden vector files against conformance/vectors.schema.json.

usage: check_schema.py [--data-dir DIR] [FILE...]

Without files it checks every DIR/conformance/vectors/*.json (DIR defaults to
$top_srcdir, or the directory above this script). Prints TAP: one test per
vector file. Also checks what a schema cannot say: case ids are unique across
all files, and every rule id a case names is declared in the spec document
the file names (DIR/spec/<name>.md), declared as in doc/CONVENTIONS.md:
`**ID**` at the start of a line or list item, outside code blocks; and each
case's `input` has the type its operation takes (FORMAT.md, "Operations"), as
vmwire-conformance checks before it runs anything.
"""
import json
import os
import re
import sys

try:
    import jsonschema
except ImportError:  # pragma: no cover - reported as a skip
    print("1..0 # SKIP python3-jsonschema is not installed")
    sys.exit(0)

RULE_DECL = re.compile(r"^\s*(?:(?:[-*+]|\d+[.)])\s+)?\*\*([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\*\*")
FENCE = re.compile(r"^\s*(```|~~~)")
HEX = re.compile(r"^(?:[0-9a-f]{2})*$")


def input_problem(op, value):
    """Why an input does not fit its operation (the runner's vectors.c
    input_ok), or None. encode takes whatever JSON its message kind defines."""
    def is_hex(v):
        return isinstance(v, str) and HEX.match(v) is not None
    if op in ("decode", "validate", "respond", "session"):
        return None if is_hex(value) else "a lowercase hex string of whole bytes"
    if op == "deframe":
        ok = isinstance(value, list) and all(is_hex(v) for v in value)
        return None if ok else "an array of lowercase hex strings"
    if op == "dispatch":
        return None if isinstance(value, dict) else "an object"
    return None


def declared_rules(path):
    rules = set()
    fence = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if FENCE.match(line):
                fence = not fence
                continue
            m = None if fence else RULE_DECL.match(line)
            if m:
                rules.add(m.group(1))
    return rules


def main():
    args = sys.argv[1:]
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    top = os.environ.get("top_srcdir") or here
    data = None
    files = []
    while args:
        a = args.pop(0)
        if a == "--data-dir" and args:
            data = args.pop(0)
        elif a.startswith("-"):
            sys.stderr.write(__doc__)
            return 2
        else:
            files.append(a)
    data = data or top
    with open(os.path.join(top, "conformance", "vectors.schema.json")) as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    if not files:
        vdir = os.path.join(data, "conformance", "vectors")
        files = [os.path.join(vdir, n) for n in sorted(os.listdir(vdir)) if n.endswith(".json")]
    print("1..%d" % len(files))
    seen = {}
    failed = 0
    for i, path in enumerate(files, 1):
        name = os.path.basename(path)
        problems = []
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except ValueError as e:
            print("not ok %d - %s # not JSON: %s" % (i, name, e))
            failed += 1
            continue
        for err in validator.iter_errors(doc):
            loc = "/".join(str(p) for p in err.absolute_path)
            problems.append("%s: %s" % (loc, err.message[:200]))
        spec_rules = None
        spec = doc.get("spec") if isinstance(doc, dict) else None
        if isinstance(spec, str) and os.path.exists(os.path.join(data, spec)):
            spec_rules = declared_rules(os.path.join(data, spec))
        else:
            problems.append("spec document %r does not exist under %s" % (spec, data))
        groups = doc.get("groups", []) if isinstance(doc, dict) else []
        for g in groups if isinstance(groups, list) else []:
            for c in g.get("cases", []) if isinstance(g, dict) else []:
                if not isinstance(c, dict):
                    continue
                cid = c.get("id")
                if cid in seen:
                    problems.append("case id %s repeats one in %s" % (cid, seen[cid]))
                seen[cid] = name
                op = g.get("operation")
                ins = [("", c["input"])] if "input" in c else []
                ins += [(" step %d" % k, st["input"]) for k, st in enumerate(c.get("steps") or [])
                        if isinstance(st, dict) and "input" in st]
                for where, value in ins:
                    why = input_problem(op, value)
                    if why:
                        problems.append("case %s%s: \"input\" of a %s case must be %s" % (cid, where, op, why))
                for r in c.get("rules", []):
                    if spec_rules is not None and r not in spec_rules:
                        problems.append("case %s names rule %s, which %s does not declare" % (cid, r, spec))
        if problems:
            failed += 1
            print("not ok %d - %s" % (i, name))
            for p in problems[:20]:
                print("# " + p)
        else:
            print("ok %d - %s" % (i, name))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
