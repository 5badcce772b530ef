#!/bin/sh
# TAP: vmwire/bridge_guest.h builds into a freestanding guest program without
# libc (-ffreestanding -nostdlib, static, own _start), warning-free, in C11
# and C99 and as a header on its own. The result cannot run here (it needs a
# VMI host on a hypervisor), so only the build and the machine code are checked.
top_srcdir=${top_srcdir:-.}
CC=${CC:-cc}
tmp=${TMPDIR:-/tmp}/vw-bridge-guest.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "1..5"
case $($CC -dumpmachine 2>/dev/null) in
x86_64-*|amd64-*) ;;
*) for i in 1 2 3 4 5; do echo "ok $i # SKIP compiler does not target x86-64"; done; exit 0 ;;
esac
warn="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
inc="-I$top_srcdir/include"
prog="$top_srcdir/tests/bridge_guest_prog.c"
n=0
t() { # t NAME COMMAND...
    n=$((n + 1)); name=$1; shift
    if "$@" >"$tmp/log" 2>&1; then echo "ok $n - $name"; else echo "not ok $n - $name"; sed 's/^/# /' "$tmp/log"; fi
}
t "C11 freestanding static link without libc" \
    $CC -std=c11 $warn -O2 -ffreestanding -nostdlib -static -fno-stack-protector -fno-pie $inc "$prog" -o "$tmp/guest"
t "C99 freestanding, -O0" \
    $CC -std=c99 $warn -O0 -ffreestanding -nostdlib -static -fno-stack-protector -fno-pie $inc "$prog" -o "$tmp/guest0"
printf '#include "vmwire/bridge_guest.h"\n' >"$tmp/alone.c"
t "header compiles on its own, -pedantic" \
    $CC -std=c11 $warn -pedantic -Wno-unused-function -ffreestanding -c $inc "$tmp/alone.c" -o "$tmp/alone.o"
# The linked program must contain both trapping instructions and no
# undefined symbol (nothing from libc crept in).
t "guest program contains vmcall and cpuid" sh -c "test -s '$tmp/guest' && { ! command -v objdump >/dev/null 2>&1 || { objdump -d '$tmp/guest' | grep -qw vmcall && objdump -d '$tmp/guest' | grep -qw cpuid; }; }"
t "guest program has no undefined symbols" sh -c "test -s '$tmp/guest' && { ! command -v nm >/dev/null 2>&1 || test -z \"\$(nm -u '$tmp/guest')\"; }"
