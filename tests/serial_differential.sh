#!/bin/sh
# TAP: the serial schema against Google's protobuf (python3-protobuf).
#  1. tests/pb_differential.py (the protobuf engine's own differential test)
#     on GuestMessage and VmmConfig: pure protobuf semantics, decode and encode;
#  2. tests/serial_differential.py: both of vmwire's serial decoders against
#     Google's protobuf with the capacities and the 600-byte limit on top.
# The two TAP streams are joined into one plan.
src=${top_srcdir:-.}
b=${top_builddir:-.}
py=${PYTHON3:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vwsdiff.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
inc=$(cd "$src/proto" && pwd)
"$py" "$src/tests/pb_differential.py" --proto "$inc/serial/guest.proto" \
    --include "$inc" --decoder "$b/tests/serial_pbdj" \
    --messages vmwire.serial.GuestMessage,vmwire.serial.VmmConfig --count 1500 >"$tmp/1" 2>&1
"$py" "$src/tests/serial_differential.py" --decoder "$b/tests/serial_decode_json" >"$tmp/2" 2>&1
# a run that printed no plan failed: make that a failing test
for f in "$tmp/1" "$tmp/2"; do
    grep -q '^1\.\.' "$f" || { sed 's/^/# /' "$f" >"$f.x"; printf 'not ok 1 - %s produced no TAP plan\n' "$f" >"$f"; cat "$f.x" >>"$f"; }
done
# renumber: one plan for both
awk '
    /^1\.\.[0-9]+/ { if ($0 ~ /SKIP/) skipped = skipped " " $0; else plan += substr($1, 4); next }
    /^(not )?ok / { n++; sub(/^ok [0-9]+/, "ok " n); sub(/^not ok [0-9]+/, "not ok " n); lines[n] = $0; next }
    { extra[n] = extra[n] $0 "\n" }
    END {
        if (n == 0) { print "1..0 # SKIP" skipped; exit }
        print "1.." n
        for (i = 0; i <= n; i++) { if (i > 0) print lines[i]; if (extra[i] != "") printf "%s", extra[i] }
    }' "$tmp/1" "$tmp/2"
