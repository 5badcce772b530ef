/**
 * @file serial.h
 * @brief Serial guest protocol: length-prefixed protobuf frames over a serial port.
 *
 * A bare-metal guest and its VMM exchange protobuf messages over COM1, one
 * message per frame: `[len lo][len hi][payload]`, the length a little-endian
 * 16-bit count of payload bytes, at most 600 (rules SER-FRAME-*). The VMM
 * sends one `VmmConfig` at start; the guest sends `GuestMessage`s. The rules
 * are in spec/serial.md.
 *
 * Layers, each usable alone:
 * - framing: vw_serial_frame_encode() and the streaming deframer
 *   ::vw_serial_deframer (engine shape of doc/CONVENTIONS.md), with
 *   vmwire's resynchronising and dropping policies for bad frames and the
 *   reference VMM's own (::VW_SERIAL_POLICY_REFERENCE);
 * - messages, heapless: the fixed-capacity structs and codec of
 *   vmwire/serial_guest.h (freestanding; what a guest uses);
 * - messages, protobuf-c: vw_serial_decode() / vw_serial_encode() on protoc-c
 *   structs through vmwire's protobuf engine (vmwire/pb.h), with the schema's
 *   capacities enforced on top, vw_serial_decode_with() for micropb's
 *   semantics instead, and vw_serial_validate() for the protocol rules.
 *
 * The protoc-c types are generated from proto/serial/guest.proto (package
 * `vmwire.serial`) and installed as `<vmwire/proto/serial/guest.pb-c.h>`;
 * this header does not need them.
 */
#ifndef VMWIRE_SERIAL_H
#define VMWIRE_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "vmwire/arena.h"
#include "vmwire/engine.h"
#include "vmwire/serial_guest.h"
#include "vmwire/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Largest payload limit a deframer or frame encoder accepts (the 16-bit length field). */
#define VW_SERIAL_MAX_LIMIT 65535u

/* ---- frames --------------------------------------------------------------- */

/**
 * @brief Write one frame: the 2-byte little-endian length, then @p payload (SER-FRAME-1).
 * @param payload the payload (may be NULL when @p len is 0).
 * @param len its length.
 * @param limit largest payload allowed; 0 means ::VW_SERIAL_MAX_MESSAGE; at most ::VW_SERIAL_MAX_LIMIT.
 * @param out output buffer (may be NULL when @p cap is 0, to ask for the size).
 * @param cap size of @p out.
 * @param written receives `2 + len`, on success and on ::VW_E_NOSPACE alike; 0 on other faults.
 * @return ::VW_OK; ::VW_E_TOO_LONG when @p len exceeds the limit (SER-FRAME-3);
 *         ::VW_E_NOSPACE (nothing written: all or nothing, SER-FRAME-10); ::VW_E_INVALID_ARG (NULL pointers, @p limit too large).
 */
vw_status vw_serial_frame_encode(const uint8_t *payload, size_t len, size_t limit, uint8_t *out,
                                 size_t cap, size_t *written);

/* ---- the deframer (VMM side) ------------------------------------------------ */

/** @brief What the deframer does with a bad frame (SER-FRAME-6, SER-FRAME-7). */
enum vw_serial_policy {
    /** Drop only the first byte of the bad frame and look for a frame at the next
     *  byte at once (vmwire's eager form of the reference VMM's byte-wise resync). */
    VW_SERIAL_POLICY_RESYNC = 0,
    /** Report the bad frame and drop all of it, `2 + length` bytes as its header says. */
    VW_SERIAL_POLICY_DROP = 1,
    /** The reference VMM's `SerialDecoder` exactly (SER-FRAME-11): no limit, every
     *  byte buffered, at most one frame attempt per byte received, one byte dropped
     *  when a complete frame fails its check, nothing flushed at the end. Needs
     *  caller storage of at least ::VW_SERIAL_REFERENCE_BUF_MIN bytes. */
    VW_SERIAL_POLICY_REFERENCE = 2
};

