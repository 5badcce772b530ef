#!/bin/sh
# libvmwire.so exports only documented public vw_ symbols: every dynamic symbol
# it defines is named vw_<word>[_<word>...] (no vw_<p>__ internals) and is
# declared in an installed header (include/vmwire/*.h). TAP output.
so="${top_builddir:-.}/.libs/libvmwire.so"
src="${top_srcdir:-.}"
if [ ! -f "$so" ]; then
    echo "1..0 # SKIP no shared library (built with --disable-shared)"
    exit 0
fi
syms=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDRBV]$/ { print $3 }' | sed 's/@.*//' | sort -u)
if [ -z "$syms" ]; then
    echo "1..1"
    echo "not ok 1 - nm -D lists no symbols in $so"
    exit 0
fi
n=$(printf '%s\n' "$syms" | wc -l | tr -d ' ')
echo "1..$((n + 1))"
i=0
bad=0
for s in $syms; do
    i=$((i + 1))
    if ! printf '%s\n' "$s" | grep -Eq '^vw_[a-z0-9]+(_[a-z0-9]+)*$'; then
        echo "not ok $i - $s: not a public vw_ name"
        bad=$((bad + 1))
    elif ! grep -Eqw "$s" "$src"/include/vmwire/*.h; then
        echo "not ok $i - $s: exported but not declared in include/vmwire"
        bad=$((bad + 1))
    else
        echo "ok $i - $s"
    fi
done
i=$((i + 1))
if [ "$bad" -eq 0 ]; then
    echo "ok $i - all $n exported symbols are public and documented"
else
    echo "not ok $i - $bad of $n exported symbols are not public"
fi
