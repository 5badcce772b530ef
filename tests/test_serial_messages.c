/* Unit tests of the host-side serial messages (src/serial/messages.c):
 * decode through vmwire's protobuf engine with the capacities on top,
 * encode, validate; and a cross-check of the two decoders the library has
 * (the protobuf engine and the heapless guest codec) on mutated inputs: same
 * status, and on success the same canonical bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "serial/guest.pb-c.h"
#include "vmwire/pb.h"
#include "vmwire/serial.h"

static _Alignas(16) unsigned char mem[1 << 16];

static int nib(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (h[0] && h[1] && n < cap) {
        out[n++] = (uint8_t)(nib(h[0]) << 4 | nib(h[1]));
        h += 2;
    }
    return n;
}

static vw_status dec(enum vw_serial_kind k, const char *hex, ProtobufCMessage **m, size_t *off)
{
    static uint8_t buf[1024];
    struct vw_arena a;
    vw_arena_init(&a, mem, sizeof mem);
    size_t n = unhex(hex, buf, sizeof buf);
    return vw_serial_decode(k, buf, n, &a, m, off);
}

static void decode_typed(void **state)
{
    (void)state;
    ProtobufCMessage *m;
    size_t off;
    assert_int_equal(dec(VW_SERIAL_GUEST_MESSAGE, "080112110a0570726f62651205696e707574188020", &m, &off),
                     VW_OK);
    const Vmwire__Serial__GuestMessage *g = (const Vmwire__Serial__GuestMessage *)m;
    assert_int_equal(g->level, VMWIRE__SERIAL__LEVEL__INFO);
    assert_int_equal(g->payload_case, VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_INIT);
    assert_string_equal(g->init->stage, "probe");
    assert_string_equal(g->init->device, "input");
    assert_int_equal(g->init->address, 4096);
    assert_int_equal(vw_serial_validate(m), VW_OK);
    assert_int_equal(vw_serial_check_capacity(m), VW_OK);

    /* embedded NUL kept, with its length (SER-MSG-8) */
    assert_int_equal(dec(VW_SERIAL_GUEST_MESSAGE, "12050a03610062", &m, &off), VW_OK);
    g = (const Vmwire__Serial__GuestMessage *)m;
    assert_int_equal(vw_pb_string_len(g->init->stage), 3);
    assert_memory_equal(g->init->stage, "a\0b", 3);

    assert_int_equal(dec(VW_SERIAL_VMM_CONFIG, "0a0a0a05696e707574108004100a", &m, &off), VW_OK);
    const Vmwire__Serial__VmmConfig *c = (const Vmwire__Serial__VmmConfig *)m;
    assert_int_equal(c->n_devices, 1);
    assert_int_equal(c->devices[0]->sector_size, 512);
    assert_int_equal(c->progress_percent, 10);
    assert_int_equal(vw_serial_validate(m), VW_OK);
}

static void decode_capacity_offsets(void **state)
{
    (void)state;
    ProtobufCMessage *m = (ProtobufCMessage *)1;
    size_t off;
    char hex[1400];
    /* 31 ASCII + a two-byte character: 33 bytes; the fault is at the stage tag */
    strcpy(hex, "0801" "12230a21");
    for (int i = 0; i < 31; i++)
        strcat(hex, "61");
    strcat(hex, "c3a9");
    assert_int_equal(dec(VW_SERIAL_GUEST_MESSAGE, hex, &m, &off), VW_E_CAPACITY);
    assert_null(m);
    assert_int_equal(off, 4);
    /* embedded NULs count (a strlen() would see 1 byte) */
    strcpy(hex, "12230a2161");
    for (int i = 0; i < 32; i++)
        strcat(hex, "00");
    assert_int_equal(dec(VW_SERIAL_GUEST_MESSAGE, hex, &m, &off), VW_E_CAPACITY);
    assert_int_equal(off, 2);
    /* fifth device */
    assert_int_equal(dec(VW_SERIAL_VMM_CONFIG, "0a000a000a000a000a00", &m, &off), VW_E_CAPACITY);
    assert_int_equal(off, 8);
    /* over the limit before anything else */
    strcpy(hex, "");
    for (int i = 0; i < 601; i++)
        strcat(hex, "ff");
    assert_int_equal(dec(VW_SERIAL_VMM_CONFIG, hex, &m, &off), VW_E_TOO_LONG);
    assert_int_equal(off, 600);
    /* wire faults come from the engine */
    assert_int_equal(dec(VW_SERIAL_GUEST_MESSAGE, "12", &m, &off), VW_E_TRUNCATED);
    assert_int_equal(dec(VW_SERIAL_GUEST_MESSAGE, "12030a01ff", &m, &off), VW_E_BAD_UTF8);
    struct vw_arena a;
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_serial_decode((enum vw_serial_kind)9, NULL, 0, &a, &m, &off),
                     VW_E_INVALID_ARG);
}

