/* Unit tests of vw_pb_decode() (src/pb/decode.c) on the engine's own schema
 * (tests/pb/test.proto). Every expected value is derived by hand from the
 * wire format; the semantic classes are those of src/pb/README.md (PB-D-*),
 * each adapted from the example of the protobuf-semantics facts to this
 * schema. Field numbers used below:
 *   Scalars: i32 1, i64 2, u32 3, u64 4, s32 5, s64 6, f32 7 (fixed32),
 *            f64 8, sf32 9, sf64 10, fl 11, db 12, b 13, str 14, by 15,
 *            color 16, errno_ 17, big_field_number 536870911
 *   Choice:  id 1, oneof kind {num 2, msg 3 (Inner), text 4, other 5 (Inner),
 *            flag 6}, single 7 (Inner), color 8
 *   Inner:   a 1 (uint64), s 2, r 3 (repeated uint32, packed), next 4
 *   Repeated: u32 3 (packed), f32 7 (packed fixed32), str 14, inner 17,
 *            unpacked 18 ([packed=false])
 *   Node:    child 1, value 2 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pb/test.pb-c.h"
#include "vmwire/pb.h"

/* ---- counting allocations: decode must never allocate (PB-M-1) ------------
 * Normally by interposing malloc/calloc/realloc; under a sanitizer, which
 * owns malloc, through its allocation hooks. */
#if defined(__SANITIZE_ADDRESS__)
#define VW_SAN_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define VW_SAN_HOOKS 1
#endif
#endif

static volatile int counting;
static volatile unsigned long n_allocs;

#ifdef VW_SAN_HOOKS
#include <sanitizer/allocator_interface.h>

static void on_malloc(const volatile void *p, size_t n)
{
    (void)p;
    (void)n;
    if (counting)
        n_allocs++;
}

static void on_free(const volatile void *p)
{
    (void)p;
}
#else
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);

void *malloc(size_t n)
{
    if (counting)
        n_allocs++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    if (counting)
        n_allocs++;
    return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    if (counting)
        n_allocs++;
    return __libc_realloc(p, n);
}
#endif

/* ---- helpers ------------------------------------------------------------------ */

static _Alignas(16) unsigned char mem[1 << 16];
static uint8_t in[4096];

static size_t hex(const char *h)
{
    size_t n = 0;
    for (; h[0] && h[1]; h += 2) {
        unsigned v;
        char b[3] = { h[0], h[1], 0 };
        v = (unsigned)strtoul(b, NULL, 16);
        in[n++] = (uint8_t)v;
    }
    return n;
}

struct res {
    vw_status st;
    size_t off;
    ProtobufCMessage *m;
};

static struct res dec(const ProtobufCMessageDescriptor *d, const char *h)
{
    struct vw_arena a;
    struct res r;
    size_t n = hex(h);
    vw_arena_init(&a, mem, sizeof mem);
    r.st = vw_pb_decode(d, in, n, &a, &r.m, &r.off);
    if (r.st != VW_OK)
        assert_null(r.m);
    else
        assert_int_equal(r.off, n);
    return r;
}

static Vwtest__Scalars *scal(const char *h)
{
    struct res r = dec(&vwtest__scalars__descriptor, h);
    assert_int_equal(r.st, VW_OK);
    return (Vwtest__Scalars *)r.m;
}

static Vwtest__Choice *choice(const char *h)
{
    struct res r = dec(&vwtest__choice__descriptor, h);
    assert_int_equal(r.st, VW_OK);
    return (Vwtest__Choice *)r.m;
}

static Vwtest__Repeated *rep(const char *h)
{
    struct res r = dec(&vwtest__repeated__descriptor, h);
    assert_int_equal(r.st, VW_OK);
    return (Vwtest__Repeated *)r.m;
}

static void fails(const ProtobufCMessageDescriptor *d, const char *h, vw_status st, size_t off)
{
    struct res r = dec(d, h);
    assert_int_equal(r.st, st);
    assert_int_equal(r.off, off);
}

/* ---- every scalar type ---------------------------------------------------------- */

