/* A freestanding guest program that uses vmwire/bridge_guest.h. It is only
 * compiled and linked (tests/bridge_guest_compile.sh): running it needs a VMI
 * host listening on a hypervisor. No libc: it brings its own _start. */
#include "vmwire/bridge_guest.h"

#ifndef VW_BRIDGE_GUEST_HAVE_TRANSPORT
#error "bridge_guest.h provides no transport for this target"
#endif

/* GCC and Clang may emit calls to memcpy and memset for struct copies and
 * initialisers even with -ffreestanding (both document that a freestanding
 * environment must provide them), so a guest program without libc brings its
 * own. The volatile stores keep the compiler from turning the loops back into
 * calls to themselves. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n)
{
    volatile unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}
void *memset(void *dst, int c, size_t n)
{
    volatile unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

/* The example convention's deploy gate: ask until the host says continue or abort. */
static int wait_at_gate(enum vw_bridge_guest_transport t)
{
    const struct vw_bridge_guest_verify v = {
        VW_BRIDGE_GUEST_SLOT(3) | VW_BRIDGE_GUEST_SLOT(4),
        { 0, 0, VW_BRIDGE_GUEST_VMIB_VERIFY3, VW_BRIDGE_GUEST_VMIB_VERIFY4 },
    };
    struct vw_bridge_guest_packet p = { VW_BRIDGE_GUEST_VMIB_MAGIC, 0x0001, 0x0001, { 0, 0, 0, 0 } };
    for (unsigned tries = 0; tries < 1000; tries++) {
        struct vw_bridge_guest_reply r;
        if (vw_bridge_guest_send(t, &p, &v, &r)) {
            if (r.values[0] == 0)
                return 0;
            if (r.values[0] == 0xffffffffu)
                return -1;
        }
    }
    return -1;
}

static void report_exit(enum vw_bridge_guest_transport t, int ok)
{
    struct vw_bridge_guest_packet p = { VW_BRIDGE_GUEST_VMIB_MAGIC, 0x0001, 0xffff, { 0, 0, 0, 0 } };
    p.values[0] = vw_bridge_guest_packed_status(2, ok ? 0x00 : 0xff, 0); /* BR-STAT-1 */
    p.values[1] = 0;                                                    /* native code */
    struct vw_bridge_guest_reply r;
    (void)vw_bridge_guest_send(t, &p, NULL, &r);
}

void _start(void);
void _start(void)
{
    int ok = wait_at_gate(VW_BRIDGE_GUEST_VMCALL) == 0;
    report_exit(VW_BRIDGE_GUEST_VMCALL, ok);
    struct vw_bridge_guest_packet legacy = { 0x4b454b57u, 0x0002, 0x0001, { 1, 2, 3, 4 } };
    (void)vw_bridge_guest_cpuid(&legacy, 0);
    for (;;)
        __asm__ __volatile__("hlt");
}