/** @brief Least storage for ::VW_SERIAL_POLICY_REFERENCE: the largest frame, `2 + 65535`
 *  (twice as much keeps the buffer compaction linear). */
#define VW_SERIAL_REFERENCE_BUF_MIN (VW_SERIAL_HEADER_SIZE + VW_SERIAL_MAX_LIMIT)

/**
 * @brief Optional content check of a complete frame's payload (for example
 *        vw_serial_check_guest_message()); a failing check makes the frame bad.
 * @param user the `check_user` pointer of the configuration.
 * @param payload the payload.
 * @param len its length.
 * @param off receives the offset of the fault in @p payload on failure.
 * @return ::VW_OK to accept the frame, or the reason to reject it.
 */
typedef vw_status (*vw_serial_check_fn)(void *user, const uint8_t *payload, size_t len,
                                        size_t *off);

/** @brief Configuration of a ::vw_serial_deframer. Zero-initialised means the defaults. */
struct vw_serial_deframer_config {
    /** Largest payload accepted; 0 means ::VW_SERIAL_MAX_MESSAGE; at most ::VW_SERIAL_MAX_LIMIT.
     *  ::VW_SERIAL_POLICY_REFERENCE has no limit: 0 or ::VW_SERIAL_MAX_LIMIT only. */
    size_t limit;
    /** Bad-frame policy (default ::VW_SERIAL_POLICY_RESYNC). */
    enum vw_serial_policy policy;
    /** Treat a frame of length 0 as bad (::VW_E_BAD_FRAME) instead of as an empty payload (SER-FRAME-5);
     *  not with ::VW_SERIAL_POLICY_REFERENCE. */
    bool reject_empty;
    /** Content check run on each complete payload, or NULL to accept any payload within the limit. */
    vw_serial_check_fn check;
    /** Passed to @ref check. */
    void *check_user;
    /** Caller storage for frames that arrive in pieces, at least `2 + limit` bytes;
     *  NULL to use the deframer's own ::VW_SERIAL_MAX_FRAME bytes (then limit <= 600).
     *  ::VW_SERIAL_POLICY_REFERENCE needs at least ::VW_SERIAL_REFERENCE_BUF_MIN bytes. */
    uint8_t *buf;
    /** Size of @ref buf. */
    size_t buf_cap;
};

/** @brief Kind of a ::vw_serial_event (its `kind` member). */
enum vw_serial_event_kind {
    VW_SERIAL_EV_NONE = 0,  /**< nothing yet: every byte given was consumed */
    VW_SERIAL_EV_FRAME = 1, /**< a whole frame: `payload`, `len` */
    VW_SERIAL_EV_ERROR = 2  /**< a bad frame was rejected: `error`, `skipped` */
};

/**
 * @brief Deprecated name of ::vw_serial_event_kind (before issue 20); use `enum vw_serial_event_kind`.
 * @deprecated Kept so that code written against 0.x still compiles; to be removed.
 */
#define vw_serial_event_type vw_serial_event_kind

/** @brief What one vw_serial_deframer_feed() produced. Like every engine event, it begins with `kind`. */
struct vw_serial_event {
    /** The event's discriminator, first as in every engine event (doc/CONVENTIONS.md, the engine contract). */
    union {
        enum vw_serial_event_kind kind; /**< kind of event */
        /** @deprecated The old name of @ref kind (the same storage); use `kind`. */
        enum vw_serial_event_kind type;
    };
    /** FRAME: the payload, inside the caller's input when the frame arrived whole in one
     *  feed (no copy), else inside the deframer's buffer; valid until the next feed. */
    const uint8_t *payload;
    size_t len;      /**< FRAME: payload length */
    vw_status error; /**< ERROR: why the frame is bad (::VW_E_TOO_LONG, ::VW_E_BAD_FRAME, or the check's status) */
    size_t skipped;  /**< ERROR: stream bytes this rejection discards (1 under RESYNC, `2 + length` under DROP) */
    size_t check_off; /**< ERROR from a check: offset of the fault inside the rejected payload */
};