static void scalars_all_types(void **state)
{
    (void)state;
    /* i32 -1 (10 bytes), i64 -2, u32 300, u64 2^64-1, s32 -3 (5), s64 2 (4),
     * f32 0x04030201, f64 1, sf32 -1, sf64 -2, fl 1.5 (0x3fc00000),
     * db -2.0 (0xc000000000000000), b true, str "hi", by 00ff, color GREEN,
     * errno_ -7 (10 bytes) */
    Vwtest__Scalars *s = scal("08ffffffffffffffffff01"
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
                              "61000000000000" "00c0"
                              "6801"
                              "72026869"
                              "7a0200ff"
                              "800102"
                              "8801f9ffffffffffffffff01");
    assert_int_equal(s->i32, -1);
    assert_int_equal(s->i64, -2);
    assert_int_equal(s->u32, 300);
    assert_true(s->u64 == UINT64_MAX);
    assert_int_equal(s->s32, -3);
    assert_int_equal(s->s64, 2);
    assert_int_equal(s->f32, 0x04030201u);
    assert_int_equal(s->f64, 1);
    assert_int_equal(s->sf32, -1);
    assert_int_equal(s->sf64, -2);
    assert_true(s->fl == 1.5f);
    assert_true(s->db == -2.0);
    assert_int_equal(s->b, 1);
    assert_string_equal(s->str, "hi");
    assert_int_equal(vw_pb_string_len(s->str), 2);
    assert_int_equal(s->by.len, 2);
    assert_int_equal(s->by.data[1], 0xff);
    assert_int_equal(s->color, VWTEST__COLOR__GREEN);
    assert_int_equal(s->errno_, -7);
}

/* PB-D-14: bytes point into the input, no copy. */
static void bytes_point_into_input(void **state)
{
    (void)state;
    Vwtest__Scalars *s = scal("08017a03010203");
    assert_ptr_equal(s->by.data, in + 4);
    assert_int_equal(s->by.len, 3);
}

/* A field number above every range: the second field_ranges entry (binary search). */
static void big_field_number(void **state)
{
    (void)state;
    /* tag = 536870911 << 3 = 0xfffffff8 = f8 ff ff ff 0f */
    Vwtest__Scalars *s = scal("f8ffffff0f07");
    assert_int_equal(s->big_field_number, 7);
    /* 536870910: not in the schema, skipped */
    s = scal("f0ffffff0f07");
    assert_int_equal(s->big_field_number, 0);
}

/* ---- the semantic classes of the facts table ---------------------------------- */

/* PB-D-2: a known field with the wrong wire type is an unknown field
 * (facts: MainResponse 0d01020304 -> {}). */
static void wrong_wire_type_skipped(void **state)
{
    (void)state;
    Vwtest__Scalars *s = scal("0d01020304");
    assert_int_equal(s->i32, 0);
    s = scal("0a0105" "0805");
    assert_int_equal(s->i32, 5);
    /* uint64 a of Inner given as fixed64: skipped */
    Vwtest__Choice *c = choice("3a09090100000000000000");
    assert_non_null(c->single);
    assert_true(c->single->a == 0);
}

/* PB-D-2, PB-D-4: bool with wrong wire types is skipped, not read from raw bytes
 * (facts: 32050d01000000 -> checkExtension {}). */
static void bool_wrong_wire_type(void **state)
{
    (void)state;
    Vwtest__Scalars *s = scal("6d01000000");
    assert_int_equal(s->b, 0);
    s = scal("6a0101");
    assert_int_equal(s->b, 0);
    /* the oneof member flag (6) as fixed32: skipped, the oneof stays unset */
    Vwtest__Choice *c = choice("3501000000");
    assert_int_equal(c->kind_case, VWTEST__CHOICE__KIND__NOT_SET);
}

/* PB-D-4: a bool is the whole 64-bit varint != 0; bits above 63 are dropped
 * (facts: 0880808080808080808002 -> false). */
static void bool_from_long_varint(void **state)
{
    (void)state;
    assert_int_equal(scal("6880808080808080808002")->b, 0);
    assert_int_equal(scal("6880808080808080808001")->b, 1);
    assert_int_equal(scal("688080808010")->b, 1);
    assert_int_equal(scal("6802")->b, 1);
}

/* PB-D-12: proto3 strings must be UTF-8 (facts: c080, eda080, ff invalid). */
static void utf8_checked(void **state)
{
    (void)state;
    fails(&vwtest__scalars__descriptor, "7202c080", VW_E_BAD_UTF8, 2);
    fails(&vwtest__scalars__descriptor, "7203eda080", VW_E_BAD_UTF8, 2);
    fails(&vwtest__scalars__descriptor, "7201ff", VW_E_BAD_UTF8, 2);
    fails(&vwtest__scalars__descriptor, "7204f4908080", VW_E_BAD_UTF8, 2);
    fails(&vwtest__scalars__descriptor, "7203e080af", VW_E_BAD_UTF8, 2);
    fails(&vwtest__scalars__descriptor, "7201c2", VW_E_BAD_UTF8, 2);
    fails(&vwtest__scalars__descriptor, "720180", VW_E_BAD_UTF8, 2);
    /* nested, inside a oneof member and a repeated field */
    fails(&vwtest__choice__descriptor, "1a03120180", VW_E_BAD_UTF8, 4);
    fails(&vwtest__repeated__descriptor, "720161" "7201ff", VW_E_BAD_UTF8, 5);
    /* valid: U+20AC, U+10FFFF, U+D7FF, U+E000 */
    assert_string_equal(scal("7203e282ac")->str, "\xe2\x82\xac");
    assert_int_equal(vw_pb_string_len(scal("7204f48fbfbf")->str), 4);
    assert_int_equal(vw_pb_string_len(scal("7203ed9fbf")->str), 3);
    assert_int_equal(vw_pb_string_len(scal("7203ee8080")->str), 3);
    /* bytes and unknown fields are not checked */
    assert_int_equal(scal("7a01ff")->by.len, 1);
    assert_int_equal(scal("aa0201ff")->i32, 0);
}

