/* Unit tests of the crosvm message boundaries: datagram limits, the final
 * revision's varint length prefix, and the streaming splitter under every
 * chunking of a stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmwire/crosvm.h"
#include "vmwire/engine.h"

/* Every splitter feed below also checks the engine contract: state() says
 * PARTIAL exactly when part of a frame is held, FAILED after a fault, and a
 * fault consumes through the offending byte (error offset + 1). */
static vw_status checked_splitter_feed(struct vw_crosvm_splitter *s, const uint8_t *in, size_t len,
                                       const uint8_t **frame, size_t *frame_len, size_t *used)
{
    unsigned before = vw_crosvm_splitter_state(s);
    vw_status st = vw_crosvm_splitter_feed(s, in, len, frame, frame_len, used);
    if (s && used && frame && frame_len && (in || !len)) {
        unsigned after = vw_crosvm_splitter_state(s);
        if (before & VW_ENGINE_FAILED) {
            assert_int_equal(st, VW_E_FAILED);
            assert_int_equal(*used, 0);
        } else if (st != VW_OK) {
            assert_int_equal(after, VW_ENGINE_FAILED);
            assert_int_equal(*used, vw_crosvm_splitter_error_offset(s) + 1);
        } else {
            assert_int_equal(after, VW_ENGINE_WANT_INPUT | (vw_crosvm_splitter_pending(s) ? VW_ENGINE_PARTIAL : 0u));
        }
    }
    return st;
}
#define vw_crosvm_splitter_feed checked_splitter_feed

static void test_datagram(void **state)
{
    (void)state;
    assert_int_equal(vw_crosvm_datagram_check(VW_CROSVM_MAIN_REQUEST, 4096, false), VW_OK);
    assert_int_equal(vw_crosvm_datagram_check(VW_CROSVM_MAIN_REQUEST, 4097, false), VW_E_TOO_LONG);
    assert_int_equal(vw_crosvm_datagram_check(VW_CROSVM_MAIN_REQUEST, 10, true), VW_E_TOO_LONG);
    assert_int_equal(vw_crosvm_datagram_check(VW_CROSVM_MAIN_RESPONSE, 0x40000, false), VW_OK);
    assert_int_equal(vw_crosvm_datagram_check(VW_CROSVM_MAIN_RESPONSE, 0x40001, false), VW_E_TOO_LONG);
}

static void test_frame_encode(void **state)
{
    (void)state;
    uint8_t msg[300], out[310];
    size_t w;
    memset(msg, 0xab, sizeof msg);
    /* 4 bytes: prefix 04 */
    assert_int_equal(vw_crosvm_frame_encode(msg, 4, out, sizeof out, &w), VW_OK);
    assert_int_equal(w, 5);
    assert_int_equal(out[0], 4);
    /* 300 bytes: prefix ac 02 (300 = 0x12c) */
    assert_int_equal(vw_crosvm_frame_encode(msg, 300, out, sizeof out, &w), VW_OK);
    assert_int_equal(w, 302);
    assert_int_equal(out[0], 0xac);
    assert_int_equal(out[1], 0x02);
    assert_int_equal(out[2], 0xab);
    /* too small: size needed */
    assert_int_equal(vw_crosvm_frame_encode(msg, 300, out, 301, &w), VW_E_NOSPACE);
    assert_int_equal(w, 302);
    assert_int_equal(vw_crosvm_frame_encode(msg, 300, NULL, 0, &w), VW_E_NOSPACE);
    assert_int_equal(w, 302);
    /* empty message: just 00 */
    assert_int_equal(vw_crosvm_frame_encode(NULL, 0, out, sizeof out, &w), VW_OK);
    assert_int_equal(w, 1);
    assert_int_equal(out[0], 0);
}

/* A stream of three frames: 4 bytes, empty, 200 bytes (prefix c8 01). */
static uint8_t stream[1 + 4 + 1 + 2 + 200];
static size_t stream_len;

static void build_stream(void)
{
    size_t n = 0;
    static const uint8_t f1[] = { 0x12, 0x02, 0x0a, 0x00 };
    stream[n++] = 4;
    memcpy(stream + n, f1, 4);
    n += 4;
    stream[n++] = 0;
    stream[n++] = 0xc8;
    stream[n++] = 0x01;
    for (int i = 0; i < 200; i++)
        stream[n++] = (uint8_t)i;
    stream_len = n;
}

/* Feed the stream in chunks of the given sizes (cycled); check the 3 frames. */
static void split_with(const size_t *sizes, size_t nsizes)
{
    static uint8_t buf[VW_CROSVM_MAX_MESSAGE];
    struct vw_crosvm_splitter s;
    size_t lens[8], nframes = 0, pos = 0, k = 0;
    uint8_t first[8];
    assert_int_equal(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ buf, sizeof buf, false }), VW_OK);
    while (pos < stream_len) {
        size_t chunk = sizes[k++ % nsizes];
        if (chunk > stream_len - pos)
            chunk = stream_len - pos;
        const uint8_t *in = stream + pos;
        size_t left = chunk;
        do {
            const uint8_t *f;
            size_t fl, used;
            assert_int_equal(vw_crosvm_splitter_feed(&s, in, left, &f, &fl, &used), VW_OK);
            assert_true(used <= left);
            if (f) {
                assert_true(nframes < 8);
                lens[nframes] = fl;
                first[nframes] = fl ? f[0] : 0;
                if (fl == 200)
                    for (int i = 0; i < 200; i++)
                        assert_int_equal(f[i], (uint8_t)i);
                nframes++;
            }
            in += used;
            left -= used;
        } while (left);
        pos += chunk;
    }
    assert_int_equal(nframes, 3);
    assert_int_equal(lens[0], 4);
    assert_int_equal(first[0], 0x12);
    assert_int_equal(lens[1], 0);
    assert_int_equal(lens[2], 200);
    assert_false(vw_crosvm_splitter_pending(&s));
}

