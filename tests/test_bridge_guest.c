/* Unit tests of include/vmwire/bridge_guest.h that can run without a
 * hypervisor: the verify check, the constants and packet layout shared with
 * the host header, and the CPUID transport, which user space may execute: its
 * result must equal the compiler's own <cpuid.h> for the same leaf and
 * subleaf (BR-GUEST-2, BR-GUEST-3). VMCALL cannot run here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmwire/bridge.h"
#include "vmwire/bridge_guest.h"

#if defined(VW_BRIDGE_GUEST_HAVE_TRANSPORT)
#include <cpuid.h>
#endif

static void guest_verify_check(void **state)
{
    (void)state;
    struct vw_bridge_guest_reply r = { { 0x22, 0, VW_BRIDGE_GUEST_VMIB_VERIFY3, VW_BRIDGE_GUEST_VMIB_VERIFY4 } };
    struct vw_bridge_guest_verify v = { VW_BRIDGE_GUEST_SLOT(3) | VW_BRIDGE_GUEST_SLOT(4),
                                        { 0, 0, VW_BRIDGE_GUEST_VMIB_VERIFY3, VW_BRIDGE_GUEST_VMIB_VERIFY4 } };
    assert_true(vw_bridge_guest_verified(&r, &v));
    assert_true(vw_bridge_guest_verified(&r, NULL));
    r.values[3] ^= 1;
    assert_false(vw_bridge_guest_verified(&r, &v));
    v.present = VW_BRIDGE_GUEST_SLOT(3);
    assert_true(vw_bridge_guest_verified(&r, &v));
    /* host and guest headers agree on the constants */
    assert_int_equal(VW_BRIDGE_GUEST_VMIB_MAGIC, VW_BRIDGE_VMIB_MAGIC);
    assert_true(VW_BRIDGE_GUEST_VMIB_VERIFY3 == VW_BRIDGE_VMIB_VERIFY3);
    assert_true(VW_BRIDGE_GUEST_VMIB_VERIFY4 == VW_BRIDGE_VMIB_VERIFY4);
    /* "VMIB", "VMI-RS3!" and "VMI-RS4!" read as little-endian integers */
    const unsigned char magic[4] = { 'V', 'M', 'I', 'B' };
    const unsigned char v3[8] = { 'V', 'M', 'I', '-', 'R', 'S', '3', '!' };
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = x << 8 | v3[i];
    assert_true(x == VW_BRIDGE_VMIB_VERIFY3);
    assert_int_equal((uint32_t)magic[0] | (uint32_t)magic[1] << 8 | (uint32_t)magic[2] << 16 | (uint32_t)magic[3] << 24,
                     VW_BRIDGE_VMIB_MAGIC);
    assert_int_equal(sizeof(struct vw_bridge_guest_packet), sizeof(void *) == 8 ? 40 : 24);
    assert_int_equal(offsetof(struct vw_bridge_guest_packet, request), 4);
    assert_int_equal(offsetof(struct vw_bridge_guest_packet, method), 6);
    assert_int_equal(offsetof(struct vw_bridge_guest_packet, values), 8);
    /* BR-PKT-5: pointer-sized values; in this (64-bit) build at 8, 16, 24, 32 */
    assert_int_equal(sizeof(((struct vw_bridge_guest_packet *)0)->values[0]), sizeof(void *));
    if (sizeof(void *) == 8) {
        assert_int_equal(offsetof(struct vw_bridge_guest_packet, values[1]), 16);
        assert_int_equal(offsetof(struct vw_bridge_guest_packet, values[2]), 24);
        assert_int_equal(offsetof(struct vw_bridge_guest_packet, values[3]), 32);
        assert_int_equal(offsetof(struct vw_bridge_guest_reply, values[3]), 24);
    }
}

static void guest_cpuid_matches_processor(void **state)
{
    (void)state;
#if defined(VW_BRIDGE_GUEST_HAVE_TRANSPORT)
    /* leaf 0: highest leaf in EAX, vendor string in EBX, EDX, ECX */
    struct vw_bridge_guest_packet p = { 0, 0, 0, { 0, 0, 0, 0 } };
    struct vw_bridge_guest_reply r;
    memset(&r, 0xee, sizeof r);
    uint64_t rax = vw_bridge_guest_cpuid(&p, &r);
    unsigned a, b, c, d;
    __cpuid_count(0, 0, a, b, c, d);
    assert_true(rax == r.values[0]);
    assert_true(r.values[0] == a && r.values[1] == b && r.values[2] == c && r.values[3] == d);
    /* the host would see magic = leaf, subleaf = request | method << 16 */
    if (a >= 7) {
        const uint16_t req_meth[][2] = { { 0, 0 }, { 1, 0 }, { 0, 1 }, { 0x1234, 0x8001 } };
        for (size_t i = 0; i < sizeof req_meth / sizeof req_meth[0]; i++) {
            struct vw_bridge_guest_packet q = { 7, req_meth[i][0], req_meth[i][1], { 1, 2, 3, 4 } };
            (void)vw_bridge_guest_send(VW_BRIDGE_GUEST_CPUID, &q, NULL, &r);
            __cpuid_count(7, (unsigned)req_meth[i][0] | (unsigned)req_meth[i][1] << 16, a, b, c, d);
            assert_true(r.values[0] == a && r.values[1] == b && r.values[2] == c && r.values[3] == d);
        }
    }
    /* no host answers here, so the VMIB verify values cannot be present */
    const struct vw_bridge_guest_verify v = { VW_BRIDGE_GUEST_SLOT(3) | VW_BRIDGE_GUEST_SLOT(4),
                                              { 0, 0, VW_BRIDGE_GUEST_VMIB_VERIFY3, VW_BRIDGE_GUEST_VMIB_VERIFY4 } };
    struct vw_bridge_guest_packet vm = { VW_BRIDGE_GUEST_VMIB_MAGIC, 1, 1, { 0, 0, 0, 0 } };
    assert_false(vw_bridge_guest_send(VW_BRIDGE_GUEST_CPUID, &vm, &v, NULL));
    assert_false(vw_bridge_guest_send((enum vw_bridge_guest_transport)0, &vm, NULL, &r));
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(guest_verify_check),
        cmocka_unit_test(guest_cpuid_matches_processor),
    };
    return cmocka_run_group_tests_name("bridge_guest", tests, NULL, NULL);
}