/* PB-D-13: embedded U+0000 kept, length from the wire (facts: 610062). */
static void embedded_nul_kept(void **state)
{
    (void)state;
    Vwtest__Scalars *s = scal("7203610062");
    assert_int_equal(vw_pb_string_len(s->str), 3);
    assert_memory_equal(s->str, "a\0b", 4);
    /* an absent string is protobuf-c's empty string, length 0 */
    s = scal("");
    assert_int_equal(vw_pb_string_len(s->str), 0);
    assert_int_equal(vw_pb_string_len(NULL), 0);
}

/* PB-D-10: a singular sub-message occurring twice is merged
 * (facts: MainRequest 0a0208050a00 -> {"create":{"id":5}}). */
static void submessage_merged(void **state)
{
    (void)state;
    /* oneof member msg (3) twice */
    Vwtest__Choice *c = choice("1a020805" "1a00");
    assert_int_equal(c->kind_case, VWTEST__CHOICE__KIND_MSG);
    assert_true(c->msg->a == 5);
    /* non-oneof single (7): scalars of the first kept, repeated appended, strings replaced */
    c = choice("3a0a0805120178" "1a03010203" "3a07120179" "1a020405");
    assert_true(c->single->a == 5);
    assert_string_equal(c->single->s, "y");
    assert_int_equal(c->single->n_r, 5);
    assert_int_equal(c->single->r[0], 1);
    assert_int_equal(c->single->r[4], 5);
    /* merge two levels down: single.next.a then single.next.s */
    c = choice("3a0422020801" "3a0622041202686b");
    assert_true(c->single->next->a == 1);
    assert_string_equal(c->single->next->s, "hk");
    /* a later scalar wins inside the merge */
    c = choice("3a020801" "3a020802");
    assert_true(c->single->a == 2);
}

/* PB-D-11: oneof, last member wins; switching member discards the old one. */
static void oneof_last_wins(void **state)
{
    (void)state;
    Vwtest__Choice *c = choice("1005" "220178");
    assert_int_equal(c->kind_case, VWTEST__CHOICE__KIND_TEXT);
    assert_string_equal(c->text, "x");
    c = choice("220178" "1005");
    assert_int_equal(c->kind_case, VWTEST__CHOICE__KIND_NUM);
    assert_int_equal(c->num, 5);
    /* msg a=5, then other, then msg again: a fresh msg, a == 0 */
    c = choice("1a020805" "2a00" "1a00");
    assert_int_equal(c->kind_case, VWTEST__CHOICE__KIND_MSG);
    assert_true(c->msg->a == 0);
    /* a zero value still selects the member */
    c = choice("1000");
    assert_int_equal(c->kind_case, VWTEST__CHOICE__KIND_NUM);
    c = choice("3000");
    assert_int_equal(c->kind_case, VWTEST__CHOICE__KIND_FLAG);
    assert_int_equal(c->flag, 0);
    /* a member with the wrong wire type does not select it */
    c = choice("1005" "2005");
    assert_int_equal(c->kind_case, VWTEST__CHOICE__KIND_NUM);
    c = choice("1005" "1b1c");
    assert_int_equal(c->kind_case, VWTEST__CHOICE__KIND_NUM);
}