static void encode_and_validate(void **state)
{
    (void)state;
    const ProtobufCMessageDescriptor *gd = vw_serial_descriptor(VW_SERIAL_GUEST_MESSAGE);
    const ProtobufCMessageDescriptor *id =
        protobuf_c_message_descriptor_get_field_by_name(gd, "init")->descriptor;
    const ProtobufCMessageDescriptor *pd =
        protobuf_c_message_descriptor_get_field_by_name(gd, "progress")->descriptor;
    Vmwire__Serial__GuestMessage g;
    Vmwire__Serial__InitMessage in;
    Vmwire__Serial__ProgressMessage pr;
    protobuf_c_message_init(gd, &g);
    protobuf_c_message_init(id, &in);
    protobuf_c_message_init(pd, &pr);
    uint8_t out[700];
    size_t n;

    /* no payload: encodes, but validate says missing_field (SER-MSG-10) */
    g.level = VMWIRE__SERIAL__LEVEL__INFO;
    assert_int_equal(vw_serial_encode(&g.base, out, sizeof out, &n), VW_OK);
    assert_int_equal(n, 2);
    assert_int_equal(vw_serial_validate(&g.base), VW_E_MISSING_FIELD);

    char stage[40];
    memset(stage, 's', 33);
    stage[33] = 0;
    in.stage = stage;
    g.payload_case = VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_INIT;
    g.init = &in;
    assert_int_equal(vw_serial_encode(&g.base, out, sizeof out, &n), VW_E_CAPACITY);
    assert_int_equal(vw_serial_validate(&g.base), VW_E_CAPACITY);
    stage[32] = 0;
    assert_int_equal(vw_serial_encode(&g.base, out, sizeof out, &n), VW_OK);
    assert_int_equal(n, 2 + 2 + 34);
    assert_int_equal(vw_serial_encode(&g.base, out, 10, &n), VW_E_NOSPACE);
    assert_int_equal(n, 38);
    stage[0] = (char)0xc3; /* cut character */
    stage[1] = 's';
    assert_int_equal(vw_serial_encode(&g.base, out, sizeof out, &n), VW_E_BAD_UTF8);
    stage[0] = 's';

    g.level = (Vmwire__Serial__Level)9;
    assert_int_equal(vw_serial_validate(&g.base), VW_E_BAD_ENUM);
    g.level = VMWIRE__SERIAL__LEVEL__PROGRESS;
    g.payload_case = VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_PROGRESS;
    g.progress = &pr;
    pr.percent = 101;
    assert_int_equal(vw_serial_validate(&g.base), VW_E_BAD_VALUE);
    pr.percent = 100;
    assert_int_equal(vw_serial_validate(&g.base), VW_OK);

    /* The 600-byte limit (SER-FRAME): an info result at every capacity is
     * 2 (level) + 3 (tag, 2-byte length) + 34 (format) + 2 * 259 (paths)
     * + 2 * 11 (uint64 max) + 3 * 6 (uint32 max) = 597 bytes; a negative
     * level takes 11 bytes instead of 2, 606 in all. */
    const ProtobufCMessageDescriptor *rd =
        protobuf_c_message_descriptor_get_field_by_name(gd, "info_result")->descriptor;
    Vmwire__Serial__InfoResultMessage ir;
    protobuf_c_message_init(rd, &ir);
    char fmt[33], back[257], ext[257];
    memset(fmt, 'f', 32);
    fmt[32] = 0;
    memset(back, 'b', 256);
    back[256] = 0;
    memset(ext, 'e', 256);
    ext[256] = 0;
    ir.format = fmt;
    ir.backing_file = back;
    ir.external_data_file = ext;
    ir.version = ir.cluster_size = ir.flags = UINT32_MAX;
    ir.virtual_size = ir.actual_size = UINT64_MAX;
    g.payload_case = VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_INFO_RESULT;
    g.info_result = &ir;
    g.level = VMWIRE__SERIAL__LEVEL__INFO;
    assert_int_equal(vw_serial_encode(&g.base, out, sizeof out, &n), VW_OK);
    assert_int_equal(n, 597);
    assert_int_equal(vw_serial_encode(&g.base, out, 596, &n), VW_E_NOSPACE);
    assert_int_equal(n, 597);
    g.level = (Vmwire__Serial__Level)-1;
    memset(out, 0xAA, sizeof out);
    assert_int_equal(vw_serial_encode(&g.base, out, sizeof out, &n), VW_E_TOO_LONG);
    assert_int_equal(n, 606);
    for (size_t i = 0; i < sizeof out; i++)
        assert_true(out[i] == 0 || out[i] == 0xAA); /* no part of the message */
    assert_int_equal(vw_serial_encode(&g.base, out, 10, &n), VW_E_TOO_LONG); /* not NOSPACE */
    assert_int_equal(n, 606);
    assert_int_equal(vw_serial_encode(&g.base, NULL, 0, &n), VW_E_TOO_LONG);
    assert_int_equal(n, 606);

    /* only GuestMessage and VmmConfig are top-level kinds */
    assert_int_equal(vw_serial_encode(&in.base, out, sizeof out, &n), VW_E_INVALID_ARG);
    assert_int_equal(vw_serial_check_capacity(&in.base), VW_OK);
}

