/* Unit tests of vw_pb_encode() and vw_pb_encoded_size() (src/pb/encode.c):
 * canonical bytes (PB-E-* of src/pb/README.md), derived by hand from the
 * wire format for messages built in C with protoc-c's initialisers. Field
 * numbers: see tests/test_pb_decode.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pb/test.pb-c.h"
#include "vmwire/pb.h"

static uint8_t want[4096];
static uint8_t out[4096];
static _Alignas(16) unsigned char mem[1 << 16];

static size_t hex(const char *h)
{
    size_t n = 0;
    for (; h[0] && h[1]; h += 2) {
        if (h[0] == ' ') {
            h--;
            continue;
        }
        char b[3] = { h[0], h[1], 0 };
        want[n++] = (uint8_t)strtoul(b, NULL, 16);
    }
    return n;
}

/* Encode @p m and compare with @p h; also check the size function and every
 * too-small buffer (PB-E-7). */
static void expect(const ProtobufCMessage *m, const char *h)
{
    size_t n = hex(h), w = 999;
    assert_int_equal(vw_pb_encoded_size(m), n);
    memset(out, 0xee, sizeof out);
    assert_int_equal(vw_pb_encode(m, out, sizeof out, &w), VW_OK);
    assert_int_equal(w, n);
    assert_memory_equal(out, want, n);
    assert_int_equal(out[n], 0xee); /* nothing written past the end */
    /* the size query */
    w = 999;
    assert_int_equal(vw_pb_encode(m, NULL, 0, &w), n ? VW_E_NOSPACE : VW_OK);
    assert_int_equal(w, n);
    for (size_t cap = 0; cap < n; cap++) {
        memset(out, 0xee, sizeof out);
        w = 999;
        assert_int_equal(vw_pb_encode(m, out, cap, &w), VW_E_NOSPACE);
        assert_int_equal(w, n);
        for (size_t i = 0; i < cap; i++)
            assert_int_equal(out[i], 0); /* no partial output */
        assert_int_equal(out[cap], 0xee);
    }
}

/* PB-E-2: proto3 defaults are not written. */
static void defaults_omitted(void **state)
{
    (void)state;
    Vwtest__Scalars s = VWTEST__SCALARS__INIT;
    expect(&s.base, "");
    Vwtest__Choice c = VWTEST__CHOICE__INIT;
    expect(&c.base, "");
    Vwtest__Repeated r = VWTEST__REPEATED__INIT;
    expect(&r.base, "");
    Vwtest__Empty e = VWTEST__EMPTY__INIT; /* no fields, no field array */
    expect(&e.base, "");
}

/* PB-E-4: every scalar type's canonical form, in field-number order (PB-E-1). */
static void scalars(void **state)
{
    (void)state;
    Vwtest__Scalars s = VWTEST__SCALARS__INIT;
    uint8_t by[2] = { 0x00, 0xff };
    s.big_field_number = 1;
    s.errno_ = -7;
    s.color = VWTEST__COLOR__GREEN;
    s.by.data = by;
    s.by.len = 2;
    s.str = "hi";
    s.b = 1;
    s.db = -2.0;
    s.fl = 1.5f;
    s.sf64 = -2;
    s.sf32 = -1;
    s.f64 = 1;
    s.f32 = 0x04030201u;
    s.s64 = 2;
    s.s32 = -3;
    s.u64 = UINT64_MAX;
    s.u32 = 300;
    s.i64 = -2;
    s.i32 = -1;
    expect(&s.base, "08ffffffffffffffffff01"
                    "10feffffffffffffffff01"
                    "18ac02"
                    "20ffffffffffffffffff01"
                    "2805"
                    "3004"
                    "3d01020304"
                    "410100000000000000"
                    "4dffffffff"
                    "51feffffffffffffff"
                    "5d0000c03f"
                    "6100000000000000c0"
                    "6801"
                    "72026869"
                    "7a0200ff"
                    "800102"
                    "8801f9ffffffffffffffff01"
                    "f8ffffff0f01");
}

/* PB-E-2: zero is left out, but -0.0 is not zero bits and is written; a bool
 * stored as any non-zero int is written as 1. */
static void zero_forms(void **state)
{
    (void)state;
    Vwtest__Scalars s = VWTEST__SCALARS__INIT;
    s.fl = -0.0f;
    s.db = -0.0;
    s.b = 2;
    expect(&s.base, "5d00000080" "610000000000000080" "6801");
    Vwtest__Scalars e = VWTEST__SCALARS__INIT;
    e.str = "";
    expect(&e.base, "");
}

/* PB-E-5: packed repeated scalars, one tag per element for [packed=false],
 * strings, bytes and messages. */