/** @brief Streaming deframer state. Caller-owned; treat the members as private. */
struct vw_serial_deframer {
    struct vw_serial_deframer_config cfg; /**< configuration, defaults applied */
    uint8_t own[VW_SERIAL_MAX_FRAME];     /**< storage used when `cfg.buf` is NULL */
    uint8_t *buf;                         /**< storage in use */
    size_t cap;                           /**< its size */
    size_t start;                         /**< first buffered byte */
    size_t have;                          /**< buffered bytes from `start` */
    size_t discard;                       /**< DROP: bytes of a rejected frame still to throw away */
    uint64_t frames;                      /**< frames yielded */
    uint64_t rejected;                    /**< bad frames rejected */
    uint64_t skipped;                     /**< stream bytes discarded */
    size_t err_off;                       /**< offset in the last input of the last rejection */
};

/**
 * @brief Set up a deframer.
 * @param d the deframer.
 * @param cfg the configuration, or NULL for the defaults (limit 600, resync, no check).
 * @return ::VW_OK or ::VW_E_INVALID_ARG (limit above ::VW_SERIAL_MAX_LIMIT, storage smaller than
 *         `2 + limit`, unknown policy; for ::VW_SERIAL_POLICY_REFERENCE a limit or reject_empty,
 *         or storage smaller than ::VW_SERIAL_REFERENCE_BUF_MIN).
 */
vw_status vw_serial_deframer_init(struct vw_serial_deframer *d,
                                  const struct vw_serial_deframer_config *cfg);

/**
 * @brief Feed stream bytes; stops at the first frame or bad frame.
 *
 * Call again with the unconsumed rest (`in + *consumed`) until all is consumed
 * and no event is reported (see "Drain" below). Only the bytes of a frame still incomplete at the end of an
 * input are copied into the deframer's storage (after an event, bytes of the
 * current input that were copied are handed back, so `*consumed` may be 0 with
 * an event). Usable in any state; a bad frame is not sticky.
 *
 * Drain after an event: when resynchronising after a bad frame, the bytes the
 * deframer stored from earlier inputs may already hold the next frame or the
 * next fault. So after any event, keep calling (with `len` 0 once the input is
 * used up) until the event kind is ::VW_SERIAL_EV_NONE; only then is the
 * deframer waiting for more bytes. Events then come at the same stream
 * positions however the stream is chunked.
 * @param d the deframer.
 * @param in stream bytes (may be NULL when @p len is 0).
 * @param len their number.
 * @param ev receives the event (kind ::VW_SERIAL_EV_NONE if the bytes produced none; may be NULL).
 * @param consumed receives the number of bytes of @p in used, also after a bad
 *        frame (then through the bytes it skips).
 * @return ::VW_OK for a frame or no event; the rejection's status for an error event
 *         (vw_serial_deframer_error_offset() then says where); ::VW_E_INVALID_ARG.
 */
vw_status vw_serial_deframer_feed(struct vw_serial_deframer *d, const uint8_t *in, size_t len,
                                  struct vw_serial_event *ev, size_t *consumed);

/**
 * @brief Offset, in the input of the last feed, of the byte at which the last rejection was decided.
 *
 * For a length over the limit that is the high length byte; for a payload
 * that fails the check, its last byte. It is 0 when the decision used only
 * bytes held from earlier feeds.
 * @param d the deframer.
 * @return the offset.
 */
size_t vw_serial_deframer_error_offset(const struct vw_serial_deframer *d);