/* PB-D-9: well-formed groups are skipped at any depth (facts: 0b0c0803 -> errno -2). */
static void groups_skipped(void **state)
{
    (void)state;
    assert_int_equal(scal("0b0c2803")->s32, -2);
    assert_int_equal(scal("0b13140c2803")->s32, -2);
    /* a group with content, and a group on a known field number (wrong wire type) */
    assert_int_equal(scal("2b" "0801" "1201ff" "2c" "2805")->s32, -3);
    /* inside a sub-message */
    assert_true(choice("3a080b0c0807bb01bc01")->single->a == 7);
    fails(&vwtest__scalars__descriptor, "0b14", VW_E_BAD_WIRE_TYPE, 1);
    fails(&vwtest__scalars__descriptor, "0b", VW_E_TRUNCATED, 1);
    fails(&vwtest__scalars__descriptor, "0b0801", VW_E_TRUNCATED, 3);
    fails(&vwtest__scalars__descriptor, "0b0c0c", VW_E_BAD_WIRE_TYPE, 2);
    fails(&vwtest__scalars__descriptor, "0b000c", VW_E_BAD_FIELD_NUMBER, 1);
    fails(&vwtest__scalars__descriptor, "0b0e0c", VW_E_BAD_WIRE_TYPE, 1);
    /* a group's content is not parsed: the 3c inside the length-delimited
     * field does not end the group, which then never ends */
    fails(&vwtest__choice__descriptor, "3b3a013c", VW_E_TRUNCATED, 4);
}

/* PB-D-7: field number 0 is refused in every encoding (facts: 820000 invalid). */
static void field_zero_refused(void **state)
{
    (void)state;
    fails(&vwtest__scalars__descriptor, "00", VW_E_BAD_FIELD_NUMBER, 0);
    fails(&vwtest__scalars__descriptor, "0801" "0200", VW_E_BAD_FIELD_NUMBER, 2);
    fails(&vwtest__scalars__descriptor, "8000", VW_E_BAD_FIELD_NUMBER, 0);
    fails(&vwtest__scalars__descriptor, "820000", VW_E_BAD_FIELD_NUMBER, 0);
    fails(&vwtest__scalars__descriptor, "8080808010", VW_E_BAD_FIELD_NUMBER, 0);
    fails(&vwtest__choice__descriptor, "3a0100", VW_E_BAD_FIELD_NUMBER, 2);
}

/* PB-D-7: 5-byte tags wrap into 32 bits as in C++ (facts: 88808080100a -> field 1);
 * 6-byte tags are refused. */
static void long_tags(void **state)
{
    (void)state;
    assert_int_equal(scal("88808080100a")->i32, 10);
    assert_int_equal(scal("a88080801005")->s32, -3);
    assert_int_equal(scal("88808080000a")->i32, 10);
    /* 0x7f in the 5th byte: field 0x1e000001, unknown */
    assert_int_equal(scal("888080807f05")->i32, 0);
    fails(&vwtest__scalars__descriptor, "8880808080000a", VW_E_BAD_VARINT, 0);
    fails(&vwtest__scalars__descriptor, "0801" "888080", VW_E_TRUNCATED, 5);
}

/* PB-D-5: varints: 10 bytes at most; 32-bit fields take the low 32 bits. */
static void varints(void **state)
{
    (void)state;
    assert_int_equal(scal("08ffffffffffffffffff01")->i32, -1);
    assert_int_equal(scal("18ffffffffffffffffff7f")->u32, UINT32_MAX);
    assert_int_equal(scal("08feffffff0f")->i32, -2);
    assert_int_equal(scal("188080808010")->u32, 0); /* 2^32: low 32 bits 0 */
    assert_int_equal(scal("2880808080808080808000")->s32, 0);
    assert_true(scal("2080808080808080808001")->u64 == (uint64_t)1 << 63);
    fails(&vwtest__scalars__descriptor, "08ffffffffffffffffff8001", VW_E_BAD_VARINT, 1);
    fails(&vwtest__scalars__descriptor, "08ff", VW_E_TRUNCATED, 2);
    /* an unknown field's varint obeys the same limit */
    fails(&vwtest__scalars__descriptor, "a802ffffffffffffffffff8001", VW_E_BAD_VARINT, 2);
}

/* PB-D-6: length prefixes: at most 5 bytes, below 2^31, and they must fit. */
static void lengths(void **state)
{
    (void)state;
    assert_int_equal(vw_pb_string_len(scal("728080808000")->str), 0);
    fails(&vwtest__scalars__descriptor, "72808080808000", VW_E_BAD_VARINT, 1);
    fails(&vwtest__scalars__descriptor, "7280808080080000", VW_E_BAD_VARINT, 1);
    fails(&vwtest__scalars__descriptor, "72ffffffff07", VW_E_TRUNCATED, 6);
    fails(&vwtest__scalars__descriptor, "720561", VW_E_TRUNCATED, 3);
    fails(&vwtest__scalars__descriptor, "aa020561", VW_E_TRUNCATED, 4);
    /* a sub-message is bounded by its length: its content cannot run past */
    fails(&vwtest__choice__descriptor, "3a0108" "01", VW_E_TRUNCATED, 3);
}

