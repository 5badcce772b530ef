#!/usr/bin/env python3
"""Validate every golden vector file against conformance/vectors.schema.json.

Prints TAP: one test per vector file. Also checks what a schema cannot say:
case ids are unique across all files, and every rule id a case names is
declared in the spec document the file names.
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

RULE_DECL = re.compile(r"^\s*(?:[-*]\s+)?\*\*([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\*\*", re.M)


def main():
    top = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), ".."))
    with open(os.path.join(top, "conformance", "vectors.schema.json")) as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    vdir = os.path.join(top, "conformance", "vectors")
    files = sorted(n for n in os.listdir(vdir) if n.endswith(".json"))
    print("1..%d" % len(files))
    seen = {}
    for i, name in enumerate(files, 1):
        path = os.path.join(vdir, name)
        problems = []
        try:
            with open(path) as f:
                doc = json.load(f)
        except ValueError as e:
            print("not ok %d - %s # not JSON: %s" % (i, name, e))
            continue
        for err in validator.iter_errors(doc):
            loc = "/".join(str(p) for p in err.absolute_path)
            problems.append("%s: %s" % (loc, err.message[:200]))
        spec_rules = set()
        spec = doc.get("spec") if isinstance(doc, dict) else None
        if isinstance(spec, str) and os.path.exists(os.path.join(top, spec)):
            with open(os.path.join(top, spec)) as f:
                spec_rules = set(RULE_DECL.findall(f.read()))
        else:
            problems.append("spec document %r does not exist" % spec)
        for g in doc.get("groups", []) if isinstance(doc, dict) else []:
            for c in g.get("cases", []):
                cid = c.get("id")
                if cid in seen:
                    problems.append("case id %s repeats one in %s" % (cid, seen[cid]))
                seen[cid] = name
                for r in c.get("rules", []):
                    if spec_rules and r not in spec_rules:
                        problems.append("case %s names rule %s, which %s does not declare" % (cid, r, spec))
        if problems:
            print("not ok %d - %s" % (i, name))
            for p in problems[:20]:
                print("# " + p)
        else:
            print("ok %d - %s" % (i, name))


if __name__ == "__main__":
    main()
