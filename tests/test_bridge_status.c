/* Unit tests of src/bridge/status_word.c: the packed status word
 * (spec/bridge.md BR-STAT-1, BR-STAT-2), and its agreement with the packer
 * of the guest header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmwire/bridge.h"
#include "vmwire/bridge_guest.h"

static void pack_layout(void **state)
{
    (void)state;
    struct vw_bridge_status_word w = { 0x02, VW_BRIDGE_KIND_OP_FAILED, 0x07, 0xc0000005u };
    /* stage 0x02 | kind 0xfe << 8 | error 0x07 << 16 | native << 32 */
    assert_true(vw_bridge_status_pack(&w) == 0xc00000050007fe02u);
    struct vw_bridge_status_word ok = { 0x01, VW_BRIDGE_KIND_SUCCESS, 0, 0 };
    assert_true(vw_bridge_status_pack(&ok) == 0x1);
    struct vw_bridge_status_word ab = { 0x01, VW_BRIDGE_KIND_ABORTED, 0x01, 0 };
    assert_true(vw_bridge_status_pack(&ab) == 0x1ff01);
    assert_true(vw_bridge_status_pack(NULL) == 0);
}

static void unpack_fields(void **state)
{
    (void)state;
    struct vw_bridge_status_word w;
    assert_int_equal(vw_bridge_status_unpack(0xc00000050007fe02u, &w), VW_OK);
    assert_int_equal(w.stage, 0x02);
    assert_int_equal(w.kind, 0xfe);
    assert_int_equal(w.error, 0x07);
    assert_int_equal(w.native, 0xc0000005u);
    assert_int_equal(vw_bridge_status_unpack(0x100, &w), VW_OK);
    assert_int_equal(w.kind, VW_BRIDGE_KIND_WAITING);
    assert_int_equal(vw_bridge_status_unpack(0xfd00, &w), VW_OK);
    assert_int_equal(w.kind, VW_BRIDGE_KIND_INVALID_PARAMS);
}

static void unpack_rejects(void **state)
{
    (void)state;
    struct vw_bridge_status_word w;
    memset(&w, 0xee, sizeof w);
    assert_int_equal(vw_bridge_status_unpack(0x01000001u, &w), VW_E_RESERVED); /* bit 24 */
    assert_int_equal(w.stage, 0);
    assert_int_equal(w.native, 0);
    assert_int_equal(vw_bridge_status_unpack(0x80000000u, &w), VW_E_RESERVED); /* bit 31 */
    memset(&w, 0xee, sizeof w);
    assert_int_equal(vw_bridge_status_unpack(0x0203, &w), VW_E_BAD_ENUM); /* kind 2 */
    assert_int_equal(w.stage, 0);
    assert_int_equal(vw_bridge_status_unpack(0xfc00, &w), VW_E_BAD_ENUM);
    assert_int_equal(vw_bridge_status_unpack(0, NULL), VW_E_INVALID_ARG);
}

static void round_trip_and_guest_agree(void **state)
{
    (void)state;
    static const uint8_t kinds[] = { 0x00, 0x01, 0xfd, 0xfe, 0xff };
    for (unsigned i = 0; i < 5; i++) {
        for (unsigned v = 0; v < 256; v += 51) {
            struct vw_bridge_status_word w = { (uint8_t)v, kinds[i], (uint8_t)(255 - v), 0x01020304u * v };
            uint64_t word = vw_bridge_status_pack(&w);
            assert_true(word == vw_bridge_guest_status(w.stage, w.kind, w.error, w.native));
            struct vw_bridge_status_word back;
            assert_int_equal(vw_bridge_status_unpack(word, &back), VW_OK);
            assert_int_equal(back.stage, w.stage);
            assert_int_equal(back.kind, w.kind);
            assert_int_equal(back.error, w.error);
            assert_int_equal(back.native, w.native);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pack_layout),
        cmocka_unit_test(unpack_fields),
        cmocka_unit_test(unpack_rejects),
        cmocka_unit_test(round_trip_and_guest_agree),
    };
    return cmocka_run_group_tests_name("bridge_status", tests, NULL, NULL);
}
