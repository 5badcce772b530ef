#!/bin/sh
# The per-protocol umbrella headers: vmwire_ic.h and vmwire_bridge.h compile
# with no protobuf-c headers reachable (a poisoned protobuf-c/protobuf-c.h that
# #errors comes first on the include path), and vmwire_crosvm.h and
# vmwire_serial.h do reach protobuf-c (so the poison is effective). TAP output.
src="${top_srcdir:-.}"
cc="${CC:-cc}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/poison/protobuf-c"
echo '#error "protobuf-c included"' > "$tmp/poison/protobuf-c/protobuf-c.h"
echo "1..5"
i=0
try() { # name expect(0 compiles, 1 fails) header
    i=$((i + 1))
    printf '#include "vmwire/%s"\nint vwt_umbrella_%s;\n' "$3" "$1" > "$tmp/$1.c"
    if $cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$tmp/poison" -I"$src/include" "$tmp/$1.c" 2> "$tmp/$1.err"; then
        got=0
    elif grep -q 'protobuf-c included' "$tmp/$1.err"; then
        got=1
    else
        got=2 # failed for another reason
    fi
    if [ "$got" = "$2" ]; then
        echo "ok $i - $3 $( [ "$2" = 0 ] && echo 'needs no protobuf-c' || echo 'reaches protobuf-c')"
    else
        echo "not ok $i - $3"
        sed 's/^/# /' "$tmp/$1.err"
    fi
}
try ic 0 vmwire_ic.h
try bridge 0 vmwire_bridge.h
try crosvm 1 vmwire_crosvm.h
try serial 1 vmwire_serial.h
try all 1 vmwire.h
