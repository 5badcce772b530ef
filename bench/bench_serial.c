/* vmwire-bench: the serial protocol.
 *
 * Messages: every GuestMessage payload kind and VmmConfig, built with the
 * library's builders and encoded by its freestanding guest codec. Decode and
 * encode rows: "vmwire" is the VMM-side codec over protoc-c structs
 * (vw_serial_decode / vw_serial_encode, which include the capacity checks),
 * "vmwire_guest" the freestanding guest codec (fixed structs), against
 * protobuf-c (default allocator, bump arena) and memcpy of the same bytes.
 *
 * Deframer: a stream of back-to-back frames of all kinds, just under 1 MiB,
 * fed in 1-byte, 64-byte and 64 KiB chunks; memcpy of the same stream in the
 * same chunks into a 64 KiB ring is the bound. One iteration = the stream.
 * Two variants at 64 KiB chunks: "+check" runs the guest-message decoder on
 * every frame (vw_serial_check_guest_message), "_600B_frames" is a stream of
 * frames at the 600-byte payload limit (per-frame cost vs bytes).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "bench.h"
#include "bench_pbc.h"
#include "vmwire/arena.h"
#include "vmwire/serial.h"
#ifdef VW_BENCH_UPB
#include "bench_upb.h"
#endif

#define SER_CAP 1024
#define SER_ARENA 8192
#define N_KINDS 7
#define STREAM_MAX (1u << 20)
#define RING 65536u

struct ser_ctx {
    enum vw_serial_kind kind;
    const ProtobufCMessageDescriptor *desc;
    size_t len;
    _Alignas(16) uint8_t wire[SER_CAP];
    _Alignas(16) uint8_t out[SER_CAP];
    struct vw_serial_guest_message gm; /* guest codec encode source */
    struct vw_serial_vmm_config vc;
    const ProtobufCMessage *msg;       /* protoc-c encode source (decoded once, own arena) */
    struct vw_arena src_arena;
    _Alignas(16) unsigned char src_mem[SER_ARENA];
    struct vw_arena arena;
    _Alignas(16) unsigned char arena_mem[SER_ARENA];
    struct bench_pbc pbc; /* the protobuf-c rows (bench_pbc.h) */
    _Alignas(16) unsigned char bump_mem[SER_ARENA];
};

static struct ser_ctx ser_ctxs[N_KINDS];

static int s_decode(void *arg, uint64_t n)
{
    struct ser_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        ProtobufCMessage *m;
        size_t off;
        vw_arena_reset(&c->arena);
        bad |= vw_serial_decode(c->kind, c->wire, c->len, &c->arena, &m, &off) != VW_OK;
        BENCH_USE(m);
    }
    return bad;
}

static int s_guest_decode(void *arg, uint64_t n)
{
    struct ser_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t off;
        if (c->kind == VW_SERIAL_GUEST_MESSAGE) {
            struct vw_serial_guest_message m;
            bad |= vw_serial_guest_message_decode(c->wire, c->len, &m, &off) != VW_OK;
            BENCH_USE(&m);
        } else {
            struct vw_serial_vmm_config m;
            bad |= vw_serial_vmm_config_decode(c->wire, c->len, &m, &off) != VW_OK;
            BENCH_USE(&m);
        }
    }
    return bad;
}

static int s_encode(void *arg, uint64_t n)
{
    struct ser_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t w;
        bad |= vw_serial_encode(c->msg, c->out, sizeof c->out, &w) != VW_OK || w != c->len;
        BENCH_CLOBBER();
    }
    return bad;
}

static int s_guest_encode(void *arg, uint64_t n)
{
    struct ser_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t w;
        vw_status st = c->kind == VW_SERIAL_GUEST_MESSAGE
                           ? vw_serial_guest_message_encode(&c->gm, c->out, sizeof c->out, &w)
                           : vw_serial_vmm_config_encode(&c->vc, c->out, sizeof c->out, &w);
        bad |= st != VW_OK || w != c->len;
        BENCH_CLOBBER();
    }
    return bad;
}