/**
 * @brief What the deframer wants next (doc/CONVENTIONS.md, the engine contract).
 *
 * Always ::VW_ENGINE_WANT_INPUT (a bad frame is skipped, never sticky), and
 * ::VW_ENGINE_PARTIAL while bytes are held (vw_serial_deframer_pending() > 0)
 * or the rest of a dropped frame is still to be skipped. A deframer has no
 * output of its own. Legal in every state.
 * @param d the deframer (NULL: 0).
 * @return a set of ::vw_engine_flag bits.
 */
unsigned vw_serial_deframer_state(const struct vw_serial_deframer *d);

/**
 * @brief Bytes held for a frame not yet complete.
 * @param d the deframer.
 * @return the number of bytes buffered.
 */
size_t vw_serial_deframer_pending(const struct vw_serial_deframer *d);

/**
 * @brief Frames yielded since init.
 * @param d the deframer.
 * @return the count.
 */
uint64_t vw_serial_deframer_frames(const struct vw_serial_deframer *d);

/**
 * @brief Bad frames rejected since init.
 * @param d the deframer.
 * @return the count.
 */
uint64_t vw_serial_deframer_rejected(const struct vw_serial_deframer *d);

/**
 * @brief Stream bytes discarded since init (including, under the DROP policy, the
 *        announced rest of an oversize frame that has not arrived yet).
 * @param d the deframer.
 * @return the count.
 */
uint64_t vw_serial_deframer_skipped(const struct vw_serial_deframer *d);

/**
 * @brief A ::vw_serial_check_fn accepting payloads that vw_serial_guest_message_decode() accepts.
 * @param user unused (may be NULL).
 * @param payload the payload.
 * @param len its length.
 * @param off receives the fault offset.
 * @return the decoder's status.
 */
vw_status vw_serial_check_guest_message(void *user, const uint8_t *payload, size_t len,
                                        size_t *off);

/**
 * @brief A ::vw_serial_check_fn accepting payloads that vw_serial_guest_message_decode_micropb() accepts
 *        (the reference VMM's check).
 * @param user unused (may be NULL).
 * @param payload the payload.
 * @param len its length.
 * @param off receives the fault offset.
 * @return the decoder's status.
 */
vw_status vw_serial_check_guest_message_micropb(void *user, const uint8_t *payload, size_t len,
                                                size_t *off);

/**
 * @brief A ::vw_serial_check_fn accepting payloads that vw_serial_vmm_config_decode_micropb() accepts.
 * @param user unused (may be NULL).
 * @param payload the payload.
 * @param len its length.
 * @param off receives the fault offset.
 * @return the decoder's status.
 */
vw_status vw_serial_check_vmm_config_micropb(void *user, const uint8_t *payload, size_t len,
                                             size_t *off);

/**
 * @brief A ::vw_serial_check_fn accepting payloads that vw_serial_vmm_config_decode() accepts.
 * @param user unused (may be NULL).
 * @param payload the payload.
 * @param len its length.
 * @param off receives the fault offset.
 * @return the decoder's status.
 */
vw_status vw_serial_check_vmm_config(void *user, const uint8_t *payload, size_t len, size_t *off);

/* ---- messages over protoc-c structs ----------------------------------------------- */

/** @brief The two message kinds a frame carries. */
enum vw_serial_kind {
    VW_SERIAL_GUEST_MESSAGE = 0, /**< `GuestMessage`, guest to VMM */
    VW_SERIAL_VMM_CONFIG = 1     /**< `VmmConfig`, VMM to guest */
};

/**
 * @brief The protoc-c descriptor of a message kind.
 * @param kind the kind.
 * @return the descriptor, or NULL for an unknown kind.
 */
const ProtobufCMessageDescriptor *vw_serial_descriptor(enum vw_serial_kind kind);

/**
 * @brief Decode one payload: Google's protobuf semantics, then the capacities and the limit (SER-MSG-*, SER-CAP-*).
 * @param kind the message kind.
 * @param buf the payload; it must outlive the message.
 * @param len its length.
 * @param arena caller memory for the message (a few KiB always suffice).
 * @param out receives the message (NULL on failure).
 * @param off receives @p len on success, or the offset of the fault.
 * @return ::VW_OK, ::VW_E_TOO_LONG, the wire faults of vw_pb_decode(), ::VW_E_CAPACITY,
 *         ::VW_E_NOMEM, ::VW_E_INVALID_ARG.
 */
