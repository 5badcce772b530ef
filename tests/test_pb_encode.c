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

/* Encode @p m and compare with the @p n bytes of want[]; also check the size
 * function, every too-small buffer (PB-E-7) and buffers from the exact size
 * up to 40 bytes more (which take the encoder's checked and unchecked paths
 * at different fields): the bytes past the output are never written. */
static void expect_want(const ProtobufCMessage *m, size_t n)
{
    size_t w = 999;
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
    for (size_t cap = n; cap <= n + 40; cap++) {
        memset(out, 0xee, sizeof out);
        w = 999;
        assert_int_equal(vw_pb_encode(m, out, cap, &w), VW_OK);
        assert_int_equal(w, n);
        assert_memory_equal(out, want, n);
        for (size_t i = n; i <= cap; i++)
            assert_int_equal(out[i], 0xee);
    }
}

/* Encode @p m and compare with the hex string @p h (see expect_want()). */
static void expect(const ProtobufCMessage *m, const char *h)
{
    expect_want(m, hex(h));
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

/* ---- reference bytes built from the wire format's definition ------------- */

struct ref {
    uint8_t b[2048];
    size_t n;
};

static void ref_varint(struct ref *r, uint64_t v)
{
    do {
        uint8_t byte = (uint8_t)(v & 0x7f);
        v >>= 7;
        r->b[r->n++] = (uint8_t)(byte | (v ? 0x80 : 0));
    } while (v);
}

/* Field @p fn, wire type 2, holding the bytes of @p body. */
static void ref_ld(struct ref *r, uint32_t fn, const struct ref *body)
{
    ref_varint(r, (uint64_t)fn << 3 | 2);
    ref_varint(r, body->n);
    memcpy(r->b + r->n, body->b, body->n);
    r->n += body->n;
}

/* want[] = the bytes of @p r, and the same bytes from protobuf-c's pack as a
 * second opinion (for messages where the two must agree: no bool other than
 * 0 and 1, no -0.0). */
static void expect_ref(const ProtobufCMessage *m, const struct ref *r)
{
    static uint8_t pc[4096];
    assert_int_equal(protobuf_c_message_get_packed_size(m), r->n);
    assert_int_equal(protobuf_c_message_pack(m, pc), r->n);
    assert_memory_equal(pc, r->b, r->n);
    memcpy(want, r->b, r->n);
    expect_want(m, r->n);
}

/* The smallest and the largest value of each varint length 1..10. */
static uint64_t len_value(unsigned len, int largest)
{
    if (largest)
        return len == 10 ? UINT64_MAX : (UINT64_C(1) << (7 * len)) - 1;
    return len == 1 ? 0 : UINT64_C(1) << (7 * (len - 1));
}

/* PB-E-4: varints of every length, alone and in a packed run, for the 64-bit,
 * 32-bit, zig-zag and sign-extended types. */
static void varint_lengths(void **state)
{
    (void)state;
    for (unsigned len = 1; len <= 10; len++) {
        for (int largest = 0; largest < 2; largest++) {
            uint64_t v = len_value(len, largest);
            struct ref r = { .n = 0 };
            Vwtest__Scalars s = VWTEST__SCALARS__INIT;
            if (v) { /* zero is left out (PB-E-2) */
                /* i64 = v, u64 = v, s64 with zig-zag image v */
                s.i64 = (int64_t)v;
                s.u64 = v;
                s.s64 = (int64_t)((v >> 1) ^ (0 - (v & 1)));
                ref_varint(&r, 0x10);
                ref_varint(&r, v);
                ref_varint(&r, 0x20);
                ref_varint(&r, v);
                ref_varint(&r, 0x30);
                ref_varint(&r, v);
            }
            expect_ref(&s.base, &r);

            /* a packed run of one element of each 64-bit type */
            Vwtest__Repeated rp = VWTEST__REPEATED__INIT;
            uint64_t u = v;
            int64_t zz = (int64_t)((v >> 1) ^ (0 - (v & 1)));
            rp.n_u64 = 1;
            rp.u64 = &u;
            rp.n_s64 = 1;
            rp.s64 = &zz;
            struct ref one = { .n = 0 };
            ref_varint(&one, v);
            r.n = 0;
            ref_ld(&r, 4, &one);
            ref_ld(&r, 6, &one);
            expect_ref(&rp.base, &r);

            if (len > 5 || (len == 5 && largest))
                continue; /* beyond 32 bits */
            /* 32-bit types: the same value in u32 and zig-zagged in s32 */
            Vwtest__Scalars s32 = VWTEST__SCALARS__INIT;
            r.n = 0;
            if (v) {
                s32.u32 = (uint32_t)v;
                s32.s32 = (int32_t)(((uint32_t)v >> 1) ^ (0u - ((uint32_t)v & 1)));
                ref_varint(&r, 0x18);
                ref_varint(&r, v);
                ref_varint(&r, 0x28);
                ref_varint(&r, v);
            }
            expect_ref(&s32.base, &r);
        }
    }
    /* UINT32_MAX: 5 bytes; negative int32 and enum: 10 bytes */
    Vwtest__Scalars s = VWTEST__SCALARS__INIT;
    s.u32 = UINT32_MAX;
    s.i32 = INT32_MIN;
    s.color = VWTEST__COLOR__NEGATIVE;
    expect(&s.base, "0880808080f8ffffffff01" "18ffffffff0f"
                    "8001ffffffffffffffffff01");
}

/* A value of varint length 1 + (i * 7) % 10, varying with @p salt. */
static uint64_t mixed(unsigned i, unsigned salt)
{
    unsigned len = 1 + (i * 7 + salt) % 10;
    uint64_t lo = len_value(len, 0), hi = len_value(len, 1);
    return lo + (hi - lo) / 3 * ((i + salt) % 4);
}

/* PB-E-5: packed runs of 0 to 40 elements of mixed lengths (up to 220 bytes,
 * so both one- and two-byte length prefixes) for every varint type. */
static void packed_runs(void **state)
{
    (void)state;
    static uint64_t u64[40];
    static int64_t i64[40], s64[40];
    static int32_t i32[40], s32[40];
    static uint32_t u32[40];
    static Vwtest__Color color[40];
    static protobuf_c_boolean b[40];
    for (unsigned n = 0; n <= 40; n++) {
        struct ref r = { .n = 0 }, run[7];
        memset(run, 0, sizeof run);
        for (unsigned i = 0; i < n; i++) {
            uint64_t v = mixed(i, n);
            uint32_t v32 = (uint32_t)v;
            u64[i] = v;
            i64[i] = (int64_t)v;
            s64[i] = (int64_t)((v >> 1) ^ (0 - (v & 1)));
            i32[i] = (int32_t)v32; /* negative ones sign-extend to 10 bytes */
            color[i] = (Vwtest__Color)(int32_t)v32;
            u32[i] = v32;
            s32[i] = (int32_t)((v32 >> 1) ^ (0u - (v32 & 1)));
            b[i] = (protobuf_c_boolean)(v & 1);
            ref_varint(&run[0], (uint64_t)(int64_t)(int32_t)v32);
            ref_varint(&run[1], v);
            ref_varint(&run[2], v32);
            ref_varint(&run[3], v);
            ref_varint(&run[4], v32);
            ref_varint(&run[5], v);
            ref_varint(&run[6], v & 1);
        }
        Vwtest__Repeated rp = VWTEST__REPEATED__INIT;
        rp.n_i32 = rp.n_i64 = rp.n_u32 = rp.n_u64 = rp.n_s32 = rp.n_s64 = rp.n_b = n;
        rp.n_color = n;
        rp.i32 = i32;
        rp.i64 = i64;
        rp.u32 = u32;
        rp.u64 = u64;
        rp.s32 = s32;
        rp.s64 = s64;
        rp.b = b;
        rp.color = color;
        if (n) {
            ref_ld(&r, 1, &run[0]);
            ref_ld(&r, 2, &run[1]);
            ref_ld(&r, 3, &run[2]);
            ref_ld(&r, 4, &run[3]);
            ref_ld(&r, 5, &run[4]);
            ref_ld(&r, 6, &run[5]);
            ref_ld(&r, 13, &run[6]);
            ref_ld(&r, 16, &run[0]);
        }
        expect_ref(&rp.base, &r);
        /* one run alone, so that it ends the output */
        Vwtest__Repeated one = VWTEST__REPEATED__INIT;
        one.n_u64 = n;
        one.u64 = u64;
        r.n = 0;
        if (n)
            ref_ld(&r, 4, &run[3]);
        expect_ref(&one.base, &r);
    }
}

/* PB-E-6, PB-E-7: sub-messages holding packed runs, two levels deep, with
 * bodies below and above 127 bytes; every too-small buffer reports the
 * exact size (expect_want()). */
static void nested_packed(void **state)
{
    (void)state;
    static uint32_t vals[3][40];
    for (unsigned k = 0; k < 3; k++)
        for (unsigned i = 0; i < 40; i++)
            vals[k][i] = (uint32_t)mixed(i, k) & 0x7fffffffu;
    static const unsigned counts[][3] = { { 1, 1, 1 }, { 5, 6, 7 }, { 20, 3, 40 }, { 40, 40, 40 },
                                          { 0, 33, 0 } };
    for (size_t t = 0; t < sizeof counts / sizeof counts[0]; t++) {
        Vwtest__Inner deep = VWTEST__INNER__INIT, mid = VWTEST__INNER__INIT,
                      single = VWTEST__INNER__INIT;
        deep.n_r = counts[t][0];
        deep.r = vals[0];
        deep.s = "tail";
        mid.a = UINT64_C(0x123456789);
        mid.n_r = counts[t][1];
        mid.r = vals[1];
        mid.next = &deep;
        single.n_r = counts[t][2];
        single.r = vals[2];
        Vwtest__Choice c = VWTEST__CHOICE__INIT;
        c.id = 300;
        c.kind_case = VWTEST__CHOICE__KIND_MSG;
        c.msg = &mid;
        c.single = &single;
        c.color = VWTEST__COLOR__GREEN;

        struct ref run[3], deep_b = { .n = 0 }, mid_b = { .n = 0 }, single_b = { .n = 0 },
                           r = { .n = 0 };
        memset(run, 0, sizeof run);
        for (unsigned k = 0; k < 3; k++)
            for (unsigned i = 0; i < counts[t][k]; i++)
                ref_varint(&run[k], vals[k][i]);
        ref_varint(&deep_b, 0x12);
        ref_varint(&deep_b, 4);
        memcpy(deep_b.b + deep_b.n, "tail", 4);
        deep_b.n += 4;
        if (counts[t][0])
            ref_ld(&deep_b, 3, &run[0]);
        ref_varint(&mid_b, 0x08);
        ref_varint(&mid_b, UINT64_C(0x123456789));
        if (counts[t][1])
            ref_ld(&mid_b, 3, &run[1]);
        ref_ld(&mid_b, 4, &deep_b);
        if (counts[t][2])
            ref_ld(&single_b, 3, &run[2]);
        ref_varint(&r, 0x08);
        ref_varint(&r, 300);
        ref_ld(&r, 3, &mid_b);
        ref_ld(&r, 7, &single_b);
        ref_varint(&r, 0x40);
        ref_varint(&r, 2);
        expect_ref(&c.base, &r);
    }
}

/* PB-E-7: a message too deep is refused as invalid even when the buffer runs
 * out before the encoder gets that deep; the buffer is still cleared. */
static void too_deep_small_buffer(void **state)
{
    (void)state;
    Vwtest__Node nd = VWTEST__NODE__INIT;
    nd.child = &nd;
    nd.value = 1;
    assert_int_equal(vw_pb_encoded_size(&nd.base), SIZE_MAX);
    size_t w = 5;
    assert_int_equal(vw_pb_encode(&nd.base, NULL, 0, &w), VW_E_INVALID_ARG);
    assert_int_equal(w, 0);
    for (size_t cap = 0; cap < 64; cap++) {
        memset(out, 0xee, sizeof out);
        w = 5;
        assert_int_equal(vw_pb_encode(&nd.base, out, cap, &w), VW_E_INVALID_ARG);
        assert_int_equal(w, 0);
        for (size_t i = 0; i < cap; i++)
            assert_int_equal(out[i], 0);
        assert_int_equal(out[cap], 0xee);
    }
    /* 100 levels below the top are fine, 101 are not */
    static Vwtest__Node chain[102];
    for (int i = 0; i < 102; i++) {
        vwtest__node__init(&chain[i]);
        chain[i].child = i + 1 < 102 ? &chain[i + 1] : NULL;
    }
    chain[100].child = NULL;
    assert_int_equal(vw_pb_encode(&chain[0].base, out, sizeof out, &w), VW_OK);
    assert_true(w > 2 * 100);
    assert_int_equal(vw_pb_encoded_size(&chain[0].base), w);
    chain[100].child = &chain[101];
    assert_int_equal(vw_pb_encode(&chain[0].base, out, sizeof out, &w), VW_E_INVALID_ARG);
    assert_int_equal(vw_pb_encode(&chain[0].base, out, 10, &w), VW_E_INVALID_ARG);
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
        cmocka_unit_test(varint_lengths),
        cmocka_unit_test(packed_runs),
        cmocka_unit_test(nested_packed),
        cmocka_unit_test(too_deep_small_buffer),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests_name("pb_encode", tests, NULL, NULL);
}
