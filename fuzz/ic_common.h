/* Shared by the IC fuzz targets (fuzz_ic_*.c).
 *
 * Properties of the wire layer, checked on every input:
 *  - a decoder succeeds with off == len, or fails with an input-fault status
 *    and off <= len;
 *  - decode -> encode gives exactly as many bytes as were decoded (the header
 *    sizes are kept), the size query agrees with the bytes written, a buffer
 *    one byte short gives NOSPACE with the size needed;
 *  - decode -> encode -> decode -> encode gives the same bytes (the encoding
 *    of a decoded message is a fixed point);
 *  - the rules (vw_ic_message_validate(), both profiles, with and without
 *    VW_IC_OPT_STRICT) return a known status with an offset inside the
 *    message, and a message strict accepts is accepted without it (strict
 *    only adds rules, IC-STRICT-*). */
#ifndef VW_FUZZ_IC_COMMON_H
#define VW_FUZZ_IC_COMMON_H

#include "vmwire/ic.h"

#include "fuzz.h"

/* vw_ic_message_decode() has no size limit of its own (IC-PIPE-4's 16 KiB
 * is the pipe layer's): a body can be 64 KiB and trailing bytes are kept, so
 * a round trip needs a buffer as large as the input. Inputs above this size
 * get every check but the round trip. */
#define FUZZ_IC_BUF (1u << 17)

static uint8_t fuzz_ic_e1[FUZZ_IC_BUF], fuzz_ic_e2[FUZZ_IC_BUF];

static inline size_t fuzz_ic_encode_message(const struct vw_ic_message *m, uint8_t *out)
{
    size_t need = 0, wrote = 0;
    vw_status st = vw_ic_message_encode(m, NULL, 0, &need);
    FUZZ_CHECK(st == VW_E_NOSPACE || (st == VW_OK && need == 0));
    FUZZ_CHECK(need <= FUZZ_IC_BUF);
    if (need > 0) {
        size_t n2 = 0;
        FUZZ_CHECK_STATUS(vw_ic_message_encode(m, out, need - 1, &n2), VW_E_NOSPACE);
        FUZZ_CHECK(n2 == need);
    }
    FUZZ_CHECK_STATUS(vw_ic_message_encode(m, out, FUZZ_IC_BUF, &wrote), VW_OK);
    FUZZ_CHECK(wrote == need);
    return wrote;
}

static inline void fuzz_ic_check_rules(const struct vw_ic_message *m, size_t len)
{
    for (int p = VW_IC_PROFILE_LINUX; p <= VW_IC_PROFILE_OPENVMM; p++) {
        size_t off = 0;
        vw_status v = vw_ic_message_validate(m, (enum vw_ic_profile)p, &off);
        FUZZ_CHECK(fuzz_status_known(v));
        FUZZ_CHECK(v != VW_E_INVALID_ARG);
        if (v != VW_OK)
            FUZZ_CHECK(off <= len);
        vw_status vs = vw_ic_message_validate_opts(m, (enum vw_ic_profile)p, VW_IC_OPT_STRICT, &off);
        FUZZ_CHECK(fuzz_status_known(vs));
        FUZZ_CHECK(vs != VW_E_INVALID_ARG);
        if (vs != VW_OK)
            FUZZ_CHECK(off <= len);
        else
            FUZZ_CHECK(v == VW_OK);
    }
}

/* Decode one IC message (header, body, trailing bytes) and check the
 * properties above. Returns the decode status. */
static inline vw_status fuzz_ic_message(const uint8_t *data, size_t size)
{
    struct vw_ic_message m, m2;
    size_t off = (size_t)-1;
    vw_status st = vw_ic_message_decode(data, size, &m, &off);
    FUZZ_CHECK(fuzz_status_known(st));
    if (st != VW_OK) {
        FUZZ_CHECK(fuzz_status_is_input_fault(st));
        FUZZ_CHECK(off <= size);
        return st;
    }
    FUZZ_CHECK(off == size);
    fuzz_ic_check_rules(&m, size);

    size_t body = 0;
    vw_status bs = vw_ic_body_size(&m, &body);
    FUZZ_CHECK(bs == VW_OK);
    FUZZ_CHECK(body <= m.header.message_size);

    if (size > FUZZ_IC_BUF)
        return st;
    size_t n1 = fuzz_ic_encode_message(&m, fuzz_ic_e1);
    FUZZ_CHECK(n1 == size);
    size_t off2 = 0;
    FUZZ_CHECK_STATUS(vw_ic_message_decode(fuzz_ic_e1, n1, &m2, &off2), VW_OK);
    FUZZ_CHECK(off2 == n1);
    FUZZ_CHECK(m2.kind == m.kind);
    FUZZ_CHECK(memcmp(&m2.header, &m.header, sizeof m.header) == 0);
    size_t n2 = fuzz_ic_encode_message(&m2, fuzz_ic_e2);
    FUZZ_CHECK_BYTES(fuzz_ic_e1, n1, fuzz_ic_e2, n2);
    return st;
}

/* Wrap @p body in an IC header of type @p type and message version
 * vmaj.vmin (framework 3.0, flags request+transaction) into @p out. */
static inline size_t fuzz_ic_wrap(uint8_t *out, size_t cap, uint16_t type, uint8_t vmaj, uint8_t vmin,
                           const uint8_t *body, size_t n)
{
    if (n > 0xffff)
        n = 0xffff;
    if (n + VW_IC_HEADER_SIZE > cap)
        n = cap - VW_IC_HEADER_SIZE;
    struct vw_ic_header h = {
        .framework_version = {3, 0},
        .message_type = type,
        .message_version = {vmaj, vmin},
        .message_size = (uint16_t)n,
        .status = 0,
        .transaction_id = 0,
        .flags = VW_IC_FLAG_TRANSACTION | VW_IC_FLAG_REQUEST,
        .reserved = 0,
    };
    size_t w = 0;
    FUZZ_CHECK_STATUS(vw_ic_header_encode(&h, out, cap, &w), VW_OK);
    FUZZ_CHECK(w == VW_IC_HEADER_SIZE);
    if (n)
        memcpy(out + w, body, n);
    return w + n;
}

/* A reply or request an engine wrote must be a well-formed packet. */
static inline void fuzz_ic_check_packet_out(const uint8_t *p, size_t n)
{
    struct vw_ic_packet pk;
    size_t off = 0;
    vw_status st = vw_ic_packet_decode(p, n, &pk, &off);
    if (st != VW_OK)
        FUZZ_FAIL("engine output does not decode: %s at %zu of %zu", vw_status_name(st), off, n);
    FUZZ_CHECK(pk.pipe.type == VW_IC_PIPE_DATA);
}

#endif /* VW_FUZZ_IC_COMMON_H */
