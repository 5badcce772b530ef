/* vmwire-bench: the protobuf-c peer rows shared by the crosvm and serial
 * groups (bench_crosvm.c, bench_serial.c): unpack with the default
 * allocator (and free), unpack into a bump arena reset per message, pack
 * alone, and get_packed_size + pack. */
#ifndef VMWIRE_BENCH_PBC_H
#define VMWIRE_BENCH_PBC_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/* One message's protobuf-c rows; the measured functions take a pointer to
 * this as their argument. */
struct bench_pbc {
    const ProtobufCMessageDescriptor *desc;
    const ProtobufCMessage *msg; /* the source of pack */
    const uint8_t *wire;         /* the reference bytes, the input of unpack */
    size_t len;                  /* their length */
    uint8_t *out;                /* pack's output buffer */
    size_t out_cap;
    ProtobufCAllocator alloc; /* the bump allocator over bump[0..bump_cap) */
    unsigned char *bump;
    size_t bump_cap, bump_used;
};

/* Set up @p p; msg and len are set by the caller once known. */
void bench_pbc_init(struct bench_pbc *p, const ProtobufCMessageDescriptor *desc, const uint8_t *wire,
                    uint8_t *out, size_t out_cap, unsigned char *bump, size_t bump_cap);

int bench_pbc_unpack(void *arg, uint64_t n);
int bench_pbc_unpack_arena(void *arg, uint64_t n);
int bench_pbc_pack(void *arg, uint64_t n);
int bench_pbc_size_pack(void *arg, uint64_t n);

/* Self-checks: pack of msg gives the reference bytes (get_packed_size
 * too); unpack of them (@p arena: with the bump allocator) packs back to
 * them. NULL, or what differs. */
const char *bench_pbc_check_pack(struct bench_pbc *p);
const char *bench_pbc_check_unpack(struct bench_pbc *p, int arena);

#endif /* VMWIRE_BENCH_PBC_H */
