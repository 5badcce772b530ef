/* vmwire-bench: protobuf-c peer rows (bench_pbc.h). */
#include <string.h>

#include "bench.h"
#include "bench_pbc.h"

static void *bump_alloc(void *data, size_t size)
{
    struct bench_pbc *p = data;
    size_t at = (p->bump_used + 15u) & ~(size_t)15u;
    if (at > p->bump_cap || size > p->bump_cap - at)
        return NULL;
    p->bump_used = at + size;
    return p->bump + at;
}

static void bump_free(void *data, void *ptr)
{
    (void)data;
    (void)ptr;
}

void bench_pbc_init(struct bench_pbc *p, const ProtobufCMessageDescriptor *desc, const uint8_t *wire,
                    uint8_t *out, size_t out_cap, unsigned char *bump, size_t bump_cap)
{
    memset(p, 0, sizeof *p);
    p->desc = desc;
    p->wire = wire;
    p->out = out;
    p->out_cap = out_cap;
    p->bump = bump;
    p->bump_cap = bump_cap;
    p->alloc.alloc = bump_alloc;
    p->alloc.free = bump_free;
    p->alloc.allocator_data = p;
}

int bench_pbc_unpack(void *arg, uint64_t n)
{
    struct bench_pbc *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        ProtobufCMessage *m = protobuf_c_message_unpack(c->desc, NULL, c->len, c->wire);
        bad |= m == NULL;
        BENCH_USE(m);
        if (m)
            protobuf_c_message_free_unpacked(m, NULL);
    }
    return bad;
}

int bench_pbc_unpack_arena(void *arg, uint64_t n)
{
    struct bench_pbc *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        c->bump_used = 0;
        ProtobufCMessage *m = protobuf_c_message_unpack(c->desc, &c->alloc, c->len, c->wire);
        bad |= m == NULL;
        BENCH_USE(m);
    }
    return bad;
}

int bench_pbc_pack(void *arg, uint64_t n)
{
    struct bench_pbc *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t w = protobuf_c_message_pack(c->msg, c->out);
        bad |= w != c->len;
        BENCH_CLOBBER();
    }
    return bad;
}

int bench_pbc_size_pack(void *arg, uint64_t n)
{
    struct bench_pbc *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t need = protobuf_c_message_get_packed_size(c->msg);
        if (need > c->out_cap) {
            bad = 1;
            break;
        }
        size_t w = protobuf_c_message_pack(c->msg, c->out);
        bad |= w != c->len;
        BENCH_CLOBBER();
    }
    return bad;
}

static const char *same(const char *what, const uint8_t *got, size_t got_len, const struct bench_pbc *p)
{
    if (got_len == p->len && memcmp(got, p->wire, p->len) == 0)
        return NULL;
    return bench_errf("%s: %zu bytes, differ from the %zu reference bytes at offset %zu", what, got_len,
                      p->len, bench_first_diff(got, got_len, p->wire, p->len));
}

const char *bench_pbc_check_pack(struct bench_pbc *p)
{
    if (protobuf_c_message_get_packed_size(p->msg) != p->len)
        return "protobuf-c's packed size differs from vmwire's encoding";
    if (p->len > p->out_cap)
        return "message too large for the output buffer";
    return same("protobuf-c pack", p->out, protobuf_c_message_pack(p->msg, p->out), p);
}

const char *bench_pbc_check_unpack(struct bench_pbc *p, int arena)
{
    p->bump_used = 0;
    ProtobufCMessage *m = protobuf_c_message_unpack(p->desc, arena ? &p->alloc : NULL, p->len, p->wire);
    if (!m)
        return "protobuf_c_message_unpack failed";
    const char *e;
    if (protobuf_c_message_get_packed_size(m) > p->out_cap)
        e = "unpacked message too large";
    else
        e = same("protobuf-c unpack+pack", p->out, protobuf_c_message_pack(m, p->out), p);
    if (!arena)
        protobuf_c_message_free_unpacked(m, NULL);
    return e;
}