static int s_copy(void *arg, uint64_t n)
{
    struct ser_ctx *c = arg;
    for (uint64_t i = 0; i < n; i++) {
        memcpy(c->out, c->wire, c->len);
        BENCH_CLOBBER();
    }
    return 0;
}

static const char *same(const char *what, const uint8_t *got, size_t got_len, const struct ser_ctx *c)
{
    if (got_len == c->len && memcmp(got, c->wire, c->len) == 0)
        return NULL;
    return bench_errf("%s: %zu bytes, differ from the %zu reference bytes at offset %zu", what, got_len,
                      c->len, bench_first_diff(got, got_len, c->wire, c->len));
}

static const char *ser_setup(struct ser_ctx *c, int k)
{
    vw_status st = VW_OK;
    size_t w = 0;
    c->kind = k < 6 ? VW_SERIAL_GUEST_MESSAGE : VW_SERIAL_VMM_CONFIG;
    c->desc = vw_serial_descriptor(c->kind);
    vw_arena_init(&c->arena, c->arena_mem, sizeof c->arena_mem);
    vw_arena_init(&c->src_arena, c->src_mem, sizeof c->src_mem);
    bench_pbc_init(&c->pbc, c->desc, c->wire, c->out, sizeof c->out, c->bump_mem, sizeof c->bump_mem);
    switch (k) {
    case 0:
        st = vw_serial_build_init(&c->gm, "features", "input", UINT64_C(0x130000000));
        break;
    case 1:
        st = vw_serial_build_capacity(&c->gm, "output", UINT64_C(41943040), UINT64_C(21474836480));
        break;
    case 2:
        st = vw_serial_build_progress(&c->gm, "convert", UINT64_C(12582912), UINT64_C(41943040), 30);
        break;
    case 3:
        st = vw_serial_build_error(&c->gm, "write", "output", UINT64_C(987654), 1);
        break;
    case 4:
        st = vw_serial_build_complete(&c->gm, "convert", UINT64_C(41943040), true);
        break;
    case 5: {
        struct vw_serial_info_args a = {"qcow2", 3, UINT64_C(21474836480), UINT64_C(1811939328), 65536, 1,
                                        "/var/lib/images/base-debian-12-genericcloud-amd64.qcow2", NULL};
        st = vw_serial_build_info_result(&c->gm, &a);
        break;
    }
    default:
        memset(&c->vc, 0, sizeof c->vc);
        c->vc.n_devices = 2;
        memcpy(c->vc.devices[0].name.data, "input", 5);
        c->vc.devices[0].name.len = 5;
        c->vc.devices[0].sector_size = 512;
        memcpy(c->vc.devices[1].name.data, "output", 6);
        c->vc.devices[1].name.len = 6;
        c->vc.devices[1].sector_size = 4096;
        c->vc.progress_percent = 5;
        break;
    }
    if (st != VW_OK)
        return bench_errf("builder: %s", vw_status_name(st));
    st = c->kind == VW_SERIAL_GUEST_MESSAGE ? vw_serial_guest_message_encode(&c->gm, c->wire, sizeof c->wire, &w)
                                            : vw_serial_vmm_config_encode(&c->vc, c->wire, sizeof c->wire, &w);
    if (st != VW_OK)
        return bench_errf("guest encode: %s", vw_status_name(st));
    c->len = w;
    /* The VMM-side decoder must accept it and both encoders must give it back. */
    ProtobufCMessage *m = NULL;
    size_t off = 0;
    st = vw_serial_decode(c->kind, c->wire, c->len, &c->src_arena, &m, &off);
    if (st != VW_OK)
        return bench_errf("vw_serial_decode: %s at %zu", vw_status_name(st), off);
    if (vw_serial_validate(m) != VW_OK)
        return "vw_serial_validate refuses the message";
    c->msg = m;
    uint8_t tmp[SER_CAP];
    st = vw_serial_encode(m, tmp, sizeof tmp, &w);
    if (st != VW_OK)
        return bench_errf("vw_serial_encode: %s", vw_status_name(st));
    const char *e = same("vw_serial_decode+encode", tmp, w, c);
    if (e)
        return e;
    c->pbc.msg = m;
    c->pbc.len = c->len;
    if ((e = bench_pbc_check_pack(&c->pbc)) != NULL || (e = bench_pbc_check_unpack(&c->pbc, 0)) != NULL ||
        (e = bench_pbc_check_unpack(&c->pbc, 1)) != NULL)
        return e;
    if (c->kind == VW_SERIAL_GUEST_MESSAGE) {
        struct vw_serial_guest_message g;
        st = vw_serial_guest_message_decode(c->wire, c->len, &g, &off);
        if (st == VW_OK)
            st = vw_serial_guest_message_encode(&g, tmp, sizeof tmp, &w);
    } else {
        struct vw_serial_vmm_config g;
        st = vw_serial_vmm_config_decode(c->wire, c->len, &g, &off);
        if (st == VW_OK)
            st = vw_serial_vmm_config_encode(&g, tmp, sizeof tmp, &w);
    }
    if (st != VW_OK)
        return bench_errf("guest decode+encode: %s", vw_status_name(st));
    return same("guest decode+encode", tmp, w, c);
}