/* ---- the two decoders agree ------------------------------------------------- */

static uint32_t rng_state = 12345;

static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void mutate(uint8_t *b, size_t *n, size_t cap)
{
    switch (rnd() % 6) {
    case 0: /* truncate */
        if (*n)
            *n = rnd() % *n;
        break;
    case 1: /* flip a bit */
        if (*n)
            b[rnd() % *n] ^= (uint8_t)(1u << (rnd() % 8));
        break;
    case 2: /* set a byte */
        if (*n)
            b[rnd() % *n] = (uint8_t)rnd();
        break;
    case 3: /* insert a byte */
        if (*n < cap) {
            size_t at = rnd() % (*n + 1);
            memmove(b + at + 1, b + at, *n - at);
            b[at] = (uint8_t)rnd();
            (*n)++;
        }
        break;
    case 4: /* delete a byte */
        if (*n) {
            size_t at = rnd() % *n;
            memmove(b + at, b + at + 1, *n - at - 1);
            (*n)--;
        }
        break;
    default: /* append a copy of a slice (repeated fields, merges) */
        if (*n) {
            size_t at = rnd() % *n, len = 1 + rnd() % (*n - at);
            if (*n + len <= cap) {
                memcpy(b + *n, b + at, len);
                *n += len;
            }
        }
        break;
    }
}

