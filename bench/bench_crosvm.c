/* vmwire-bench: crosvm plugin messages A..E, both revisions, decode and
 * encode, against protobuf-c (default allocator and a bump arena), nanopb
 * (static structs generated at build time from the same .proto), upb (with
 * configure --with-upb: bench_upb.c) and memcpy of the same bytes.
 *
 * Every message is built as a protoc-c struct and encoded with vmwire's own
 * encoder; the self-check then proves, for each implementation, that a
 * decode reproduces exactly those bytes when encoded again, and that each
 * encoder writes exactly those bytes. The measured loops check every status.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "bench.h"
#include "bench_pbc.h"
#include "vmwire/arena.h"
#include "vmwire/crosvm.h"

#include "crosvm/final/plugin.pb-c.h"
#include "crosvm/seed/plugin.pb-c.h"
#include "floor_a.h"
#ifdef VW_BENCH_UPB
#include "bench_upb.h"
#endif

#ifdef VW_BENCH_NANOPB
#include <pb_decode.h>
#include <pb_encode.h>

#include "crosvm/final/plugin.pb.h"
#include "crosvm/seed/plugin.pb.h"

struct np_binding {
    const pb_msgdesc_t *fields;
    void *dec; /* decode target */
    void *src; /* encode source (decoded once from the wire bytes) */
    size_t size;
};
#endif

#define CV_T(x) Vmwire__Crosvm__Seed__##x
#define CV_C(x) VMWIRE__CROSVM__SEED__##x
#define CV_D(x) vmwire__crosvm__seed__##x
#define CV_FN(x) x##_seed
#define NP_T(x) vmwire_crosvm_seed_##x
#include "crosvm_rev.h"
#undef CV_T
#undef CV_C
#undef CV_D
#undef CV_FN
#undef NP_T

#define CV_T(x) Vmwire__Crosvm__Final__##x
#define CV_C(x) VMWIRE__CROSVM__FINAL__##x
#define CV_D(x) vmwire__crosvm__final__##x
#define CV_FN(x) x##_final
#define NP_T(x) vmwire_crosvm_final_##x
#include "crosvm_rev.h"
#undef CV_T
#undef CV_C
#undef CV_D
#undef CV_FN
#undef NP_T

#define CV_SEED_IO Vmwire__Crosvm__Seed__VcpuResponse__Wait__Io
#define CV_FINAL_IO Vmwire__Crosvm__Final__VcpuResponse__Wait__Io

#define WIRE_CAP 2048
#define ARENA_CAP 16384

struct cv_ctx {
    enum vw_crosvm_revision rev;
    enum vw_crosvm_kind kind;
    const ProtobufCMessageDescriptor *desc;
    const ProtobufCMessage *msg; /* the source struct, input of the encoders */
    size_t len;
    _Alignas(16) uint8_t wire[WIRE_CAP];
    _Alignas(16) uint8_t out[WIRE_CAP];
    struct vw_arena arena;
    _Alignas(16) unsigned char arena_mem[ARENA_CAP];
    struct bench_pbc pbc; /* the protobuf-c rows (bench_pbc.h) */
    _Alignas(16) unsigned char bump_mem[ARENA_CAP];
#ifdef VW_BENCH_NANOPB
    struct np_binding np;
#endif
};

static struct cv_ctx ctxs[2][5];

/* ---- measured loops ---- */

static int vw_decode(void *arg, uint64_t n)
{
    struct cv_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        ProtobufCMessage *m;
        size_t off;
        vw_arena_reset(&c->arena);
        vw_status st = vw_crosvm_decode(c->rev, c->kind, c->wire, c->len, &c->arena, &m, &off);
        bad |= st != VW_OK;
        BENCH_USE(m);
    }
    return bad;
}

static int vw_encode(void *arg, uint64_t n)
{
    struct cv_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t w;
        vw_status st = vw_crosvm_encode(c->msg, c->out, sizeof c->out, &w);
        bad |= st != VW_OK || w != c->len;
        BENCH_CLOBBER();
    }
    return bad;
}

static int copy_bytes(void *arg, uint64_t n)
{
    struct cv_ctx *c = arg;
    for (uint64_t i = 0; i < n; i++) {
        memcpy(c->out, c->wire, c->len);
        BENCH_CLOBBER();
    }
    return 0;
}

/* The hand-written floor of message A (floor_a.h), one function per revision
 * so that the revision is a constant. */
static int floor_decode_seed(void *arg, uint64_t n)
{
    struct cv_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct fl_a a;
        bad |= !fl_decode_a(c->wire, c->len, &a, 0);
        BENCH_USE(&a);
    }
    return bad;
}