/* ---- deframer ---- */

struct df_ctx {
    size_t chunk;
    int check;
    size_t len;
    uint64_t frames;
    const uint8_t *stream;
    struct vw_serial_deframer d;
};

static _Alignas(64) uint8_t stream[STREAM_MAX];
static _Alignas(64) uint8_t stream_big[STREAM_MAX];
static _Alignas(64) uint8_t ring[RING];
static size_t stream_len, big_len;
static uint64_t stream_frames, big_frames;
static struct df_ctx df_ctxs[5];

static int df_run(void *arg, uint64_t n)
{
    struct df_ctx *c = arg;
    int bad = 0;
    for (uint64_t it = 0; it < n; it++) {
        uint64_t got = 0;
        for (size_t pos = 0; pos < c->len;) {
            size_t piece = c->len - pos < c->chunk ? c->len - pos : c->chunk;
            const uint8_t *p = c->stream + pos;
            size_t left = piece;
            while (left) {
                struct vw_serial_event ev;
                size_t used;
                vw_status st = vw_serial_deframer_feed(&c->d, p, left, &ev, &used);
                bad |= st != VW_OK;
                got += ev.kind == VW_SERIAL_EV_FRAME;
                if (used == 0 && ev.kind == VW_SERIAL_EV_NONE) {
                    bad = 1;
                    break;
                }
                p += used;
                left -= used;
            }
            pos += piece;
        }
        bad |= got != c->frames;
    }
    return bad;
}

static int df_copy(void *arg, uint64_t n)
{
    struct df_ctx *c = arg;
    for (uint64_t it = 0; it < n; it++) {
        size_t at = 0;
        for (size_t pos = 0; pos < c->len;) {
            size_t piece = c->len - pos < c->chunk ? c->len - pos : c->chunk;
            if (at + piece > RING)
                at = 0;
            memcpy(ring + at, c->stream + pos, piece);
            BENCH_CLOBBER();
            at += piece;
            pos += piece;
        }
    }
    return 0;
}

static const char *df_setup(void)
{
    /* Frames of every GuestMessage kind, round robin, until 1 MiB is full. */
    stream_len = 0;
    stream_frames = 0;
    for (int k = 0;; k = (k + 1) % 6) {
        size_t w = 0;
        vw_status st = vw_serial_guest_message_encode_framed(&ser_ctxs[k].gm, stream + stream_len,
                                                             STREAM_MAX - stream_len, &w);
        if (st == VW_E_NOSPACE)
            break;
        if (st != VW_OK)
            return bench_errf("framed encode: %s", vw_status_name(st));
        stream_len += w;
        stream_frames++;
    }
    /* The same with every frame at the 600-byte payload limit (opaque payloads). */
    uint8_t payload[VW_SERIAL_MAX_MESSAGE];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 13u + 1u);
    big_len = 0;
    big_frames = 0;
    for (;;) {
        size_t w = 0;
        vw_status st = vw_serial_frame_encode(payload, sizeof payload, 0, stream_big + big_len,
                                              STREAM_MAX - big_len, &w);
        if (st == VW_E_NOSPACE)
            break;
        if (st != VW_OK)
            return bench_errf("vw_serial_frame_encode: %s", vw_status_name(st));
        big_len += w;
        big_frames++;
    }
    return NULL;
}

