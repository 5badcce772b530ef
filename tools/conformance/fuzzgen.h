/* Structure-aware generators shared by the runner's differential fuzzer
 * (tools/conformance/fuzz.c) and the custom mutators of the fuzz targets
 * (fuzz/mutate.c: LLVMFuzzerCustomMutator, the AFL++ custom mutator).
 *
 * Every generator edits a caller-owned byte buffer in place: p[0..*n) holds
 * the input, the result may grow up to cap bytes. Nothing here allocates or
 * keeps state between calls: the randomness is a splitmix64 generator the
 * caller seeds (struct vwfg_rng), and the protobuf mutator's scratch space
 * (struct vwfg_pb_work) is the caller's. A generator returns the name of
 * what it did ("pb-varint-limit", "ic-negotiate", ...), which the runner
 * writes into the cases it reports; NULL when the input did not have the
 * structure it needs (not a clean protobuf message, say) and nothing was
 * changed. */
#ifndef VW_CONFORMANCE_FUZZGEN_H
#define VW_CONFORMANCE_FUZZGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/* splitmix64 */
struct vwfg_rng {
    uint64_t s;
};

uint64_t vwfg_rnd(struct vwfg_rng *r);
/* uniform in [0, n); 0 for n == 0 */
size_t vwfg_below(struct vwfg_rng *r, size_t n);
/* a value around one of the limits (0, 1, 2^k - 1, 2^k, 600, ...) */
uint64_t vwfg_limit(struct vwfg_rng *r);
/* a length around the limits the specs state (0 .. 601) */
size_t vwfg_len(struct vwfg_rng *r);

/* Byte-level mutations: truncation, a bit flip, a boundary byte, insertion,
 * deletion, an aligned little-endian field set to a limit. Never NULL. */
const char *vwfg_bytes_mutate(struct vwfg_rng *r, uint8_t *p, size_t *n, size_t cap);

/* One mutation of an IC message (packet: with its 8-byte pipe header in
 * front): header fields, the pipe header, the body size with the sizes kept
 * consistent, negotiation counts and versions, body fields. Never NULL. */
const char *vwfg_ic_mutate(struct vwfg_rng *r, uint8_t *p, size_t *n, size_t cap, bool packet);

/* Re-write an IC message's (packet's) size fields from its length. */
void vwfg_ic_fix_sizes(uint8_t *p, size_t n, bool packet);

/* A serial frame stream (u16le length, payload)*: a frame length around the
 * limits, a frame of a limit length appended, another stream (other[0..on))
 * appended, or a byte mutation. Never NULL. */
const char *vwfg_stream_mutate(struct vwfg_rng *r, uint8_t *p, size_t *n, size_t cap, const uint8_t *other,
                               size_t on);

/* ---- protobuf ----------------------------------------------------------- */

#define VWFG_PB_NODES 2048
#define VWFG_PB_MAX 65536 /* the largest input the protobuf mutator parses */

struct vwfg_pb_node {
    const uint8_t *base; /* the buffer off/len refer to */
    uint64_t v;          /* varint value */
    uint32_t num;        /* field number */
    uint32_t off, len;   /* the payload (LEN, fixed) or the fill pattern, in base */
    uint32_t want;       /* fill: the payload is want bytes of the pattern repeated */
    int32_t lie;         /* added to the written length of a LEN field */
    int32_t first;       /* first child (a LEN payload parsed as a message), or -1 */
    int32_t next;        /* next sibling, or -1 */
    uint8_t wt;          /* wire type */
    uint8_t kind;        /* see fuzzgen.c */
    uint8_t nin;         /* inline bytes */
    uint8_t in[8];
};

/* The protobuf mutator's scratch space (about 170 KiB): a copy of the input,
 * the parsed field tree, references to every field. The caller owns it (on
 * the stack, in a mutator's state); nothing in it survives a call. */
struct vwfg_pb_work {
    uint8_t src[VWFG_PB_MAX];
    struct vwfg_pb_node node[VWFG_PB_NODES];
    int32_t link[VWFG_PB_NODES];
    int32_t nn;
    int32_t root;
};

/* One structure-aware mutation of the protobuf message p[0..*n) (values
 * around limits, lengths around capacities, repeated fields, unknown
 * fields, wrong wire types, lying lengths, field numbers, swapped fields,
 * a member of other[0..on) merged in: a second oneof member, a repeated
 * element, a sub-message merged). other may be NULL. Returns NULL, and
 * leaves p unchanged, when p is not a clean protobuf message, larger than
 * VWFG_PB_MAX, or the result would not fit in cap. */
const char *vwfg_pb_mutate(struct vwfg_rng *r, struct vwfg_pb_work *w, uint8_t *p, size_t *n, size_t cap,
                           const uint8_t *other, size_t on);

/* For minimising: the number of fields of p's tree (pre-order), or -1 when
 * p is not a clean protobuf message (or larger than VWFG_PB_MAX). */
long vwfg_pb_count(struct vwfg_pb_work *w, const uint8_t *p, size_t n);

/* For minimising: p with field i (pre-order) simplified into out (at least
 * n bytes): op 0 drops the field, op 1 empties a non-empty LEN payload, op 2
 * zeroes a non-zero varint. False when the op does not apply. */
bool vwfg_pb_simplify(struct vwfg_pb_work *w, const uint8_t *p, size_t n, size_t i, int op, uint8_t *out,
                      size_t *on);

/* A message of type d built from the schema into p[0..cap): fields present
 * or not, one member per oneof (sometimes two, a merge, or none), repeated
 * counts (packed or not) and string and bytes lengths around the limits,
 * enum values from the enum and around it. Returns its length; the message
 * is cut short (still well formed) when cap is too small. */
size_t vwfg_schema_message(struct vwfg_rng *r, const ProtobufCMessageDescriptor *d, uint8_t *p, size_t cap);

#endif /* VW_CONFORMANCE_FUZZGEN_H */
