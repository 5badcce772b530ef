#!/usr/bin/python3
"""Compare two vmwire-bench result files, or collect callgrind counts.

  compare.py BASE.json NEW.json [--fail-above PCT] [--filter SUBSTR]
      Prints, for every case in either file, the baseline value, the new
      value and the change. Works on the JSON of `make bench` (compares the
      median rows: CPU time per operation, or wall-clock time with
      --metric real) and on the JSON of
      `make bench-ir` (instructions per operation). With --fail-above, exits
      1 when any case got slower by more than PCT percent (use it with the IR
      files: wall-clock times on a shared machine move by more than that).

  compare.py markdown TIME.json [IR.json]
      Prints the results as Markdown tables (one per group: median CPU time,
      ratio to vmwire, instructions per operation, heap allocations), the
      form used in bench/README.md.

  compare.py ratios RESULTS.json
      Per crosvm message and operation: vmwire's value and vmwire / floor,
      vmwire / upb, vmwire / protobuf-c+arena (decode) or protobuf-c (encode)
      in that run (time or IR file; below 1: vmwire is faster). The upb rows
      exist only with configure --with-upb=PREFIX (optional rows).

  compare.py ir-collect DIR -o OUT.json
      Turns the callgrind parts written by `vmwire-bench --ir N` (one part
      per case, DIR/callgrind.out.<n>, each named by its trigger) and the
      manifest DIR/manifest.json into OUT.json: one row per case with
      real_time = instructions per operation (time_unit "ir").
"""
import argparse
import glob
import json
import math
import os
import re
import sys


def load_values(path, metric="cpu"):
    """name -> (value, unit) for one result file, plus its context."""
    key = "cpu_time" if metric == "cpu" else "real_time"
    with open(path) as f:
        doc = json.load(f)
    rows = doc.get("benchmarks", [])
    mode = doc.get("context", {}).get("mode", "time")
    out = {}
    for r in rows:
        unit = r.get("time_unit", "ns")
        if unit == "ir":
            out[r["run_name"]] = (float(r["real_time"]), "ir")
        elif r.get("run_type") == "aggregate" and r.get("aggregate_name") == "median":
            out[r["run_name"]] = (float(r[key]), unit)
        elif r.get("run_type") == "iteration" and r.get("repetitions", 1) == 1 and mode == "time":
            out.setdefault(r["run_name"], (float(r[key]), unit))
    return out, doc.get("context", {}), mode


# Rows that only some builds have (configure --with-upb): when the new file
# lacks them they are reported as "absent", not as a lost case.
OPTIONAL_IMPLS = ("upb",)


def compare(args):
    base, bctx, bmode = load_values(args.base, args.metric)
    new, nctx, nmode = load_values(args.new, args.metric)
    names = [n for n in new] + [n for n in base if n not in new]
    if args.filter:
        names = [n for n in names if args.filter in n]
    units = {v[1] for v in list(base.values()) + list(new.values())}
    if len(units) > 1:
        print("compare.py: the files measure different things (%s): compare time with time, "
              "IR with IR" % ", ".join(sorted(units)), file=sys.stderr)
        return 2
    unit = units.pop() if units else "ns"
    label = "Ir/op" if unit == "ir" else ("cpu ns/op" if args.metric == "cpu" else "real ns/op")
    print("baseline: %s (%s, %s)" % (args.base, bctx.get("date", "?"), bctx.get("cpu_model", "?")))
    print("new:      %s (%s, %s)" % (args.new, nctx.get("date", "?"), nctx.get("cpu_model", "?")))
    if not base:
        print("(the baseline has no cases: nothing to compare against)")
    width = max([len(n) for n in names] + [10])
    print("%-*s %14s %14s %9s" % (width, "case", "base " + label, "new " + label, "change"))
    worst = 0.0
    logs = []
    for n in names:
        b = base.get(n)
        v = new.get(n)
        if b is None:
            print("%-*s %14s %14.2f %9s" % (width, n, "-", v[0], "new"))
            continue
        if v is None:
            gone = "absent" if n.rsplit("/", 1)[-1] in OPTIONAL_IMPLS else "gone"
            print("%-*s %14.2f %14s %9s" % (width, n, b[0], "-", gone))
            continue
        if b[0] > 0 and v[0] > 0:
            change = (v[0] / b[0] - 1.0) * 100.0
            logs.append(math.log(v[0] / b[0]))
            worst = max(worst, change)
            flag = ""
            if args.fail_above is not None and change > args.fail_above:
                flag = "  REGRESSION"
            print("%-*s %14.2f %14.2f %+8.1f%%%s" % (width, n, b[0], v[0], change, flag))
        else:
            print("%-*s %14.2f %14.2f %9s" % (width, n, b[0], v[0], "n/a"))
    if logs:
        gm = (math.exp(sum(logs) / len(logs)) - 1.0) * 100.0
        print("%d cases compared; geometric mean change %+.1f%%; largest slowdown %+.1f%%"
              % (len(logs), gm, worst))
    if args.fail_above is not None and worst > args.fail_above:
        print("FAIL: a case is more than %.1f%% slower than the baseline" % args.fail_above)
        return 1
    return 0