/* PB-D-3: packed and unpacked both accepted, mixed, appended across occurrences. */
static void packed_and_unpacked(void **state)
{
    (void)state;
    Vwtest__Repeated *r = rep("1a020102" "1803" "1a00" "1a0104");
    assert_int_equal(r->n_u32, 4);
    assert_int_equal(r->u32[0], 1);
    assert_int_equal(r->u32[2], 3);
    assert_int_equal(r->u32[3], 4);
    /* [packed=false] field given packed */
    r = rep("92010301ac02" "900105");
    assert_int_equal(r->n_unpacked, 3);
    assert_int_equal(r->unpacked[1], 300);
    assert_int_equal(r->unpacked[2], 5);
    /* packed fixed32: whole elements only */
    r = rep("3a080100000002000000" "3d03000000");
    assert_int_equal(r->n_f32, 3);
    assert_int_equal(r->f32[2], 3);
    fails(&vwtest__repeated__descriptor, "3a03010203", VW_E_BAD_LENGTH, 2);
    /* packed varints must end inside the run */
    fails(&vwtest__repeated__descriptor, "1a0201ff" "01", VW_E_TRUNCATED, 4);
    /* strings and messages are never packed: wire type 0 is unknown */
    r = rep("7001" "8801" "05");
    assert_int_equal(r->n_str, 0);
    /* growth beyond the first capacities: 40 unpacked elements */
    char h[256] = "";
    for (int i = 0; i < 40; i++)
        strcat(h, "1801");
    r = rep(h);
    assert_int_equal(r->n_u32, 40);
    /* repeated messages concatenate, repeated strings keep order */
    r = rep("8a01020801" "7201" "61" "8a0100" "720162");
    assert_int_equal(r->n_inner, 2);
    assert_true(r->inner[0]->a == 1);
    assert_string_equal(r->str[1], "b");
}

