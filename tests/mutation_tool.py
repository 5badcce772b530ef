#!/usr/bin/env python3
"""scripts/mutation's own rules, without running any mutant: which mutants a
line yields, how identical changes on one line are numbered, and how an
exclusion entry (with and without " @N") selects them."""
import importlib.machinery
import importlib.util
import os
import sys

sys.dont_write_bytecode = True
from runner_lib import SRC, Tap

loader = importlib.machinery.SourceFileLoader("vw_mutation", os.path.join(SRC, "scripts", "mutation"))
spec = importlib.util.spec_from_loader("vw_mutation", loader)
mut = importlib.util.module_from_spec(spec)
loader.exec_module(mut)

t = Tap()
src = ("static int f(int a, int b)\n"
       "{\n"
       "    int s = a + b + 1;\n"
       "    return s - a;\n"
       "}\n")
ms = mut.generate("src/x.c", src)
plus = [m for m in ms if m.kind == "operator" and m.before == "+" and m.after == "-"]
t.eq([(m.line, m.col) for m in plus], [(3, 15), (3, 19)], "two binary + on line 3, found left to right")
t.eq([(m.occ, m.nocc, m.desc_at()) for m in plus], [(1, 2, "+ -> - @1"), (2, 2, "+ -> - @2")],
     "identical changes on one line are numbered")
minus = [m for m in ms if m.kind == "operator" and m.before == "-" and m.after == "+"]
t.eq([(m.line, m.desc_at()) for m in minus], [(4, "- -> +")], "a change made once on its line has no number")


def ex(text, mutation):
    return mut.Exclusion(1, "src/x.c", "f", text, mutation, "reason")


t.eq([ex("a + b", "operator:+ -> -").matches(m) for m in plus], [True, True], "without @N an entry matches both")
t.eq([ex("a + b", "operator:+ -> - @2").matches(m) for m in plus], [False, True], "@2 matches the second only")
t.eq([ex("a + b", "operator:+ -> - @1").matches(m) for m in plus], [True, False], "@1 matches the first only")
t.eq([ex("a + b", "operator:+ -> - @3").matches(m) for m in plus], [False, False], "@3 matches neither")
t.eq([ex("s - a", "operator:- -> + @1").matches(m) for m in minus], [True], "@1 matches a change made once")
t.eq([ex("a + b", "operator:- -> + @1").matches(m) for m in plus], [False, False], "@N does not widen the change")
t.done()