static const char *df_init(struct df_ctx *c, size_t chunk, int check)
{
    c->chunk = chunk;
    c->check = check;
    int big = check == 2;
    c->stream = big ? stream_big : stream;
    c->len = big ? big_len : stream_len;
    c->frames = big ? big_frames : stream_frames;
    check = check == 1;
    struct vw_serial_deframer_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (check)
        cfg.check = vw_serial_check_guest_message;
    vw_status st = vw_serial_deframer_init(&c->d, &cfg);
    if (st != VW_OK)
        return bench_errf("vw_serial_deframer_init: %s", vw_status_name(st));
    if (df_run(c, 1) != 0)
        return "the deframer did not yield every frame of the stream exactly once";
    return NULL;
}

void bench_register_serial(void)
{
    static const char *const names[N_KINDS] = {"init", "capacity", "progress", "error", "complete",
                                               "info_result", "vmm_config"};
    for (int k = 0; k < N_KINDS; k++) {
        struct ser_ctx *c = &ser_ctxs[k];
        const char *err = ser_setup(c, k);
        char grp[112];
        double b = (double)c->len;
        snprintf(grp, sizeof grp, "serial/%s/decode", names[k]);
        bench_add(grp, "vmwire", BENCH_REF, s_decode, c, b, 1, err);
        bench_add(grp, "vmwire_guest", BENCH_PEER, s_guest_decode, c, b, 1, err);
        bench_add(grp, "protobuf-c", BENCH_PEER, bench_pbc_unpack, &c->pbc, b, 1, err);
        bench_add(grp, "protobuf-c+arena", BENCH_PEER, bench_pbc_unpack_arena, &c->pbc, b, 1, err);
#ifdef VW_BENCH_UPB
        struct bench_upb *u = NULL;
        const char *uerr =
            err ? err : bench_upb_serial_bind(&u, c->kind == VW_SERIAL_VMM_CONFIG, c->wire, c->len);
        bench_add(grp, "upb", BENCH_PEER, bench_upb_decode, u, b, 1, uerr);
#endif
        bench_add(grp, "memcpy", BENCH_LIMIT, s_copy, c, b, 1, err);
        snprintf(grp, sizeof grp, "serial/%s/encode", names[k]);
        bench_add(grp, "vmwire", BENCH_REF, s_encode, c, b, 1, err);
        bench_add(grp, "vmwire_guest", BENCH_PEER, s_guest_encode, c, b, 1, err);
        bench_add(grp, "protobuf-c", BENCH_PEER, bench_pbc_pack, &c->pbc, b, 1, err);
#ifdef VW_BENCH_UPB
        bench_add(grp, "upb", BENCH_PEER, bench_upb_encode, u, b, 1, uerr);
#endif
        bench_add(grp, "memcpy", BENCH_LIMIT, s_copy, c, b, 1, err);
    }
    const char *serr = df_setup();
    static const size_t chunks[3] = {1, 64, 65536};
    static const char *const variant[5] = {"", "", "", "+check", "_600B_frames"};
    for (int i = 0; i < 5; i++) {
        struct df_ctx *c = &df_ctxs[i];
        size_t chunk = i < 3 ? chunks[i] : 65536;
        const char *err = serr ? serr : df_init(c, chunk, i == 3 ? 1 : i == 4 ? 2 : 0);
        char grp[112];
        snprintf(grp, sizeof grp, "serial/deframer%s/chunk_%zu", variant[i], chunk);
        bench_add(grp, "vmwire", BENCH_REF, df_run, c, (double)c->len, (double)c->frames, err);
        bench_add(grp, "memcpy", BENCH_LIMIT, df_copy, c, (double)c->len, (double)c->frames, err);
    }
}