/* Append the varint of @p v to hex string @p h. */
static void put_varint_hex(char *h, uint64_t v)
{
    char b[4];
    do {
        snprintf(b, sizeof b, "%02x", (unsigned)((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
        strcat(h, b);
        v >>= 7;
    } while (v);
}

/* Varints of every length (1 to 10 bytes) in every position the decoder reads
 * them differently: packed runs (fresh array, appended in place, appended
 * after a count), unpacked occurrences, the last bytes of the buffer, and a
 * varint cut by the end of its sub-message while the buffer goes on. */
static void varints_every_length(void **state)
{
    (void)state;
    uint64_t vals[10];
    for (int l = 1; l <= 10; l++)
        vals[l - 1] = l == 1 ? 0x55 : (((uint64_t)1 << (7 * (l - 1))) | (uint64_t)l) + 0x5a;
    vals[9] = UINT64_MAX - 5;
    char run[256] = "", h[4096], len[8];
    for (int i = 0; i < 10; i++)
        put_varint_hex(run, vals[i]);
    snprintf(len, sizeof len, "%02x", (unsigned)(strlen(run) / 2));
    /* packed u64 (4), i64 (2), s64 (6), bool (13), u32 (3), twice each so
     * that the second run appends; unpacked u64 after them, and at the end */
    static const char *const tags[] = { "22", "12", "32", "6a", "1a" };
    h[0] = 0;
    for (int t = 0; t < 5; t++)
        for (int k = 0; k < 2; k++) {
            strcat(h, tags[t]);
            strcat(h, len);
            strcat(h, run);
        }
    for (int i = 0; i < 10; i++) {
        strcat(h, "20");
        put_varint_hex(h, vals[i]);
    }
    Vwtest__Repeated *r = rep(h);
    assert_int_equal(r->n_u64, 30);
    assert_int_equal(r->n_i64, 20);
    assert_int_equal(r->n_s64, 20);
    assert_int_equal(r->n_b, 20);
    assert_int_equal(r->n_u32, 20);
    for (int i = 0; i < 30; i++) {
        uint64_t v = vals[i % 10];
        assert_true(r->u64[i] == v);
        if (i >= 20)
            continue;
        assert_true((uint64_t)r->i64[i] == v);
        assert_true((uint64_t)r->s64[i] == ((v >> 1) ^ (0 - (v & 1))));
        assert_int_equal(r->b[i], 1);
        assert_true(r->u32[i] == (uint32_t)v);
    }
    /* a single varint of each length as the buffer's last bytes */
    for (int i = 0; i < 10; i++) {
        h[0] = 0;
        strcat(h, "20");
        put_varint_hex(h, vals[i]);
        assert_true(scal(h)->u64 == vals[i]);
        char one[32] = "";
        put_varint_hex(one, vals[i]);
        snprintf(h, sizeof h, "22%02x%s", (unsigned)(strlen(one) / 2), one);
        r = rep(h);
        assert_int_equal(r->n_u64, 1);
        assert_true(r->u64[0] == vals[i]);
    }
    /* appending: in place while the array has room, else after a count */
    r = rep("2001" "2002" "22020304" "220105" "2203060708" "2203090a0b");
    assert_int_equal(r->n_u64, 11);
    for (int i = 0; i < 11; i++)
        assert_true(r->u64[i] == (uint64_t)i + 1);
    /* an 11-byte varint inside a run: bad_varint at its first byte, with
     * and without bytes after the run */
    fails(&vwtest__repeated__descriptor, "220b" "ffffffffffffffffffff01", VW_E_BAD_VARINT, 2);
    fails(&vwtest__repeated__descriptor, "220c" "01ffffffffffffffffffff01" "1801" "1801" "1801",
          VW_E_BAD_VARINT, 3);
    fails(&vwtest__repeated__descriptor, "0a0c" "01ffffffffffffffffffff01", VW_E_BAD_VARINT, 3);
    /* a varint cut by its sub-message's end although the buffer goes on */
    fails(&vwtest__choice__descriptor, "3a0208ac" "02" "08000800080008000800", VW_E_TRUNCATED, 4);
    fails(&vwtest__choice__descriptor, "3a0308ffff" "ffffffffffffffff01" "0800", VW_E_TRUNCATED, 5);
    fails(&vwtest__choice__descriptor, "3a03" "1a01ff" "01" "08000800080008000800", VW_E_TRUNCATED,
          5);
}

/* Agreements of the facts: unknown fields of wire types 0, 1, 2, 5 skipped,
 * unknown and negative enums kept, last value wins, wire types 6/7 and a
 * stray end-group refused. */
static void agreements(void **state)
{
    (void)state;
    Vwtest__Scalars *s = scal("a80205" "a9020102030405060708" "aa020101" "ad0201020304" "0809");
    assert_int_equal(s->i32, 9);
    assert_int_equal(scal("800107")->color, 7);
    assert_int_equal(scal("8001ffffffffffffffffff01")->color, VWTEST__COLOR__NEGATIVE);
    assert_int_equal(scal("0801" "0802")->i32, 2);
    fails(&vwtest__scalars__descriptor, "0e", VW_E_BAD_WIRE_TYPE, 0);
    fails(&vwtest__scalars__descriptor, "0801" "0f", VW_E_BAD_WIRE_TYPE, 2);
    fails(&vwtest__scalars__descriptor, "0c", VW_E_BAD_WIRE_TYPE, 0);
    fails(&vwtest__choice__descriptor, "3a010c", VW_E_BAD_WIRE_TYPE, 2);
    fails(&vwtest__scalars__descriptor, "3d010203", VW_E_TRUNCATED, 4);
    fails(&vwtest__scalars__descriptor, "4101020304050607", VW_E_TRUNCATED, 8);
}

static size_t chain(int depth, const char *tail_hex)
{
    /* Node{child{child{...{tail}}}}, built from the inside out */
    uint8_t tmp[4096];
    size_t n = hex(tail_hex);
    memcpy(tmp, in, n);
    for (int i = 0; i < depth; i++) {
        uint8_t pre[4] = { 0x0a };
        size_t k = 1, v = n;
        while (v >= 0x80) {
            pre[k++] = (uint8_t)(v | 0x80);
            v >>= 7;
        }
        pre[k++] = (uint8_t)v;
        memmove(tmp + k, tmp, n);
        memcpy(tmp, pre, k);
        n += k;
    }
    memcpy(in, tmp, n);
    return n;
}

/* PB-D-15: at most VW_PB_MAX_DEPTH nested messages and groups below the top. */
static void depth_limit(void **state)
{
    (void)state;
    struct vw_arena a;
    ProtobufCMessage *m;
    size_t off, n;
    n = chain(100, "1007");
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_pb_decode(&vwtest__node__descriptor, in, n, &a, &m, &off), VW_OK);
    Vwtest__Node *node = (Vwtest__Node *)m;
    for (int i = 0; i < 100; i++)
        node = node->child;
    assert_int_equal(node->value, 7);
    n = chain(101, "");
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_pb_decode(&vwtest__node__descriptor, in, n, &a, &m, &off), VW_E_TOO_DEEP);
    assert_null(m);
    /* groups count too: 100 nested groups at the top are fine, 101 are not */
    char h[1024] = "";
    for (int i = 0; i < 100; i++)
        strcat(h, "1b");
    for (int i = 0; i < 100; i++)
        strcat(h, "1c");
    assert_int_equal(dec(&vwtest__node__descriptor, h).st, VW_OK);
    strcpy(h, "1b");
    for (int i = 0; i < 100; i++)
        strcat(h, "1b");
    for (int i = 0; i < 101; i++)
        strcat(h, "1c");
    assert_int_equal(dec(&vwtest__node__descriptor, h).st, VW_E_TOO_DEEP);
    /* 99 messages, then 1 group: depth 100, fine; 2 groups: 101 */
    n = chain(99, "1b1c");
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_pb_decode(&vwtest__node__descriptor, in, n, &a, &m, &off), VW_OK);
    n = chain(99, "1b1b1c1c");
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_pb_decode(&vwtest__node__descriptor, in, n, &a, &m, &off), VW_E_TOO_DEEP);
}

