/* Unit tests of src/bridge/status_word.c: the vmi-rs example convention
 * (spec/bridge.md BR-STAT-1, BR-STAT-2: vw_bridge_terminal_*) and vmwire's own
 * 64-bit layout (BR-STAT-4: vw_bridge_status_pack/unpack), and their agreement
 * with the packers of the guest header. */
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

/* vmi-rs feat/tmpsc2 examples/windows-bridge/bridge.rs TerminalResult::encode:
 * stage | status << 8 | code << 16; result.h packed_status() the same. */
static void terminal_encode_layout(void **state)
{
    (void)state;
    struct vw_bridge_terminal t = { 0x02, VW_BRIDGE_KIND_OP_FAILED, 0x07, 0xc0000005u };
    assert_true(vw_bridge_terminal_encode(&t) == 0x07fe02u); /* native not in the word */
    struct vw_bridge_terminal ab = { 0x01, VW_BRIDGE_KIND_ABORTED, 0x01, 0 };
    assert_true(vw_bridge_terminal_encode(&ab) == 0x1ff01u);
    struct vw_bridge_terminal odd = { 0xff, 0x42, 0xff, 0 }; /* an unnamed status packs as given */
    assert_true(vw_bridge_terminal_encode(&odd) == 0xff42ffu);
    assert_true(vw_bridge_terminal_encode(NULL) == 0);
    assert_true(vw_bridge_guest_packed_status(0x02, 0xfe, 0x07) == 0x07fe02u);
    assert_true(vw_bridge_guest_packed_status(0xff, 0xff, 0xff) == 0xffffffu);
}

/* TerminalResult::decode: bits 0..7, 8..15, 16..23; the rest ignored; an
 * unknown status kept as TerminalStatus(n); the native code is value2. */
static void terminal_decode_lenient(void **state)
{
    (void)state;
    struct vw_bridge_terminal t;
    memset(&t, 0xee, sizeof t);
    assert_int_equal(vw_bridge_terminal_decode(0x07fe02u, 0x80004005u, &t), VW_OK);
    assert_int_equal(t.stage, 0x02);
    assert_int_equal(t.status, 0xfe);
    assert_int_equal(t.code, 0x07);
    assert_true(t.native == 0x80004005u);
    /* bits 24..63 ignored: vmwire's own 64-bit word reads as its low 24 bits */
    assert_int_equal(vw_bridge_terminal_decode(0xc0000005ff07fe02u, 0, &t), VW_OK);
    assert_int_equal(t.stage, 0x02);
    assert_int_equal(t.status, 0xfe);
    assert_int_equal(t.code, 0x07);
    assert_true(t.native == 0);
    /* a status byte without a name is kept */
    assert_int_equal(vw_bridge_terminal_decode(0x0203, UINT64_MAX, &t), VW_OK);
    assert_int_equal(t.status, 0x02);
    assert_int_equal(t.stage, 0x03);
    assert_true(t.native == UINT64_MAX);
    assert_int_equal(vw_bridge_terminal_decode(0, 0, NULL), VW_E_INVALID_ARG);
    /* round trip through the guest packer */
    for (unsigned v = 0; v < 256; v += 17) {
        uint64_t word = vw_bridge_guest_packed_status((uint8_t)v, (uint8_t)(v ^ 0x5a), (uint8_t)(255 - v));
        assert_int_equal(vw_bridge_terminal_decode(word, v, &t), VW_OK);
        assert_int_equal(t.stage, v);
        assert_int_equal(t.status, v ^ 0x5a);
        assert_int_equal(t.code, 255 - v);
        assert_true(vw_bridge_terminal_encode(&t) == word);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(terminal_encode_layout),
        cmocka_unit_test(terminal_decode_lenient),
        cmocka_unit_test(pack_layout),
        cmocka_unit_test(unpack_fields),
        cmocka_unit_test(unpack_rejects),
        cmocka_unit_test(round_trip_and_guest_agree),
    };
    return cmocka_run_group_tests_name("bridge_status", tests, NULL, NULL);
}
