#!/usr/bin/env python3
"""Lists that exist once and are mirrored where C cannot reach (TAP).

- operations: tools/common/operations.h (VWT_OPERATIONS) is the one list of
  the C tools; the vector schema's "operation" enum must name the same
  operations in the same order.
- statuses: the table in src/core/status.c is the one source of status
  names; every enumerator of vw_status (include/vmwire/status.h) has exactly
  one row with its value, and the schema's status enum lists the same names
  (all but "ok") in the same order.
- IC versions: src/ic/profiles.c holds every IC version table; no other
  file of src/ic/ declares a struct vw_ic_version table of its own.
"""
import json
import os
import re
import sys

SRC = os.environ.get("srcdir") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def read(rel):
    with open(os.path.join(SRC, rel), encoding="utf-8") as f:
        return f.read()


results = []


def check(ok, name, detail=""):
    results.append((bool(ok), name, detail))


schema = json.loads(read("conformance/vectors.schema.json"))


def find_key(node, key):
    """Yield every value under `key` anywhere in the schema."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from find_key(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from find_key(v, key)


# operations
m = re.search(r"#define VWT_OPERATIONS\(X\)((?:\s*X\(\w+\))+)", read("tools/common/operations.h"))
ops = re.findall(r"X\((\w+)\)", m.group(1)) if m else []
check(ops, "operations.h defines VWT_OPERATIONS")
schema_ops = [p["operation"]["enum"] for p in find_key(schema, "properties")
              if isinstance(p, dict) and isinstance(p.get("operation"), dict) and "enum" in p["operation"]]
check(schema_ops and all(o == ops for o in schema_ops), "schema operation enum == VWT_OPERATIONS",
      f"schema {schema_ops} vs {ops}")
for rel in ("tools/conformance/vectors.c", "tools/conformance/main.c", "fuzz/fuzz_runner_vectors.c"):
    text = read(rel)
    check("VWT_OPERATION_NAMES" in text and not re.search(r'"decode",\s*"encode"', text), f"{rel} uses the one operation list")

# statuses
enum_text = read("include/vmwire/status.h")
enum = dict((n, int(v)) for n, v in re.findall(r"^\s*(VW_(?:OK|E_\w+))\s*=\s*(\d+)\s*,?", enum_text, re.M))
rows = re.findall(r'\{\s*(VW_(?:OK|E_\w+))\s*,\s*"([a-z0-9_]+)"\s*,', read("src/core/status.c"))
codes = [c for c, _ in rows]
names = [n for _, n in rows]
check(len(enum) >= 30, "status.h enum parsed", f"{len(enum)} enumerators")
check(sorted(codes) == sorted(enum) and len(set(codes)) == len(codes), "every vw_status has exactly one row",
      f"missing {sorted(set(enum) - set(codes))} extra {sorted(set(codes) - set(enum))}")
check(len(set(names)) == len(names), "status names are unique")
check(sorted(codes, key=lambda c: enum.get(c, -1)) == codes, "status rows in enum order")
schema_status = schema["$defs"]["status"]["enum"]
check(schema_status == [n for n in names if n != "ok"], "schema status enum == status.c names (no ok)",
      f"schema {schema_status}")

# IC version tables
for f in sorted(os.listdir(os.path.join(SRC, "src/ic"))):
    if f.endswith(".c") and f != "profiles.c":
        text = read("src/ic/" + f)
        check(not re.search(r"static const struct vw_ic_version \w+\[\]", text),
              f"src/ic/{f} has no version table of its own")

print(f"1..{len(results)}")
for i, (ok, name, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok and detail:
        print("# " + detail)
sys.exit(0)
