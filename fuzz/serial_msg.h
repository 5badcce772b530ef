/* Body of the serial message targets (fuzz_serial_guest_message.c,
 * fuzz_serial_vmm_config.c). Two decoders of the same payload are run:
 * the heapless one of vmwire/serial_guest.h (what a guest links) and the
 * protobuf-c-struct one of vmwire/serial.h (vmwire's protobuf engine plus the
 * capacities). Properties:
 *  - the two decoders return the same status;
 *  - on success: the heapless encoding is a fixed point (decode -> encode ->
 *    decode -> encode gives the same bytes), never exceeds the schema's stated
 *    worst case (VW_SERIAL_*_MAX_SIZE), and equals the canonical encoding of
 *    the protobuf-c struct (vw_serial_encode);
 *  - vw_serial_validate() returns a known status;
 *  - the protobuf engine agrees with protobuf-c's own unpack (pb_diff.h);
 *  - the micropb decoder (SER-MICROPB-*) returns a known input fault with an
 *    offset inside the input, or success with the offset at its end; its
 *    heapless and protobuf-c forms agree; its canonical re-encoding decodes
 *    again under micropb to the same bytes. */
#ifndef VW_FUZZ_SERIAL_MSG_H
#define VW_FUZZ_SERIAL_MSG_H

#include "vmwire/serial.h"
#include "vmwire/serial_guest.h"

#include "fuzz.h"
#include "pb_diff.h"

#define FUZZ_SER_ARENA (1u << 20)
#define FUZZ_SER_ENC 4096u

static unsigned char fuzz_ser_arena[FUZZ_SER_ARENA], fuzz_ser_arena2[FUZZ_SER_ARENA];
static uint8_t fuzz_ser_e1[FUZZ_SER_ENC], fuzz_ser_e2[FUZZ_SER_ENC], fuzz_ser_e3[FUZZ_SER_ENC];

/* The protobuf-c-struct path: decode, and when it succeeds, the canonical
 * bytes into @p out (*n). Returns the decode status. */
static inline vw_status fuzz_serial_pb_path(enum vw_serial_kind kind, const uint8_t *data,
                                            size_t size, uint8_t *out, size_t *n)
{
    struct vw_arena a;
    ProtobufCMessage *m = NULL;
    size_t off = (size_t)-1;
    vw_arena_init(&a, fuzz_ser_arena, sizeof fuzz_ser_arena);
    vw_status st = vw_serial_decode(kind, data, size, &a, &m, &off);
    FUZZ_CHECK(fuzz_status_known(st));
    *n = 0;
    if (st != VW_OK) {
        FUZZ_CHECK(m == NULL);
        FUZZ_CHECK(off <= size);
        return st;
    }
    FUZZ_CHECK(off == size);
    vw_status v = vw_serial_validate(m);
    FUZZ_CHECK(fuzz_status_known(v) && v != VW_E_INVALID_ARG);
    FUZZ_CHECK_STATUS(vw_serial_check_capacity(m), VW_OK);
    vw_status e = vw_serial_encode(m, out, FUZZ_SER_ENC, n);
    FUZZ_CHECK(e == VW_OK || e == VW_E_TOO_LONG);
    return st;
}

static inline void fuzz_serial_differential(enum vw_serial_kind kind, const uint8_t *data,
                                            size_t size)
{
    struct vw_arena a;
    vw_arena_init(&a, fuzz_ser_arena2, sizeof fuzz_ser_arena2);
    fuzz_pb_differential(vw_serial_descriptor(kind), data, size, &a, fuzz_ser_e2, fuzz_ser_e3,
                         FUZZ_SER_ENC);
}

static inline void fuzz_serial_micropb(enum vw_serial_kind kind, const uint8_t *data, size_t size)
{
    size_t off = (size_t)-1, off2 = (size_t)-1, n1 = 0, n2 = 0;
    vw_status st;
    if (kind == VW_SERIAL_GUEST_MESSAGE) {
        struct vw_serial_guest_message m;
        st = vw_serial_guest_message_decode_micropb(data, size, &m, &off);
    } else {
        struct vw_serial_vmm_config c;
        st = vw_serial_vmm_config_decode_micropb(data, size, &c, &off);
        if (st == VW_OK)
            FUZZ_CHECK(c.n_devices <= VW_SERIAL_MAX_DEVICES);
    }
    FUZZ_CHECK(fuzz_status_known(st));
    struct vw_arena a;
    ProtobufCMessage *m = NULL;
    vw_arena_init(&a, fuzz_ser_arena2, sizeof fuzz_ser_arena2);
    vw_status sp = vw_serial_decode_with(kind, VW_SERIAL_DECODER_MICROPB, data, size, &a, &m, &off2);
    FUZZ_CHECK_STATUS(st, sp);
    FUZZ_CHECK(off == off2);
    if (st != VW_OK) {
        FUZZ_CHECK(fuzz_status_is_input_fault(st));
        FUZZ_CHECK(off <= size);
        return;
    }
    FUZZ_CHECK(off == size);
    FUZZ_CHECK_STATUS(vw_pb_encode(m, fuzz_ser_e1, sizeof fuzz_ser_e1, &n1), VW_OK);
    FUZZ_CHECK(n1 <= VW_SERIAL_GUEST_MESSAGE_MAX_SIZE);
    vw_arena_init(&a, fuzz_ser_arena2, sizeof fuzz_ser_arena2);
    FUZZ_CHECK_STATUS(
        vw_serial_decode_with(kind, VW_SERIAL_DECODER_MICROPB, fuzz_ser_e1, n1, &a, &m, &off2),
        VW_OK);
    FUZZ_CHECK_STATUS(vw_pb_encode(m, fuzz_ser_e2, sizeof fuzz_ser_e2, &n2), VW_OK);
    FUZZ_CHECK_BYTES(fuzz_ser_e1, n1, fuzz_ser_e2, n2);
}

#endif /* VW_FUZZ_SERIAL_MSG_H */
