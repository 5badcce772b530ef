/* vmwire-bench: upb rows of the crosvm and serial groups (see bench_upb.h).
 * Built only with configure --with-upb=PREFIX; the upb code (the C API
 * headers and the mini-tables) is generated at build time into bench/upb
 * from proto/. */
#include <string.h>

#include "upb/mem/arena.h"
#include "upb/message/message.h"
#include "upb/wire/decode.h"
#include "upb/wire/encode.h"

#include "crosvm/final/plugin.upb.h"
#include "crosvm/final/plugin.upb_minitable.h"
#include "crosvm/seed/plugin.upb.h"
#include "crosvm/seed/plugin.upb_minitable.h"
#include "serial/guest.upb_minitable.h"

#include "bench.h"
#include "bench_upb.h"

#ifndef VW_BENCH_UPB_PARSER
#define VW_BENCH_UPB_PARSER "unknown"
#endif
const char bench_upb_parser[] = VW_BENCH_UPB_PARSER;

#define UPB_ARENA_CAP 32768

struct bench_upb {
    const upb_MiniTable *mt;
    const uint8_t *wire;
    size_t len;
    upb_Message *src; /* decoded once into src_mem: the encode row's input */
    _Alignas(16) unsigned char mem[UPB_ARENA_CAP];
    _Alignas(16) unsigned char src_mem[UPB_ARENA_CAP];
};

/* 10 crosvm messages, 7 serial ones */
static struct bench_upb states[24];
static size_t n_states;

static upb_Message *decode_into(struct bench_upb *u, void *mem, upb_DecodeStatus *st)
{
    upb_Arena *a = upb_Arena_Init(mem, UPB_ARENA_CAP, NULL);
    upb_Message *m = a ? upb_Message_New(u->mt, a) : NULL;
    *st = m ? upb_Decode((const char *)u->wire, u->len, m, u->mt, NULL, kUpb_DecodeOption_AliasString, a)
            : kUpb_DecodeStatus_OutOfMemory;
    return *st == kUpb_DecodeStatus_Ok ? m : NULL;
}

int bench_upb_decode(void *arg, uint64_t n)
{
    struct bench_upb *u = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        upb_DecodeStatus st;
        upb_Message *m = decode_into(u, u->mem, &st);
        bad |= m == NULL;
        BENCH_USE(m);
    }
    return bad;
}

int bench_upb_encode(void *arg, uint64_t n)
{
    struct bench_upb *u = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        upb_Arena *a = upb_Arena_Init(u->mem, sizeof u->mem, NULL);
        char *buf = NULL;
        size_t size = 0;
        bad |= a == NULL || upb_Encode(u->src, u->mt, 0, a, &buf, &size) != kUpb_EncodeStatus_Ok ||
               size != u->len;
        BENCH_USE(buf);
    }
    return bad;
}

/* Message A through the generated accessors: IOPORT, 0x3f8, is_write, one
 * data byte 0x41 (crosvm_rev.h), in both revisions. */
#define A_CHECK(P)                                                                                   \
    do {                                                                                             \
        const P##VcpuResponse_Wait *w = P##VcpuResponse_wait((const P##VcpuResponse *)m);            \
        const P##VcpuResponse_Wait_Io *io = w ? P##VcpuResponse_Wait_io(w) : NULL;                   \
        if (!io)                                                                                     \
            return "upb: message A has no wait.io";                                                  \
        upb_StringView d = P##VcpuResponse_Wait_Io_data(io);                                         \
        if (P##VcpuResponse_Wait_Io_space(io) != 0 || P##VcpuResponse_Wait_Io_address(io) != 0x3f8 || \
            !P##VcpuResponse_Wait_Io_is_write(io) || d.size != 1 || d.data[0] != 0x41)               \
            return "upb: message A's values differ from the source message";                         \
    } while (0)

static const char *check_a(int rev, const upb_Message *m)
{
    if (rev == 0)
        A_CHECK(vmwire_crosvm_seed_);
    else
        A_CHECK(vmwire_crosvm_final_);
    return NULL;
}

/* Take a state for @p mt over the reference bytes, decode them once (the
 * encode source) and check that upb encodes that back to the same bytes. */
static const char *bind(struct bench_upb **out, const upb_MiniTable *mt, const uint8_t *wire, size_t len)
{
    *out = NULL;
    if (n_states == sizeof states / sizeof states[0])
        return "upb: too many rows";
    struct bench_upb *u = &states[n_states++];
    u->mt = mt;
    u->wire = wire;
    u->len = len;
    *out = u;
    upb_DecodeStatus st;
    u->src = decode_into(u, u->src_mem, &st);
    if (!u->src)
        return bench_errf("upb_Decode: %s", upb_DecodeStatus_String(st));
    upb_Arena *a = upb_Arena_Init(u->mem, sizeof u->mem, NULL);
    char *buf = NULL;
    size_t size = 0;
    upb_EncodeStatus es = a ? upb_Encode(u->src, u->mt, 0, a, &buf, &size) : kUpb_EncodeStatus_OutOfMemory;
    if (es != kUpb_EncodeStatus_Ok)
        return bench_errf("upb_Encode: %s", upb_EncodeStatus_String(es));
    if (size != len || memcmp(buf, wire, len) != 0)
        return bench_errf("upb decode+encode: %zu bytes, differ from the %zu reference bytes at offset %zu",
                          size, len, bench_first_diff((const uint8_t *)buf, size, wire, len));
    return NULL;
}

const char *bench_upb_crosvm_bind(struct bench_upb **out, int rev, int msg, const uint8_t *wire,
                                  size_t len)
{
    static const upb_MiniTable *const tables[2][5] = {
        {&vmwire__crosvm__seed__VcpuResponse_msg_init, &vmwire__crosvm__seed__VcpuRequest_msg_init,
         &vmwire__crosvm__seed__VcpuResponse_msg_init, &vmwire__crosvm__seed__MainRequest_msg_init,
         &vmwire__crosvm__seed__VcpuResponse_msg_init},
        {&vmwire__crosvm__final__VcpuResponse_msg_init, &vmwire__crosvm__final__VcpuRequest_msg_init,
         &vmwire__crosvm__final__VcpuResponse_msg_init, &vmwire__crosvm__final__MainRequest_msg_init,
         &vmwire__crosvm__final__VcpuResponse_msg_init},
    };
    *out = NULL;
    if (rev < 0 || rev > 1 || msg < 0 || msg > 4)
        return "upb: no such message";
    const char *e = bind(out, tables[rev][msg], wire, len);
    if (!e && msg == 0)
        e = check_a(rev, (*out)->src);
    return e;
}

const char *bench_upb_serial_bind(struct bench_upb **out, int vmm_config, const uint8_t *wire, size_t len)
{
    return bind(out, vmm_config ? &vmwire__serial__VmmConfig_msg_init : &vmwire__serial__GuestMessage_msg_init,
                wire, len);
}