/* Truncation at every offset fails, except at a top-level field boundary,
 * where the prefix is itself a valid message with fewer fields. */
static void truncation_everywhere(void **state)
{
    (void)state;
    /* id 1 (2 bytes) | single{a 300, s "hé", r [1,2]} (14) | text "xy" (4) | color 2 (2) */
    const char *h = "0801" "3a0c08ac021203 68c3a91a020102" "22027879" "4002";
    char clean[128];
    size_t k = 0;
    for (const char *p = h; *p; p++)
        if (*p != ' ')
            clean[k++] = *p;
    clean[k] = 0;
    static const size_t boundaries[] = { 0, 2, 16, 20, 22 };
    uint8_t full[64];
    size_t n = hex(clean);
    assert_int_equal(n, 22);
    memcpy(full, in, n);
    for (size_t cut = 0; cut <= n; cut++) {
        struct vw_arena a;
        ProtobufCMessage *m = (ProtobufCMessage *)1;
        size_t off = 12345;
        int boundary = 0;
        for (size_t i = 0; i < sizeof boundaries / sizeof boundaries[0]; i++)
            boundary |= boundaries[i] == cut;
        vw_arena_init(&a, mem, sizeof mem);
        vw_status st = vw_pb_decode(&vwtest__choice__descriptor, full, cut, &a, &m, &off);
        if (boundary) {
            assert_int_equal(st, VW_OK);
            assert_int_equal(off, cut);
            Vwtest__Choice *c = (Vwtest__Choice *)m;
            assert_int_equal(c->id, cut >= 2 ? 1 : 0);
            assert_int_equal(c->single != NULL, cut >= 16);
            assert_int_equal(c->kind_case == VWTEST__CHOICE__KIND_TEXT, cut >= 20);
            assert_int_equal(c->color, cut >= 22 ? 2 : 0);
        } else {
            /* every cut inside a field runs out of bytes: truncated, at the end */
            assert_int_equal(st, VW_E_TRUNCATED);
            assert_null(m);
            assert_int_equal(off, cut);
            /* the failed decode gave its arena back */
            assert_int_equal(vw_arena_used(&a), 0);
        }
    }
}

/* PB-M-2: with every arena smaller than a decode needs, the decode fails with
 * NOMEM (and nothing else), and an arena of vw_arena_needed() bytes is enough. */
static void check_arena(const ProtobufCMessageDescriptor *d, const char *h)
{
    uint8_t full[2048];
    size_t n = hex(h);
    memcpy(full, in, n);
    struct vw_arena a;
    ProtobufCMessage *m;
    size_t off, need_exact;
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_pb_decode(d, full, n, &a, &m, &off), VW_OK);
    need_exact = vw_arena_used(&a);
    int nomems = 0;
    for (size_t cap = 0; cap <= need_exact; cap++) {
        vw_arena_init(&a, mem, cap);
        m = (ProtobufCMessage *)1;
        vw_status st = vw_pb_decode(d, full, n, &a, &m, &off);
        if (cap >= need_exact) {
            assert_int_equal(st, VW_OK);
            continue;
        }
        assert_int_equal(st, VW_E_NOMEM);
        assert_null(m);
        nomems++;
        size_t need = vw_arena_needed(&a);
        assert_true(need >= need_exact);
        vw_arena_init(&a, mem, need);
        assert_int_equal(vw_pb_decode(d, full, n, &a, &m, &off), VW_OK);
    }
    assert_true(nomems > 0);
    /* a counting-only arena */
    vw_arena_init(&a, NULL, 0);
    assert_int_equal(vw_pb_decode(d, full, n, &a, &m, &off), VW_E_NOMEM);
    assert_true(vw_arena_needed(&a) >= need_exact);
}