vw_status vw_serial_decode(enum vw_serial_kind kind, const uint8_t *buf, size_t len,
                           struct vw_arena *arena, ProtobufCMessage **out, size_t *off);

/** @brief Which decoding semantics vw_serial_decode_with() applies. */
enum vw_serial_decoder {
    /** Google's protobuf semantics plus the capacities and the 600-byte limit (the default). */
    VW_SERIAL_DECODER_PROTOBUF = 0,
    /** micropb v0.1.2's semantics, what the reference guest and VMM run (SER-MICROPB-*). */
    VW_SERIAL_DECODER_MICROPB = 1
};

/**
 * @brief Decode one payload with the chosen semantics into a protoc-c message.
 *
 * ::VW_SERIAL_DECODER_PROTOBUF is vw_serial_decode(). ::VW_SERIAL_DECODER_MICROPB
 * decodes with vw_serial_guest_message_decode_micropb() or
 * vw_serial_vmm_config_decode_micropb() and hands back the result as a protoc-c
 * message (no size limit applies).
 * @param kind the message kind.
 * @param decoder the semantics.
 * @param buf the payload; it must outlive the message.
 * @param len its length.
 * @param arena caller memory for the message.
 * @param out receives the message (NULL on failure).
 * @param off receives @p len on success, or the offset of the fault.
 * @return as vw_serial_decode(), or as the micropb decoders; ::VW_E_INVALID_ARG for an unknown decoder.
 */
vw_status vw_serial_decode_with(enum vw_serial_kind kind, enum vw_serial_decoder decoder,
                                const uint8_t *buf, size_t len, struct vw_arena *arena,
                                ProtobufCMessage **out, size_t *off);

/**
 * @brief Check a message against the schema's capacities (SER-CAP-1..3).
 * @param msg a `GuestMessage` or `VmmConfig` (or one of their parts).
 * @return ::VW_OK, ::VW_E_CAPACITY, ::VW_E_INVALID_ARG for another type.
 */
vw_status vw_serial_check_capacity(const ProtobufCMessage *msg);

/**
 * @brief Encode a message canonically, refusing one over its capacities or the 600-byte limit.
 * @param msg a `GuestMessage` or `VmmConfig`.
 * @param out output buffer (may be NULL when @p cap is 0).
 * @param cap size of @p out.
 * @param written receives the bytes written, or on ::VW_E_NOSPACE / ::VW_E_TOO_LONG the size needed.
 * @return ::VW_OK, ::VW_E_CAPACITY, ::VW_E_TOO_LONG, ::VW_E_NOSPACE, ::VW_E_INVALID_ARG.
 *
 * On any failure @p out holds no part of the message: a capacity fault is
 * found before anything is written, and ::VW_E_NOSPACE or ::VW_E_TOO_LONG
 * leave the bytes written so far zeroed (as vw_pb_encode() does).
 */
vw_status vw_serial_encode(const ProtobufCMessage *msg, uint8_t *out, size_t cap,
                           size_t *written);

/**
 * @brief Check the protocol's rules on a decoded message (SER-MSG-10..13).
 * @param msg a `GuestMessage` or `VmmConfig`.
 * @return ::VW_OK; ::VW_E_MISSING_FIELD (no payload); ::VW_E_BAD_ENUM (unnamed level);
 *         ::VW_E_BAD_VALUE (percent over 100, bad sector size); ::VW_E_CAPACITY;
 *         ::VW_E_INVALID_ARG.
 */
vw_status vw_serial_validate(const ProtobufCMessage *msg);

#ifdef __cplusplus
}
#endif

#endif /* VMWIRE_SERIAL_H */