def ir_collect(args):
    with open(os.path.join(args.dir, "manifest.json")) as f:
        manifest = json.load(f)
    cases = {r["run_name"]: r for r in manifest.get("benchmarks", [])}
    counts = {}
    for path in glob.glob(os.path.join(args.dir, "callgrind.out.*")):
        if not re.search(r"\.\d+$", path):
            continue
        name = total = None
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("desc: Trigger: Client Request: "):
                    name = line[len("desc: Trigger: Client Request: "):].strip()
                elif line.startswith("summary:") or line.startswith("totals:"):
                    total = int(line.split()[1])
                    if line.startswith("summary:"):
                        break
        if name is not None and total is not None:
            counts[name] = total
    missing = [n for n in cases if n not in counts]
    if missing:
        print("ir-collect: no callgrind part for %d cases (e.g. %s): was the program run under "
              "valgrind --tool=callgrind --collect-atstart=no?" % (len(missing), missing[0]),
              file=sys.stderr)
        return 1
    ctx = dict(manifest.get("context", {}))
    ctx["mode"] = "ir"
    ctx["note"] = ("real_time and cpu_time are instructions per operation (callgrind Ir, collected "
                   "only inside each case's measured loop, loop overhead included)")
    rows = []
    for name, r in cases.items():
        iters = r.get("iterations", 1)
        ir = counts[name] / iters
        row = {"name": name, "run_name": name, "run_type": "iteration", "repetitions": 1,
               "repetition_index": 0, "threads": 1, "iterations": iters,
               "real_time": round(ir, 2), "cpu_time": round(ir, 2), "time_unit": "ir",
               "group": r.get("group"), "impl": r.get("impl")}
        if "allocs_per_iter" in r:
            row["allocs_per_iter"] = r["allocs_per_iter"]
        rows.append(row)
    with open(args.output, "w") as f:
        json.dump({"context": ctx, "benchmarks": rows}, f, indent=1)
        f.write("\n")
    # A readable summary with ratios to the vmwire row of each group.
    groups = {}
    for r in rows:
        groups.setdefault(r["group"], []).append(r)
    print("Instructions per operation (callgrind); ratio = row / vmwire row of the group")
    for g, rs in groups.items():
        ref = next((x["real_time"] for x in rs if x["impl"] == "vmwire"), None)
        print(g)
        for x in rs:
            ratio = "ref" if x["impl"] == "vmwire" else (
                "%.2fx" % (x["real_time"] / ref) if ref else "")
            print("  %-18s %12.1f Ir  %s" % (x["impl"], x["real_time"], ratio))
    print("wrote %s (%d cases)" % (args.output, len(rows)))
    return 0