static void seed_message(uint8_t *b, size_t *n, enum vw_serial_kind *kind)
{
    struct vw_serial_guest_message m;
    uint32_t r = rnd();
    *kind = VW_SERIAL_GUEST_MESSAGE;
    switch (r % 7) {
    case 0:
        vw_serial_build_init(&m, "features", "output", r);
        break;
    case 1:
        vw_serial_build_capacity(&m, "input", r, (uint64_t)r << 9);
        break;
    case 2:
        vw_serial_build_progress(&m, "copy", r, r + 1u, r % 100);
        break;
    case 3:
        vw_serial_build_error(&m, "read", "\xc3\xa9t\xc3\xa9", r, 1);
        break;
    case 4:
        vw_serial_build_complete(&m, "copy", r, r & 1);
        break;
    case 5: {
        struct vw_serial_info_args a = { "qcow2", 2, r, r, 65536, r & 127, "/b", "/x/y" };
        vw_serial_build_info_result(&m, &a);
        break;
    }
    default: {
        struct vw_serial_vmm_config c;
        memset(&c, 0, sizeof c);
        c.n_devices = 1 + r % 4;
        for (uint32_t i = 0; i < c.n_devices; i++) {
            c.devices[i].name.len = 5;
            memcpy(c.devices[i].name.data, "input", 5);
            c.devices[i].sector_size = 512u << (r % 4);
        }
        c.progress_percent = r % 101;
        *kind = VW_SERIAL_VMM_CONFIG;
        assert_int_equal(vw_serial_vmm_config_encode(&c, b, 600, n), VW_OK);
        return;
    }
    }
    assert_int_equal(vw_serial_guest_message_encode(&m, b, 600, n), VW_OK);
}

static void decoders_agree(void **state)
{
    (void)state;
    static uint8_t b[700], x[700], y[700];
    unsigned ok = 0, bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t n;
        enum vw_serial_kind kind;
        seed_message(b, &n, &kind);
        int rounds = (int)(rnd() % 4);
        for (int i = 0; i < rounds; i++)
            mutate(b, &n, 640);
        struct vw_arena a;
        vw_arena_init(&a, mem, sizeof mem);
        ProtobufCMessage *m;
        size_t off1, off2, xn = 0, yn = 0;
        vw_status s1 = vw_serial_decode(kind, b, n, &a, &m, &off1), s2, e2 = VW_OK;
        if (kind == VW_SERIAL_GUEST_MESSAGE) {
            struct vw_serial_guest_message g;
            s2 = vw_serial_guest_message_decode(b, n, &g, &off2);
            if (s2 == VW_OK)
                e2 = vw_serial_guest_message_encode(&g, y, sizeof y, &yn);
        } else {
            struct vw_serial_vmm_config c;
            s2 = vw_serial_vmm_config_decode(b, n, &c, &off2);
            if (s2 == VW_OK)
                e2 = vw_serial_vmm_config_encode(&c, y, sizeof y, &yn);
        }
        if (s1 != s2)
            fail_msg("iteration %d: engine %s, guest codec %s", iter, vw_status_name(s1),
                     vw_status_name(s2));
        if (s1 == VW_E_CAPACITY || s1 == VW_E_TOO_LONG)
            assert_int_equal(off1, off2);
        if (s1 == VW_OK) {
            assert_int_equal(off1, n);
            assert_int_equal(off2, n);
            assert_int_equal(vw_pb_encode(m, x, sizeof x, &xn), VW_OK);
            if (e2 == VW_E_TOO_LONG) {
                /* a re-encoding can grow (negative level): both agree on the size */
                assert_true(xn > VW_SERIAL_MAX_MESSAGE);
                assert_int_equal(xn, yn);
            } else {
                assert_int_equal(e2, VW_OK);
                assert_int_equal(xn, yn);
                assert_memory_equal(x, y, xn);
            }
            ok++;
        } else {
            bad++;
        }
    }
    /* both outcomes were exercised */
    assert_true(ok > 2000);
    assert_true(bad > 2000);
}

