#!/bin/sh
# TAP: differential test of the crosvm schemas against Google's protobuf.
# Runs tests/pb_differential.py (random, re-encoded and mutated messages fed
# to Google's python3-protobuf and to vmwire's engine through
# tests/crosvm_decode_json) once per schema revision, and merges the two TAP
# streams into one plan.
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=${top_builddir:-.}
py=${PYTHON3:-/usr/bin/python3}
dec="$builddir/tests/crosvm_decode_json"
count=${CROSVM_DIFF_COUNT:-500}

if ! command -v "$py" >/dev/null 2>&1; then
    echo "1..0 # SKIP python3 not found"
    exit 0
fi
if [ ! -x "$dec" ]; then
    echo "1..0 # SKIP $dec is not built"
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/crosvm-diff.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

for rev in seed final; do
    "$py" "$srcdir/tests/pb_differential.py" \
        --proto "$srcdir/proto/crosvm/$rev/plugin.proto" --include "$srcdir/proto" \
        --decoder "$dec" --count "$count" \
        --messages "vmwire.crosvm.$rev.MainRequest,vmwire.crosvm.$rev.MainResponse,vmwire.crosvm.$rev.VcpuRequest,vmwire.crosvm.$rev.VcpuResponse" \
        > "$tmp/$rev.tap" 2> "$tmp/$rev.err"
    echo $? > "$tmp/$rev.rc"
done

for rev in seed final; do
    if [ "$(cat "$tmp/$rev.rc")" != 0 ]; then
        echo "1..1"
        echo "not ok 1 - pb_differential.py ($rev) exited with $(cat "$tmp/$rev.rc")"
        sed 's/^/# /' "$tmp/$rev.err" | head -20
        exit 1
    fi
done

# Merge: renumber the test lines under one plan; a skip of either run skips
# the whole script.
awk '
    BEGIN { n = 0; skip = "" }
    FNR == 1 { rev = FILENAME; sub(".*/", "", rev); sub(/\.tap$/, "", rev) }
    /^1\.\.0/ { skip = $0; next }
    /^1\.\./ { next }
    /^(not )?ok [0-9]+/ {
        n++
        line = $0
        if (line ~ /^ok/) sub(/^ok [0-9]+( -)?/, "ok " n " - " rev ":", line)
        else sub(/^not ok [0-9]+( -)?/, "not ok " n " - " rev ":", line)
        out[n] = line
        next
    }
    { extra[n] = extra[n] $0 "\n" }
    END {
        if (skip != "") { print skip; exit }
        print "1.." n
        for (i = 1; i <= n; i++) { print out[i]; if (i in extra) printf "%s", extra[i] }
    }' "$tmp/seed.tap" "$tmp/final.tap"