def markdown(args):
    with open(args.time) as f:
        tdoc = json.load(f)
    ir = {}
    if args.ir:
        with open(args.ir) as f:
            for r in json.load(f).get("benchmarks", []):
                ir[r["run_name"]] = r["real_time"]
    groups = {}
    order = []
    for r in tdoc.get("benchmarks", []):
        if r.get("aggregate_name") != "median":
            continue
        g = r.get("group", r["run_name"].rsplit("/", 1)[0])
        if g not in groups:
            groups[g] = []
            order.append(g)
        groups[g].append(r)
    for g in order:
        rs = groups[g]
        if args.filter and args.filter not in g:
            continue
        ref = next((x for x in rs if x.get("impl") == "vmwire"), None)
        print("\n**%s**\n" % g)
        print("| implementation | CPU ns/op | ratio | Ir/op | Ir ratio | MB/s | heap allocs/op |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for x in rs:
            t = x["cpu_time"]
            ratio = "ref" if x is ref else ("%.2fx" % (t / ref["cpu_time"]) if ref else "")
            i = ir.get(x["run_name"])
            iref = ir.get(ref["run_name"]) if ref else None
            iratio = "" if i is None or not iref else ("ref" if x is ref else "%.2fx" % (i / iref))
            mbs = "%.0f" % (x["bytes_per_second"] / 1e6) if "bytes_per_second" in x else ""
            allocs = x.get("allocs_per_iter")
            print("| %s | %.1f | %s | %s | %s | %s | %s |" % (
                x.get("impl", x["run_name"]), t, ratio, "" if i is None else "%.0f" % i, iratio,
                mbs, "" if allocs is None else "%g" % allocs))
    return 0


def ratios(args):
    vals, ctx, _ = load_values(args.file)
    pat = re.compile(r"^crosvm/(seed|final)/([A-E])_[^/]+/(decode|encode)/(.+)$")
    table = {}
    for name, (v, unit) in vals.items():
        m = pat.match(name)
        if m:
            table.setdefault((m.group(1), m.group(2), m.group(3)), {})[m.group(4)] = (v, unit)
    if not table:
        print("ratios: no crosvm rows in %s" % args.file)
        return 0
    unit = next(iter(next(iter(table.values())).values()))[1]
    label = "Ir" if unit == "ir" else "ns"
    print("vmwire / peer per crosvm message (%s, %s; below 1: vmwire is faster)"
          % ("instructions" if unit == "ir" else "median CPU time", args.file))
    print("  %-7s %-6s %12s %9s %9s %9s" % ("message", "op", "vmwire", "/ floor", "/ upb",
                                          "/ pbc*"))
    have_upb = False
    for rev in ("seed", "final"):
        for msg in "ABCDE":
            for op in ("decode", "encode"):
                rows = table.get((rev, msg, op))
                if not rows or "vmwire" not in rows:
                    continue
                ref = rows["vmwire"][0]

                def div(impl):
                    x = rows.get(impl)
                    return "%.2fx" % (ref / x[0]) if x and x[0] > 0 else "-"
                have_upb = have_upb or "upb" in rows
                pbc = "protobuf-c+arena" if op == "decode" else "protobuf-c"
                print("  %-7s %-6s %9.1f %-2s %9s %9s %9s" % (
                    "%s %s" % (rev, msg), op, ref, label, div("floor"), div("upb"), div(pbc)))
    print("  (pbc*: protobuf-c+arena for decode, protobuf-c pack for encode)")
    if have_upb:
        print("  upb: %s, %s" % (ctx.get("upb", "?"), ctx.get("upb_parser", "?")))
    else:
        print("  upb: no rows in this run (optional: configure --with-upb=PREFIX, bench/README.md)")
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "markdown":
        p = argparse.ArgumentParser(prog="compare.py markdown")
        p.add_argument("time")
        p.add_argument("ir", nargs="?")
        p.add_argument("--filter", default=None)
        return markdown(p.parse_args(sys.argv[2:]))
    if len(sys.argv) > 1 and sys.argv[1] == "ratios":
        p = argparse.ArgumentParser(prog="compare.py ratios")
        p.add_argument("file")
        return ratios(p.parse_args(sys.argv[2:]))
    if len(sys.argv) > 1 and sys.argv[1] == "ir-collect":
        p = argparse.ArgumentParser(prog="compare.py ir-collect")
        p.add_argument("dir")
        p.add_argument("-o", "--output", required=True)
        return ir_collect(p.parse_args(sys.argv[2:]))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("base")
    p.add_argument("new")
    p.add_argument("--fail-above", type=float, default=None, metavar="PCT")
    p.add_argument("--filter", default=None)
    p.add_argument("--metric", choices=("cpu", "real"), default="cpu",
                   help="time files: compare median CPU time (default) or wall-clock time")
    return compare(p.parse_args())


if __name__ == "__main__":
    sys.exit(main())