static void repeated(void **state)
{
    (void)state;
    Vwtest__Repeated r = VWTEST__REPEATED__INIT;
    uint32_t u32[] = { 1, 300 };
    int32_t i32[] = { -1 };
    uint32_t unp[] = { 1, 2 };
    int64_t s64[] = { -1, 1 };
    uint32_t f32[] = { 1, 2 };
    protobuf_c_boolean b[] = { 1, 0, 1 };
    char *str[] = { "a", "" };
    Vwtest__Inner in0 = VWTEST__INNER__INIT, in1 = VWTEST__INNER__INIT;
    Vwtest__Inner *inner[] = { &in0, &in1 };
    in1.a = 5;
    r.n_i32 = 1;
    r.i32 = i32;
    r.n_u32 = 2;
    r.u32 = u32;
    r.n_f32 = 2;
    r.f32 = f32;
    r.n_b = 3;
    r.b = b;
    r.n_str = 2;
    r.str = str;
    r.n_inner = 2;
    r.inner = inner;
    r.n_unpacked = 2;
    r.unpacked = unp;
    r.n_unpacked_s64 = 2;
    r.unpacked_s64 = s64;
    expect(&r.base, "0a0affffffffffffffffff01"
                    "1a0301ac02"
                    "3a080100000002000000"
                    "6a03010001"
                    "720161" "7200"
                    "8a0100" "8a01020805"
                    "900101" "900102"
                    "980101" "980102");
}

/* PB-E-3: a set oneof member is written even when its value is the default. */
static void oneof(void **state)
{
    (void)state;
    Vwtest__Choice c = VWTEST__CHOICE__INIT;
    c.kind_case = VWTEST__CHOICE__KIND_NUM;
    c.num = 0;
    expect(&c.base, "1000");
    c.kind_case = VWTEST__CHOICE__KIND_TEXT;
    c.text = "";
    expect(&c.base, "2200");
    Vwtest__Inner in = VWTEST__INNER__INIT;
    c.kind_case = VWTEST__CHOICE__KIND_MSG;
    c.msg = &in;
    expect(&c.base, "1a00");
    c.kind_case = VWTEST__CHOICE__KIND_FLAG;
    c.flag = 0;
    c.id = 9;
    c.color = VWTEST__COLOR__NEGATIVE;
    expect(&c.base, "0809" "3000" "40ffffffffffffffffff01");
}

/* PB-E-6: a sub-message of 128 bytes or more gets a 2-byte length prefix. */
static void long_submessage(void **state)
{
    (void)state;
    char s[201];
    memset(s, 'x', 200);
    s[200] = 0;
    Vwtest__Inner in = VWTEST__INNER__INIT;
    in.s = s;
    Vwtest__Choice c = VWTEST__CHOICE__INIT;
    c.single = &in;
    c.id = 1;
    c.color = VWTEST__COLOR__RED;
    /* single body: 12 c8 01 + 200 bytes = 203 = cb 01 */
    char h[1024] = "0801" "3acb01" "12c801";
    for (int i = 0; i < 200; i++)
        strcat(h, "78");
    strcat(h, "4001");
    expect(&c.base, h);
    /* two levels: next wraps it again: 22 cb 01 + 203 = 206 = ce 01 */
    Vwtest__Inner outer = VWTEST__INNER__INIT;
    outer.next = &in;
    c.single = &outer;
    strcpy(h, "0801" "3ace01" "22cb01" "12c801");
    for (int i = 0; i < 200; i++)
        strcat(h, "78");
    strcat(h, "4001");
    expect(&c.base, h);
}

/* PB-E-8: decode then encode gives the canonical form (merges applied,
 * packed, ordered, embedded NUL kept via the decoded string length). */
static void round_trip(void **state)
{
    (void)state;
    /* color 2 | single{a 5} | id 1 | msg{r [7]} | single{s "a"} | single{s "a\0b"} |
     * num 5 (switches the oneof away from msg) | single{r [8]} */
    size_t n = hex("4002" "3a020805" "0801" "1a021807" "3a03120161" "3a051203610062" "1005"
                   "3a021808");
    uint8_t in[64];
    memcpy(in, want, n);
    struct vw_arena a;
    ProtobufCMessage *m;
    size_t off;
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_pb_decode(&vwtest__choice__descriptor, in, n, &a, &m, &off), VW_OK);
    /* id 1 | num 5 | single{a 5, s "a\0b", r [8]} (10 bytes) | color 2 */
    expect(m, "0801" "1005" "3a0a" "0805" "1203610062" "1a0108" "4002");
}

static void bad_arguments(void **state)
{
    (void)state;
    size_t w = 5;
    Vwtest__Node nd = VWTEST__NODE__INIT;
    assert_int_equal(vw_pb_encode(NULL, out, sizeof out, &w), VW_E_INVALID_ARG);
    assert_int_equal(vw_pb_encode(&nd.base, NULL, 4, &w), VW_E_INVALID_ARG);
    assert_int_equal(vw_pb_encode(&nd.base, out, sizeof out, NULL), VW_E_INVALID_ARG);
    assert_int_equal(vw_pb_encoded_size(NULL), 0);
    /* a cycle is refused, not followed forever */
    nd.child = &nd;
    assert_int_equal(vw_pb_encode(&nd.base, out, sizeof out, &w), VW_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_omitted),
        cmocka_unit_test(scalars),
        cmocka_unit_test(zero_forms),
        cmocka_unit_test(repeated),
        cmocka_unit_test(oneof),
        cmocka_unit_test(long_submessage),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests_name("pb_encode", tests, NULL, NULL);
}