static void arena_exhaustion(void **state)
{
    (void)state;
    char h[2048] = "0801" "3a0c08ac0212036869691a020102" "22027879";
    for (int i = 0; i < 30; i++)
        strcat(h, "3a021801"); /* 30 merged occurrences appending to single.r */
    check_arena(&vwtest__choice__descriptor, h);
    struct vw_arena a;
    ProtobufCMessage *m;
    size_t off;
    vw_arena_init(&a, mem, sizeof mem);
    size_t n = hex(h);
    assert_int_equal(vw_pb_decode(&vwtest__choice__descriptor, in, n, &a, &m, &off), VW_OK);
    assert_int_equal(((Vwtest__Choice *)m)->single->n_r, 32);
    /* packed runs, repeated strings, bytes and messages, nested merges */
    check_arena(&vwtest__repeated__descriptor,
                "1a0a0102030405060708090a" "1801" "1a03010203" "3a080100000002000000"
                "720161" "720162" "7a0100" "8a01050801120178" "8a0100" "8a0105220308ff01"
                "92010301ac02" "900105" "6a0401000101");
    /* a oneof switching between message members, strings replaced */
    check_arena(&vwtest__choice__descriptor,
                "1a0208052a020806" "1a00" "220141" "220142" "3a03120161" "3a0412026263");
}

/* PB-M-1: decoding never calls malloc. */
static void no_malloc(void **state)
{
    (void)state;
    void *volatile probe;
#ifdef VW_SAN_HOOKS
    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
#endif
    counting = 1;
    n_allocs = 0;
    probe = malloc(8); /* the counter is live */
    counting = 0;
    free(probe);
    assert_int_equal(n_allocs, 1);
    size_t n = hex("0801" "3a0c08ac0212036869691a020102" "22027879" "8a0100");
    struct vw_arena a;
    ProtobufCMessage *m;
    size_t off;
    vw_arena_init(&a, mem, sizeof mem);
    counting = 1;
    n_allocs = 0;
    vw_status st = vw_pb_decode(&vwtest__choice__descriptor, in, n, &a, &m, &off);
    vw_arena_init(&a, mem, 64);
    vw_status st2 = vw_pb_decode(&vwtest__choice__descriptor, in, n, &a, &m, &off);
    counting = 0;
    assert_int_equal(st, VW_OK);
    assert_int_equal(st2, VW_E_NOMEM);
    assert_int_equal(n_allocs, 0);
}

/* A message type without fields: everything is unknown, field 0 still refused. */
static void empty_message(void **state)
{
    (void)state;
    struct res r = dec(&vwtest__empty__descriptor, "0801" "120161" "0b0c" "1d01020304");
    assert_int_equal(r.st, VW_OK);
    fails(&vwtest__empty__descriptor, "0801" "00", VW_E_BAD_FIELD_NUMBER, 2);
    fails(&vwtest__empty__descriptor, "0c", VW_E_BAD_WIRE_TYPE, 0);
}

static void bad_arguments(void **state)
{
    (void)state;
    struct vw_arena a;
    ProtobufCMessage *m = (ProtobufCMessage *)1;
    size_t off = 7;
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_pb_decode(NULL, in, 0, &a, &m, &off), VW_E_INVALID_ARG);
    assert_null(m);
    assert_int_equal(vw_pb_decode(&vwtest__node__descriptor, NULL, 1, &a, &m, &off),
                     VW_E_INVALID_ARG);
    assert_int_equal(vw_pb_decode(&vwtest__node__descriptor, in, 0, NULL, &m, &off),
                     VW_E_INVALID_ARG);
    assert_int_equal(vw_pb_decode(&vwtest__node__descriptor, NULL, 0, &a, &m, &off), VW_OK);
    assert_non_null(m);
    assert_int_equal(off, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalars_all_types),
        cmocka_unit_test(bytes_point_into_input),
        cmocka_unit_test(big_field_number),
        cmocka_unit_test(wrong_wire_type_skipped),
        cmocka_unit_test(bool_wrong_wire_type),
        cmocka_unit_test(bool_from_long_varint),
        cmocka_unit_test(utf8_checked),
        cmocka_unit_test(embedded_nul_kept),
        cmocka_unit_test(submessage_merged),
        cmocka_unit_test(oneof_last_wins),
        cmocka_unit_test(groups_skipped),
        cmocka_unit_test(field_zero_refused),
        cmocka_unit_test(long_tags),
        cmocka_unit_test(varints),
        cmocka_unit_test(lengths),
        cmocka_unit_test(packed_and_unpacked),
        cmocka_unit_test(varints_every_length),
        cmocka_unit_test(agreements),
        cmocka_unit_test(depth_limit),
        cmocka_unit_test(truncation_everywhere),
        cmocka_unit_test(arena_exhaustion),
        cmocka_unit_test(no_malloc),
        cmocka_unit_test(empty_message),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests_name("pb_decode", tests, NULL, NULL);
}