static int floor_decode_final(void *arg, uint64_t n)
{
    struct cv_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct fl_a a;
        bad |= !fl_decode_a(c->wire, c->len, &a, 1);
        BENCH_USE(&a);
    }
    return bad;
}

#ifdef VW_BENCH_NANOPB
static int np_decode(void *arg, uint64_t n)
{
    struct cv_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        pb_istream_t s = pb_istream_from_buffer(c->wire, c->len);
        bad |= !pb_decode(&s, c->np.fields, c->np.dec);
        BENCH_CLOBBER();
    }
    return bad;
}

static int np_encode(void *arg, uint64_t n)
{
    struct cv_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        pb_ostream_t s = pb_ostream_from_buffer(c->out, sizeof c->out);
        bad |= !pb_encode(&s, c->np.fields, c->np.src) || s.bytes_written != c->len;
        BENCH_CLOBBER();
    }
    return bad;
}
#endif

/* ---- self-checks ---- */

static const char *same_bytes(const char *what, const uint8_t *got, size_t got_len, const struct cv_ctx *c)
{
    if (got_len == c->len && memcmp(got, c->wire, c->len) == 0)
        return NULL;
    return bench_errf("%s: %zu bytes, differ from the %zu reference bytes at offset %zu", what, got_len,
                      c->len, bench_first_diff(got, got_len, c->wire, c->len));
}

static const char *check_vw_decode(struct cv_ctx *c)
{
    ProtobufCMessage *m = NULL;
    size_t off = 0, w = 0;
    vw_arena_reset(&c->arena);
    vw_status st = vw_crosvm_decode(c->rev, c->kind, c->wire, c->len, &c->arena, &m, &off);
    if (st != VW_OK)
        return bench_errf("vw_crosvm_decode: %s at offset %zu", vw_status_name(st), off);
    if (off != c->len)
        return bench_errf("vw_crosvm_decode consumed %zu of %zu bytes", off, c->len);
    if (m->descriptor != c->desc)
        return "vw_crosvm_decode returned a message of another type";
    /* Both encoders must give back the reference bytes. */
    uint8_t tmp[WIRE_CAP];
    st = vw_crosvm_encode(m, tmp, sizeof tmp, &w);
    if (st != VW_OK)
        return bench_errf("re-encoding the decoded message: %s", vw_status_name(st));
    const char *e = same_bytes("decode+vmwire encode", tmp, w, c);
    if (e)
        return e;
    if (protobuf_c_message_get_packed_size(m) > sizeof tmp)
        return "decoded message too large";
    w = protobuf_c_message_pack(m, tmp);
    return same_bytes("decode+protobuf-c pack", tmp, w, c);
}

/* The floor must find every value of the source struct of A. */
static const char *check_floor(struct cv_ctx *c, int final)
{
    struct fl_a a;
    uint32_t space;
    uint64_t address;
    int is_write;
    ProtobufCBinaryData data;
    if (final) {
        const CV_FINAL_IO *io = &cv_msgs_final.a_io;
        space = io->space, address = io->address, is_write = io->is_write, data = io->data;
    } else {
        const CV_SEED_IO *io = &cv_msgs_seed.a_io;
        space = io->space, address = io->address, is_write = io->is_write, data = io->data;
    }
    if (!fl_decode_a(c->wire, c->len, &a, final))
        return "floor decoder refused message A";
    if (a.errno_ != 0 || a.message_case != 2 || a.exit_case != 2 || a.io.space != space ||
        a.io.address != address || a.io.is_write != is_write || a.io.data.len != data.len ||
        memcmp(a.io.data.data, data.data, data.len) != 0)
        return "floor decoder: values differ from the source message";
    return NULL;
}

#ifdef VW_BENCH_NANOPB
static const char *check_np(struct cv_ctx *c)
{
    memset(c->np.src, 0, c->np.size);
    pb_istream_t s = pb_istream_from_buffer(c->wire, c->len);
    if (!pb_decode(&s, c->np.fields, c->np.src))
        return bench_errf("nanopb pb_decode: %s", PB_GET_ERROR(&s));
    uint8_t tmp[WIRE_CAP];
    pb_ostream_t o = pb_ostream_from_buffer(tmp, sizeof tmp);
    if (!pb_encode(&o, c->np.fields, c->np.src))
        return bench_errf("nanopb pb_encode: %s", PB_GET_ERROR(&o));
    return same_bytes("nanopb decode+encode", tmp, o.bytes_written, c);
}
#endif

static const char *const msg_names[5] = {"A_vcpu_response_wait_io", "B_vcpu_request_resume",
                                         "C_vcpu_response_get_state", "D_main_request_set_irq_routing",
                                         "E_vcpu_response_get_msrs"};