/* vw_serial_decode_with(): the micropb decoder's result as a protoc-c message. */
static void decode_with_micropb(void **state)
{
    (void)state;
    static uint8_t b[700], x[700], y[700];
    struct vw_arena a;
    ProtobufCMessage *m;
    size_t off, n;
    n = unhex("08010800", b, sizeof b);
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_serial_decode_with(VW_SERIAL_GUEST_MESSAGE, VW_SERIAL_DECODER_MICROPB, b,
                                           n, &a, &m, &off), VW_OK);
    assert_int_equal(((const Vmwire__Serial__GuestMessage *)m)->level, 1); /* zero kept out */
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_serial_decode_with(VW_SERIAL_GUEST_MESSAGE, VW_SERIAL_DECODER_PROTOBUF, b,
                                           n, &a, &m, &off), VW_OK);
    assert_int_equal(((const Vmwire__Serial__GuestMessage *)m)->level, 0); /* last wins */
    /* the 606-byte message: no limit under micropb */
    n = 0;
    b[n++] = 0x08;
    for (int i = 0; i < 9; i++)
        b[n++] = 0xff;
    b[n++] = 0x01;
    struct vw_serial_guest_message g;
    struct vw_serial_info_args ia = { "ffffffffffffffffffffffffffffffff", UINT32_MAX, UINT64_MAX,
                                      UINT64_MAX, UINT32_MAX, UINT32_MAX, NULL, NULL };
    static char path[257];
    memset(path, 'p', 256);
    ia.backing_file = path;
    ia.external_data_file = path;
    assert_int_equal(vw_serial_build_info_result(&g, &ia), VW_OK);
    size_t gn;
    assert_int_equal(vw_serial_guest_message_encode(&g, b + n, sizeof b - n, &gn), VW_OK);
    /* drop the level the builder wrote (08 01) and keep ours */
    memmove(b + n, b + n + 2, gn - 2);
    n += gn - 2;
    assert_int_equal(n, VW_SERIAL_GUEST_MESSAGE_MAX_SIZE);
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_serial_decode_with(VW_SERIAL_GUEST_MESSAGE, VW_SERIAL_DECODER_MICROPB, b,
                                           n, &a, &m, &off), VW_OK);
    const Vmwire__Serial__GuestMessage *gm = (const Vmwire__Serial__GuestMessage *)m;
    assert_int_equal((int)gm->level, -1);
    assert_int_equal(vw_pb_string_len(gm->info_result->backing_file), 256);
    assert_int_equal(off, n);
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_serial_decode_with(VW_SERIAL_GUEST_MESSAGE, VW_SERIAL_DECODER_PROTOBUF, b,
                                           n, &a, &m, &off), VW_E_TOO_LONG);
    /* a fault keeps its offset; an unknown decoder is the caller's error */
    n = unhex("0a000a000a000a000a0010", b, sizeof b);
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_serial_decode_with(VW_SERIAL_VMM_CONFIG, VW_SERIAL_DECODER_MICROPB, b, n,
                                           &a, &m, &off), VW_E_CAPACITY);
    assert_null(m);
    assert_int_equal(off, 8);
    assert_int_equal(vw_serial_decode_with(VW_SERIAL_VMM_CONFIG, (enum vw_serial_decoder)9, b, n,
                                           &a, &m, &off), VW_E_INVALID_ARG);

    /* canonical encodings decode to the same message under both decoders */
    for (int iter = 0; iter < 3000; iter++) {
        enum vw_serial_kind kind;
        seed_message(b, &n, &kind);
        size_t xn, yn;
        vw_arena_init(&a, mem, sizeof mem);
        assert_int_equal(vw_serial_decode_with(kind, VW_SERIAL_DECODER_MICROPB, b, n, &a, &m,
                                               &off), VW_OK);
        assert_int_equal(vw_pb_encode(m, x, sizeof x, &xn), VW_OK);
        vw_arena_init(&a, mem, sizeof mem);
        assert_int_equal(vw_serial_decode(kind, b, n, &a, &m, &off), VW_OK);
        assert_int_equal(vw_pb_encode(m, y, sizeof y, &yn), VW_OK);
        assert_int_equal(xn, yn);
        assert_memory_equal(x, y, xn);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decode_typed),
        cmocka_unit_test(decode_capacity_offsets),
        cmocka_unit_test(encode_and_validate),
        cmocka_unit_test(decoders_agree),
        cmocka_unit_test(decode_with_micropb),
    };
    return cmocka_run_group_tests_name("serial_messages", tests, NULL, NULL);
}
