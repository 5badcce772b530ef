#!/bin/sh
# TAP: vmwire/bridge_guest.h builds into a freestanding guest program without
# libc (-ffreestanding -nostdlib, static, own _start), warning-free, in C11
# and C99 and as a header on its own. The result cannot run here (it needs a
# VMI host on a hypervisor), so only the build and the machine code are checked,
# including the packet layout of a 32-bit build (BR-PKT-5, when the compiler
# can target i386) and that the VMCALL transport does not load RBX (BR-GUEST-8).
top_srcdir=${top_srcdir:-.}
CC=${CC:-cc}
tmp=${TMPDIR:-/tmp}/vw-bridge-guest.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "1..7"
case $($CC -dumpmachine 2>/dev/null) in
x86_64-*|amd64-*) ;;
*) for i in 1 2 3 4 5 6 7; do echo "ok $i # SKIP compiler does not target x86-64"; done; exit 0 ;;
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
# BR-PKT-5: in a 32-bit build the values are 4 bytes wide, at 8, 12, 16, 20.
cat >"$tmp/layout32.c" <<'EOF'
#include <stddef.h>
#include "vmwire/bridge_guest.h"
_Static_assert(sizeof(void *) == 4, "a 32-bit build");
_Static_assert(offsetof(struct vw_bridge_guest_packet, values[0]) == 8, "value1 at 8");
_Static_assert(offsetof(struct vw_bridge_guest_packet, values[1]) == 12, "value2 at 12");
_Static_assert(offsetof(struct vw_bridge_guest_packet, values[2]) == 16, "value3 at 16");
_Static_assert(offsetof(struct vw_bridge_guest_packet, values[3]) == 20, "value4 at 20");
_Static_assert(sizeof(struct vw_bridge_guest_packet) == 24, "24 bytes");
_Static_assert(offsetof(struct vw_bridge_guest_reply, values[3]) == 12, "reply value4 at 12");
_Static_assert(sizeof(struct vw_bridge_guest_reply) == 16, "reply 16 bytes");
#ifdef VW_BRIDGE_GUEST_HAVE_TRANSPORT
#error "no transport is offered for 32-bit code"
#endif
/* the VMIB verify values fit the 32-bit slots without a conversion warning */
const struct vw_bridge_guest_verify vw_verify32 = { VW_BRIDGE_GUEST_SLOT(3) | VW_BRIDGE_GUEST_SLOT(4),
    { 0, 0, VW_BRIDGE_GUEST_VMIB_VERIFY3, VW_BRIDGE_GUEST_VMIB_VERIFY4 } };
_Static_assert(VW_BRIDGE_GUEST_VMIB_VERIFY3 == 0x2d494d56u, "low half of VMI-RS3!");
EOF
if printf 'int x;\n' | $CC -m32 -ffreestanding -c -x c - -o "$tmp/probe32.o" >/dev/null 2>&1; then
    t "32-bit build: packet values at 8/12/16/20, 24 bytes" \
        $CC -m32 -std=c11 $warn -ffreestanding -c $inc "$tmp/layout32.c" -o "$tmp/layout32.o"
else
    n=$((n + 1)); echo "ok $n # SKIP compiler cannot target i386 (-m32)"
fi
# BR-GUEST-8: like the vmi-rs stub, vw_bridge_guest_vmcall() does not load
# RBX: no instruction of the function writes RBX (or a part of it) before the
# VMCALL (AT&T syntax: the destination is the last operand).
cat >"$tmp/rbx.c" <<'EOF'
#include "vmwire/bridge_guest.h"
uint64_t vw_probe(const struct vw_bridge_guest_packet *p, struct vw_bridge_guest_reply *r);
uint64_t vw_probe(const struct vw_bridge_guest_packet *p, struct vw_bridge_guest_reply *r)
{
    return vw_bridge_guest_vmcall(p, r);
}
EOF
if command -v objdump >/dev/null 2>&1; then
    t "vmcall transport does not load RBX" sh -c "$CC -std=c11 $warn -O2 -ffreestanding -c $inc '$tmp/rbx.c' -o '$tmp/rbx.o' &&
        objdump -d '$tmp/rbx.o' | sed -n '/<vw_probe>:/,/vmcall/p' >'$tmp/rbx.s' && grep -qw vmcall '$tmp/rbx.s' &&
        ! grep -E ',%(rbx|ebx|bx|bl)\$|(xchg|xadd).*%(rbx|ebx)' '$tmp/rbx.s'"
else
    n=$((n + 1)); echo "ok $n # SKIP objdump not available"
fi