static const enum vw_crosvm_kind msg_kinds[5] = {VW_CROSVM_VCPU_RESPONSE, VW_CROSVM_VCPU_REQUEST,
                                                 VW_CROSVM_VCPU_RESPONSE, VW_CROSVM_MAIN_REQUEST,
                                                 VW_CROSVM_VCPU_RESPONSE};

void bench_register_crosvm(void)
{
    const ProtobufCMessage *msgs[2][5];
    cv_build_seed(msgs[0]);
    cv_build_final(msgs[1]);
#ifdef VW_BENCH_NANOPB
    struct np_binding np[2][5];
    np_bind_seed(np[0]);
    np_bind_final(np[1]);
#endif
    static const char *const revs[2] = {"seed", "final"};
    for (int r = 0; r < 2; r++) {
        for (int k = 0; k < 5; k++) {
            struct cv_ctx *c = &ctxs[r][k];
            c->rev = r == 0 ? VW_CROSVM_SEED : VW_CROSVM_FINAL;
            c->kind = msg_kinds[k];
            c->desc = vw_crosvm_descriptor(c->rev, c->kind);
            c->msg = msgs[r][k];
            vw_arena_init(&c->arena, c->arena_mem, sizeof c->arena_mem);
            bench_pbc_init(&c->pbc, c->desc, c->wire, c->out, sizeof c->out, c->bump_mem,
                           sizeof c->bump_mem);
            c->pbc.msg = c->msg;
#ifdef VW_BENCH_NANOPB
            c->np = np[r][k];
#endif
            const char *err = NULL;
            size_t w = 0;
            if (!c->desc || c->desc != c->msg->descriptor)
                err = "descriptor mismatch";
            else if (vw_crosvm_encode(c->msg, c->wire, sizeof c->wire, &w) != VW_OK)
                err = "vw_crosvm_encode failed";
            c->len = c->pbc.len = w;
            if (!err) /* protobuf-c must agree with vmwire's encoder on the reference bytes. */
                err = bench_pbc_check_pack(&c->pbc);
            char grp[112];
            double bytes = (double)c->len;

            snprintf(grp, sizeof grp, "crosvm/%s/%s/decode", revs[r], msg_names[k]);
            bench_add(grp, "vmwire", BENCH_REF, vw_decode, c, bytes, 1, err ? err : check_vw_decode(c));
            bench_add(grp, "protobuf-c", BENCH_PEER, bench_pbc_unpack, &c->pbc, bytes, 1,
                      err ? err : bench_pbc_check_unpack(&c->pbc, 0));
            bench_add(grp, "protobuf-c+arena", BENCH_PEER, bench_pbc_unpack_arena, &c->pbc, bytes, 1,
                      err ? err : bench_pbc_check_unpack(&c->pbc, 1));
            if (k == 0)
                bench_add(grp, "floor", BENCH_PEER, r == 0 ? floor_decode_seed : floor_decode_final, c,
                          bytes, 1, err ? err : check_floor(c, r));
#ifdef VW_BENCH_NANOPB
            bench_add(grp, "nanopb", BENCH_PEER, np_decode, c, bytes, 1, err ? err : check_np(c));
#endif
#ifdef VW_BENCH_UPB
            struct bench_upb *u = NULL;
            const char *uerr = err ? err : bench_upb_crosvm_bind(&u, r, k, c->wire, c->len);
            bench_add(grp, "upb", BENCH_PEER, bench_upb_decode, u, bytes, 1, uerr);
#endif
            bench_add(grp, "memcpy", BENCH_LIMIT, copy_bytes, c, bytes, 1, err);

            snprintf(grp, sizeof grp, "crosvm/%s/%s/encode", revs[r], msg_names[k]);
            bench_add(grp, "vmwire", BENCH_REF, vw_encode, c, bytes, 1, err);
            bench_add(grp, "protobuf-c", BENCH_PEER, bench_pbc_pack, &c->pbc, bytes, 1, err);
            bench_add(grp, "protobuf-c+size", BENCH_PEER, bench_pbc_size_pack, &c->pbc, bytes, 1, err);
#ifdef VW_BENCH_NANOPB
            bench_add(grp, "nanopb", BENCH_PEER, np_encode, c, bytes, 1, err ? err : check_np(c));
#endif
#ifdef VW_BENCH_UPB
            bench_add(grp, "upb", BENCH_PEER, bench_upb_encode, u, bytes, 1, uerr);
#endif
            bench_add(grp, "memcpy", BENCH_LIMIT, copy_bytes, c, bytes, 1, err);
        }
    }
}