static void test_splitter_every_chunking(void **state)
{
    (void)state;
    build_stream();
    for (size_t c = 1; c <= stream_len; c++)
        split_with(&c, 1);
    /* irregular chunkings */
    static const size_t a[] = { 1, 2, 3, 5, 7 }, b[] = { 6, 1 }, d[] = { 2, 200, 1 };
    split_with(a, 5);
    split_with(b, 2);
    split_with(d, 3);
}

static void test_splitter_errors(void **state)
{
    (void)state;
    static uint8_t buf[64];
    struct vw_crosvm_splitter s;
    const uint8_t *f;
    size_t fl, used;
    /* crosvm_plugin's read_varint32: a fifth byte's bits above 32 are
     * dropped (0x10 << 28 is bit 32), so this prefix says 5 */
    static const uint8_t odd[] = { 0x85, 0x80, 0x80, 0x80, 0x10, 1, 2, 3, 4, 5 };
    assert_int_equal(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ buf, sizeof buf, false }), VW_OK);
    assert_int_equal(vw_crosvm_splitter_feed(&s, odd, sizeof odd, &f, &fl, &used), VW_OK);
    assert_int_equal(used, sizeof odd);
    assert_int_equal(fl, 5);
    assert_memory_equal(f, odd + 5, 5);
    /* only a sixth byte is an error */
    static const uint8_t six[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };
    assert_int_equal(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ buf, sizeof buf, false }), VW_OK);
    assert_int_equal(vw_crosvm_splitter_feed(&s, six, sizeof six, &f, &fl, &used), VW_E_BAD_VARINT);
    assert_int_equal(vw_crosvm_splitter_error_offset(&s), 5);
    /* strict: a prefix whose fifth byte has bits above 32 */
    static const uint8_t bad[] = { 0xff, 0xff, 0xff, 0xff, 0x1f };
    assert_int_equal(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ buf, sizeof buf, false }), VW_OK);
    assert_int_equal(vw_crosvm_splitter_set_strict(&s, true), VW_OK);
    assert_int_equal(vw_crosvm_splitter_set_strict(NULL, true), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_splitter_feed(&s, bad, 3, &f, &fl, &used), VW_OK);
    assert_int_equal(used, 3);
    assert_true(vw_crosvm_splitter_pending(&s));
    assert_int_equal(vw_crosvm_splitter_feed(&s, bad + 3, 2, &f, &fl, &used), VW_E_BAD_VARINT);
    assert_int_equal(vw_crosvm_splitter_error_offset(&s), 1);
    assert_int_equal(vw_crosvm_splitter_feed(&s, bad, 1, &f, &fl, &used), VW_E_FAILED);
    /* a frame larger than the buffer (65 > 64) */
    static const uint8_t big[] = { 0x41, 0 };
    assert_int_equal(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ buf, sizeof buf, false }), VW_OK);
    assert_int_equal(vw_crosvm_splitter_feed(&s, big, 2, &f, &fl, &used), VW_E_TOO_LONG);
    assert_int_equal(vw_crosvm_splitter_error_offset(&s), 0);
    /* a prefix of 0x40001 (81 80 10), over the protocol limit */
    static uint8_t huge_buf[VW_CROSVM_MAX_MESSAGE + 8];
    static const uint8_t over[] = { 0x81, 0x80, 0x10 };
    assert_int_equal(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ huge_buf, sizeof huge_buf, false }), VW_OK);
    assert_int_equal(vw_crosvm_splitter_feed(&s, over, 3, &f, &fl, &used), VW_E_TOO_LONG);
    /* a stream ending inside a frame */
    static const uint8_t part[] = { 0x04, 0x12 };
    assert_int_equal(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ buf, sizeof buf, false }), VW_OK);
    assert_int_equal(vw_crosvm_splitter_feed(&s, part, 2, &f, &fl, &used), VW_OK);
    assert_null(f);
    assert_int_equal(vw_crosvm_splitter_pending(&s), 2); /* the prefix and one body byte */
    assert_true(vw_crosvm_splitter_partial(&s));         /* the deprecated name agrees */
    /* strict set by the config, as the deframer's options are */
    assert_int_equal(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ buf, sizeof buf, true }),
                     VW_OK);
    assert_int_equal(vw_crosvm_splitter_feed(&s, bad, sizeof bad, &f, &fl, &used), VW_E_BAD_VARINT);
    assert_int_equal(vw_crosvm_splitter_error_offset(&s), 4);
    assert_int_equal(vw_crosvm_splitter_init(&s, NULL), VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ NULL, 1, false }),
                     VW_E_INVALID_ARG);
    assert_int_equal(vw_crosvm_splitter_pending(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datagram),
        cmocka_unit_test(test_frame_encode),
        cmocka_unit_test(test_splitter_every_chunking),
        cmocka_unit_test(test_splitter_errors),
    };
    return cmocka_run_group_tests_name("crosvm_boundaries", tests, NULL, NULL);
}
