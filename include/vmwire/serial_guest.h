/**
 * @file serial_guest.h
 * @brief Serial guest protocol: the heapless, freestanding message codec.
 *
 * This header and src/serial/guest.c build with `-ffreestanding` and no C
 * library: they use only `<stdint.h>`, `<stddef.h>`, `<stdbool.h>` and
 * vmwire/status.h. A bare-metal guest copies the two files (plus status.h)
 * into its tree. Everything lives in plain fixed-size structs: strings are
 * byte arrays of the schema's capacity with an explicit length (no NUL
 * terminator, embedded NULs allowed), repeated fields are fixed arrays.
 *
 * - GuestMessage: encode (with the builders for every message a guest sends)
 *   and decode (used by a heapless VMM, and by the deframer's frame checks).
 * - VmmConfig: decode (what the guest reads at start) and encode.
 * - the guest's start-up: vw_serial_read_config() over a ::vw_serial_uart.
 *
 * Decoding follows Google's protobuf semantics exactly (rules SER-MSG-*)
 * and then applies the schema's fixed capacities and the 600-byte limit
 * (rules SER-CAP-*); the `_micropb` decoders reproduce micropb v0.1.2, what
 * the reference guest and VMM run (rules SER-MICROPB-*). The builders fill
 * strings as the reference guest's helpers do (SER-GUEST-2), and
 * vw_serial_read_config() reads the configuration as its `read_config`
 * (SER-GUEST-4). The rules are in spec/serial.md.
 */
#ifndef VMWIRE_SERIAL_GUEST_H
#define VMWIRE_SERIAL_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmwire/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Largest protobuf payload of one frame, in bytes (SER-FRAME-3). */
#define VW_SERIAL_MAX_MESSAGE 600u
/** @brief Size of the frame header, a little-endian 16-bit payload length (SER-FRAME-1). */
#define VW_SERIAL_HEADER_SIZE 2u
/** @brief Largest frame with the default limit: header plus ::VW_SERIAL_MAX_MESSAGE. */
#define VW_SERIAL_MAX_FRAME (VW_SERIAL_HEADER_SIZE + VW_SERIAL_MAX_MESSAGE)
/** @brief Capacity in bytes of every string field except the two paths (SER-CAP-1). */
#define VW_SERIAL_STRING_CAP 32u
/** @brief Capacity in bytes of `InfoResultMessage.backing_file` and `.external_data_file` (SER-CAP-2). */
#define VW_SERIAL_PATH_CAP 256u
/** @brief Most `VmmConfig.devices` entries (SER-CAP-3). */
#define VW_SERIAL_MAX_DEVICES 4u

/** @brief Bytes a varint needs for values below 2^7 ... 2^14 (helper for the size bounds). */
#define VW_SERIAL_VARINT_SIZE(v) ((v) < 128u ? 1u : (v) < 16384u ? 2u : 3u)
/** @brief Worst-case encoded size of a string field of capacity @p cap (tag, length, bytes). */
#define VW_SERIAL_STRING_FIELD_MAX(cap) (1u + VW_SERIAL_VARINT_SIZE(cap) + (cap))
/** @brief Worst-case encoded size of a uint32 field (tag + 5-byte varint). */
#define VW_SERIAL_U32_FIELD_MAX 6u
/** @brief Worst-case encoded size of a uint64 field (tag + 10-byte varint). */
#define VW_SERIAL_U64_FIELD_MAX 11u
/** @brief Worst-case encoded size of a bool field. */
#define VW_SERIAL_BOOL_FIELD_MAX 2u
/** @brief Worst-case encoded size of an enum (int32) field: negative values take 10 bytes. */
#define VW_SERIAL_ENUM_FIELD_MAX 11u
/** @brief Worst-case encoded size of an embedded message field whose body is at most @p body bytes. */
#define VW_SERIAL_SUBMSG_FIELD_MAX(body) (1u + VW_SERIAL_VARINT_SIZE(body) + (body))

/** @brief Largest encoded `InitMessage` (SER-CAP-4). */
#define VW_SERIAL_INIT_MAX_SIZE \
    (2u * VW_SERIAL_STRING_FIELD_MAX(VW_SERIAL_STRING_CAP) + VW_SERIAL_U64_FIELD_MAX)
/** @brief Largest encoded `CapacityMessage` (SER-CAP-4). */
#define VW_SERIAL_CAPACITY_MAX_SIZE \
    (VW_SERIAL_STRING_FIELD_MAX(VW_SERIAL_STRING_CAP) + 2u * VW_SERIAL_U64_FIELD_MAX)
/** @brief Largest encoded `ProgressMessage` (SER-CAP-4). */
#define VW_SERIAL_PROGRESS_MAX_SIZE                                                 \
    (VW_SERIAL_STRING_FIELD_MAX(VW_SERIAL_STRING_CAP) + 2u * VW_SERIAL_U64_FIELD_MAX + \
     VW_SERIAL_U32_FIELD_MAX)
/** @brief Largest encoded `ErrorMessage` (SER-CAP-4). */
#define VW_SERIAL_ERROR_MAX_SIZE                                                    \
    (2u * VW_SERIAL_STRING_FIELD_MAX(VW_SERIAL_STRING_CAP) + VW_SERIAL_U64_FIELD_MAX + \
     VW_SERIAL_U32_FIELD_MAX)
/** @brief Largest encoded `CompleteMessage` (SER-CAP-4). */
#define VW_SERIAL_COMPLETE_MAX_SIZE                                             \
    (VW_SERIAL_STRING_FIELD_MAX(VW_SERIAL_STRING_CAP) + VW_SERIAL_U64_FIELD_MAX + \
     VW_SERIAL_BOOL_FIELD_MAX)
/** @brief Largest encoded `InfoResultMessage` (SER-CAP-4): 592 bytes. */
#define VW_SERIAL_INFO_RESULT_MAX_SIZE                                               \
    (VW_SERIAL_STRING_FIELD_MAX(VW_SERIAL_STRING_CAP) + 3u * VW_SERIAL_U32_FIELD_MAX + \
     2u * VW_SERIAL_U64_FIELD_MAX + 2u * VW_SERIAL_STRING_FIELD_MAX(VW_SERIAL_PATH_CAP))
/** @brief Largest encoded `GuestMessage` of any level (SER-CAP-4): 606 bytes, over the limit. */
#define VW_SERIAL_GUEST_MESSAGE_MAX_SIZE \
    (VW_SERIAL_ENUM_FIELD_MAX + VW_SERIAL_SUBMSG_FIELD_MAX(VW_SERIAL_INFO_RESULT_MAX_SIZE))
/** @brief Largest encoded `GuestMessage` with a named level (0..4), as every builder makes: 597 bytes. */
#define VW_SERIAL_GUEST_MESSAGE_NAMED_MAX_SIZE \
    (2u + VW_SERIAL_SUBMSG_FIELD_MAX(VW_SERIAL_INFO_RESULT_MAX_SIZE))
/** @brief Largest encoded `DeviceConfig` (SER-CAP-4). */
#define VW_SERIAL_DEVICE_CONFIG_MAX_SIZE \
    (VW_SERIAL_STRING_FIELD_MAX(VW_SERIAL_STRING_CAP) + VW_SERIAL_U32_FIELD_MAX)
/** @brief Largest encoded `VmmConfig` (SER-CAP-4): 174 bytes. */
#define VW_SERIAL_VMM_CONFIG_MAX_SIZE                                                   \
    (VW_SERIAL_MAX_DEVICES * VW_SERIAL_SUBMSG_FIELD_MAX(VW_SERIAL_DEVICE_CONFIG_MAX_SIZE) + \
     VW_SERIAL_U32_FIELD_MAX)

/** @brief `Level` values named by the schema (the enum is open: other values are kept). */
enum vw_serial_level {
    VW_SERIAL_LEVEL_DEBUG = 0,    /**< debug output (no builder emits it) */
    VW_SERIAL_LEVEL_INFO = 1,     /**< informational: init, capacity, info result */
    VW_SERIAL_LEVEL_PROGRESS = 2, /**< progress report */
    VW_SERIAL_LEVEL_ERROR = 3,    /**< device error */
    VW_SERIAL_LEVEL_COMPLETE = 4  /**< operation complete */
};

/** @brief Which member of the `GuestMessage.payload` oneof is set (the values are the field numbers). */
enum vw_serial_payload {
    VW_SERIAL_PAYLOAD_NONE = 0,       /**< no payload */
    VW_SERIAL_PAYLOAD_INIT = 2,       /**< `init` */
    VW_SERIAL_PAYLOAD_CAPACITY = 3,   /**< `capacity` */
    VW_SERIAL_PAYLOAD_PROGRESS = 4,   /**< `progress` */
    VW_SERIAL_PAYLOAD_ERROR = 5,      /**< `error` */
    VW_SERIAL_PAYLOAD_COMPLETE = 6,   /**< `complete` */
    VW_SERIAL_PAYLOAD_INFO_RESULT = 7 /**< `info_result` */
};

/** @brief A string of at most ::VW_SERIAL_STRING_CAP bytes of UTF-8. */
struct vw_serial_str {
    uint16_t len;                     /**< length in bytes, at most ::VW_SERIAL_STRING_CAP */
    char data[VW_SERIAL_STRING_CAP];  /**< the bytes; no terminator */
};

/** @brief A path of at most ::VW_SERIAL_PATH_CAP bytes of UTF-8. */
struct vw_serial_path {
    uint16_t len;                     /**< length in bytes, at most ::VW_SERIAL_PATH_CAP */
    char data[VW_SERIAL_PATH_CAP];    /**< the bytes; no terminator */
};

/** @brief `InitMessage`: a device initialisation step. */
struct vw_serial_init {
    struct vw_serial_str stage;  /**< field 1: "probe", "features", "queue" */
    struct vw_serial_str device; /**< field 2: device name */
    uint64_t address;            /**< field 3: MMIO address or feature bits */
};

/** @brief `CapacityMessage`: the size of a device. */
struct vw_serial_capacity {
    struct vw_serial_str device; /**< field 1: device name */
    uint64_t sectors;            /**< field 2: capacity in sectors */
    uint64_t bytes;              /**< field 3: capacity in bytes */
};

/** @brief `ProgressMessage`: progress of an operation. */
struct vw_serial_progress {
    struct vw_serial_str operation; /**< field 1: operation name */
    uint64_t current;               /**< field 2: units done */
    uint64_t total;                 /**< field 3: units in total */
    uint32_t percent;               /**< field 4: 0..100 */
};

/** @brief `ErrorMessage`: a failed device operation. */
struct vw_serial_error {
    struct vw_serial_str operation; /**< field 1: "read" or "write" */
    struct vw_serial_str device;    /**< field 2: device name */
    uint64_t sector;                /**< field 3: failing sector */
    uint32_t status;                /**< field 4: virtio status */
};

/** @brief `CompleteMessage`: the end of an operation. */
struct vw_serial_complete {
    struct vw_serial_str operation; /**< field 1: operation name */
    uint64_t count;                 /**< field 2: sectors processed */
    bool success;                   /**< field 3: outcome */
};

/** @brief `InfoResultMessage`: what the guest learnt about a disk image. */
struct vw_serial_info_result {
    struct vw_serial_str format;              /**< field 1: "raw", "qcow2", ... */
    uint32_t version;                         /**< field 2: format version */
    uint64_t virtual_size;                    /**< field 3: bytes, from the header */
    uint64_t actual_size;                     /**< field 4: file size in bytes */
    uint32_t cluster_size;                    /**< field 5: cluster or grain size */
    uint32_t flags;                           /**< field 6: bit 0 backing file ... bit 6 corrupt */
    struct vw_serial_path backing_file;       /**< field 7: backing file path */
    struct vw_serial_path external_data_file; /**< field 8: external data file path */
};

/** @brief `GuestMessage`: what the guest sends, one per frame. */
struct vw_serial_guest_message {
    int32_t level;                /**< field 1: a ::vw_serial_level (open enum: any value is kept) */
    enum vw_serial_payload which; /**< which payload member is set */
    /** @brief The payload; only the member named by `which` is meaningful. */
    union {
        struct vw_serial_init init;               /**< field 2 */
        struct vw_serial_capacity capacity;       /**< field 3 */
        struct vw_serial_progress progress;       /**< field 4 */
        struct vw_serial_error error;             /**< field 5 */
        struct vw_serial_complete complete;       /**< field 6 */
        struct vw_serial_info_result info_result; /**< field 7 */
    } u;
};

/** @brief `DeviceConfig`: one device as the VMM configured it. */
struct vw_serial_device_config {
    struct vw_serial_str name; /**< field 1: "input" or "output" */
    uint32_t sector_size;      /**< field 2: bytes per sector */
};

/** @brief `VmmConfig`: what the VMM sends the guest once, at start. */
struct vw_serial_vmm_config {
    uint32_t n_devices;                                            /**< entries used in `devices` */
    struct vw_serial_device_config devices[VW_SERIAL_MAX_DEVICES]; /**< field 1 */
    uint32_t progress_percent;                                     /**< field 2: progress interval */
};

/* ---- decode ------------------------------------------------------------- */

/**
 * @brief Decode one `GuestMessage` payload (the bytes of one frame, header excluded).
 *
 * Protobuf semantics first (SER-MSG-*), then the capacities (SER-CAP-*): a
 * string whose final value is longer than its capacity, a payload over
 * ::VW_SERIAL_MAX_MESSAGE bytes. Usable in any state; no side effect on failure
 * except that @p out is zeroed.
 * @param buf the payload.
 * @param len its length.
 * @param out receives the message.
 * @param off receives @p len on success, or the offset of the fault.
 * @return ::VW_OK; ::VW_E_TOO_LONG (payload over 600 bytes); the wire faults
 *         ::VW_E_TRUNCATED, ::VW_E_BAD_VARINT, ::VW_E_BAD_WIRE_TYPE,
 *         ::VW_E_BAD_FIELD_NUMBER, ::VW_E_BAD_UTF8, ::VW_E_TOO_DEEP;
 *         ::VW_E_CAPACITY; ::VW_E_INVALID_ARG for NULL pointers.
 */
vw_status vw_serial_guest_message_decode(const uint8_t *buf, size_t len,
                                         struct vw_serial_guest_message *out, size_t *off);

/**
 * @brief Decode one `VmmConfig` payload, as vw_serial_guest_message_decode() does.
 *
 * A fifth device is a ::VW_E_CAPACITY fault at the tag of that device (reported
 * only if the whole payload is otherwise well formed).
 * @param buf the payload.
 * @param len its length.
 * @param out receives the configuration.
 * @param off receives @p len on success, or the offset of the fault.
 * @return as vw_serial_guest_message_decode().
 */
vw_status vw_serial_vmm_config_decode(const uint8_t *buf, size_t len,
                                      struct vw_serial_vmm_config *out, size_t *off);

/**
 * @brief Decode one `GuestMessage` payload exactly as micropb v0.1.2 does (decoder "micropb").
 *
 * What the reference VMM's `decode_framed` does with a payload (rules
 * SER-MICROPB-*): the wire type of a known field is ignored, a zero or
 * empty value does not overwrite, tags, lengths and 32-bit values come from
 * varints of up to 10 bytes keeping 32 bits, groups are refused, an embedded
 * message whose fields overrun its length is ::VW_E_BAD_LENGTH, the first
 * fault in input order wins (capacity included), and there is no size limit.
 * @param buf the payload.
 * @param len its length.
 * @param out receives the message (zeroed on failure).
 * @param off receives @p len on success, or the offset of the fault.
 * @return ::VW_OK; ::VW_E_TRUNCATED, ::VW_E_BAD_VARINT, ::VW_E_BAD_WIRE_TYPE,
 *         ::VW_E_BAD_FIELD_NUMBER, ::VW_E_BAD_UTF8, ::VW_E_BAD_LENGTH, ::VW_E_CAPACITY;
 *         ::VW_E_INVALID_ARG for NULL pointers.
 */
vw_status vw_serial_guest_message_decode_micropb(const uint8_t *buf, size_t len,
                                                 struct vw_serial_guest_message *out, size_t *off);

/**
 * @brief Decode one `VmmConfig` payload exactly as micropb v0.1.2 does (what the reference guest runs).
 *
 * As vw_serial_guest_message_decode_micropb(); a fifth device is
 * ::VW_E_CAPACITY as soon as it has been decoded, whatever follows.
 * @param buf the payload.
 * @param len its length.
 * @param out receives the configuration (zeroed on failure).
 * @param off receives @p len on success, or the offset of the fault.
 * @return as vw_serial_guest_message_decode_micropb().
 */
vw_status vw_serial_vmm_config_decode_micropb(const uint8_t *buf, size_t len,
                                              struct vw_serial_vmm_config *out, size_t *off);

/* ---- encode ------------------------------------------------------------- */

/**
 * @brief Encode a `GuestMessage` canonically (SER-MSG-9): fields in number order,
 *        default scalars and empty strings omitted, the set payload member always written.
 * @param m the message; its strings must be valid UTF-8 within their capacities.
 * @param out output buffer (may be NULL when @p cap is 0, to ask for the size).
 * @param cap size of @p out.
 * @param written receives the bytes written, or on ::VW_E_NOSPACE the size needed.
 * @return ::VW_OK; ::VW_E_NOSPACE; ::VW_E_TOO_LONG when the encoding exceeds
 *         ::VW_SERIAL_MAX_MESSAGE (*written is then the size it would have);
 *         ::VW_E_CAPACITY or ::VW_E_BAD_UTF8 for a bad string; ::VW_E_INVALID_ARG
 *         for NULL pointers or an undefined `which`.
 */
vw_status vw_serial_guest_message_encode(const struct vw_serial_guest_message *m, uint8_t *out,
                                         size_t cap, size_t *written);

/**
 * @brief Encode a `GuestMessage` as one whole frame: header, then payload (SER-FRAME-1).
 * @param m the message.
 * @param out output buffer (at most ::VW_SERIAL_MAX_FRAME bytes are ever needed).
 * @param cap size of @p out.
 * @param written receives the frame size, or on ::VW_E_NOSPACE the size needed.
 * @return as vw_serial_guest_message_encode(); on ::VW_E_NOSPACE nothing is written
 *         (all or nothing, SER-FRAME-10).
 */
vw_status vw_serial_guest_message_encode_framed(const struct vw_serial_guest_message *m,
                                                uint8_t *out, size_t cap, size_t *written);

/**
 * @brief Encode a `VmmConfig` canonically.
 * @param c the configuration (`n_devices` at most ::VW_SERIAL_MAX_DEVICES).
 * @param out output buffer (may be NULL when @p cap is 0).
 * @param cap size of @p out.
 * @param written receives the bytes written, or on ::VW_E_NOSPACE the size needed.
 * @return ::VW_OK, ::VW_E_NOSPACE, ::VW_E_CAPACITY, ::VW_E_BAD_UTF8, ::VW_E_INVALID_ARG.
 */
vw_status vw_serial_vmm_config_encode(const struct vw_serial_vmm_config *c, uint8_t *out,
                                      size_t cap, size_t *written);

/* ---- builders (SER-GUEST-*) -------------------------------------------- */

/**
 * @brief Fill @p m with an `init` payload at level INFO.
 *
 * Every builder zeroes @p m first and copies each NUL-terminated string
 * argument (NULL means empty) character by character as instar's helpers do
 * (SER-GUEST-2): into a 32-byte string a character that does not fit is
 * skipped and later ones that fit are kept (`push_str`); into a 256-byte
 * path the copy stops at the first one that does not fit (`push_str_256`).
 * They never fail on length.
 * @param m the message to fill.
 * @param stage stage name.
 * @param device device name.
 * @param address MMIO address or feature bits.
 * @return ::VW_OK, ::VW_E_BAD_UTF8 when a string argument is not UTF-8
 *         (@p m is then zeroed), ::VW_E_INVALID_ARG when @p m is NULL.
 */
vw_status vw_serial_build_init(struct vw_serial_guest_message *m, const char *stage,
                               const char *device, uint64_t address);

/**
 * @brief Fill @p m with a `capacity` payload at level INFO (see vw_serial_build_init()).
 * @param m the message to fill.
 * @param device device name.
 * @param sectors capacity in sectors.
 * @param bytes capacity in bytes.
 * @return as vw_serial_build_init().
 */
vw_status vw_serial_build_capacity(struct vw_serial_guest_message *m, const char *device,
                                   uint64_t sectors, uint64_t bytes);

/**
 * @brief Fill @p m with a `progress` payload at level PROGRESS (see vw_serial_build_init()).
 * @param m the message to fill.
 * @param operation operation name.
 * @param current units done.
 * @param total units in total.
 * @param percent percentage done, sent as given.
 * @return as vw_serial_build_init().
 */
vw_status vw_serial_build_progress(struct vw_serial_guest_message *m, const char *operation,
                                   uint64_t current, uint64_t total, uint32_t percent);

/**
 * @brief Fill @p m with an `error` payload at level ERROR (see vw_serial_build_init()).
 * @param m the message to fill.
 * @param operation "read" or "write".
 * @param device device name.
 * @param sector failing sector.
 * @param status virtio status.
 * @return as vw_serial_build_init().
 */
vw_status vw_serial_build_error(struct vw_serial_guest_message *m, const char *operation,
                                const char *device, uint64_t sector, uint32_t status);

/**
 * @brief Fill @p m with a `complete` payload at level COMPLETE (see vw_serial_build_init()).
 * @param m the message to fill.
 * @param operation operation name.
 * @param count sectors processed.
 * @param success outcome.
 * @return as vw_serial_build_init().
 */
vw_status vw_serial_build_complete(struct vw_serial_guest_message *m, const char *operation,
                                   uint64_t count, bool success);

/** @brief Inputs of vw_serial_build_info_result() (strings NUL-terminated, NULL = empty). */
struct vw_serial_info_args {
    const char *format;             /**< image format name */
    uint32_t version;               /**< format version */
    uint64_t virtual_size;          /**< virtual size in bytes */
    uint64_t actual_size;           /**< file size in bytes */
    uint32_t cluster_size;          /**< cluster or grain size */
    uint32_t flags;                 /**< flag bits */
    const char *backing_file;       /**< backing file path (cut at 256 bytes) */
    const char *external_data_file; /**< external data file path (cut at 256 bytes) */
};

/**
 * @brief Fill @p m with an `info_result` payload at level INFO (see vw_serial_build_init()).
 * @param m the message to fill.
 * @param a the values.
 * @return as vw_serial_build_init(); ::VW_E_INVALID_ARG also when @p a is NULL.
 */
vw_status vw_serial_build_info_result(struct vw_serial_guest_message *m,
                                      const struct vw_serial_info_args *a);

/** @brief The receive side of COM1 as the guest sees it (SER-GUEST-4). */
struct vw_serial_uart {
    /** LSR bit 0 (data ready): whether a byte is waiting. */
    bool (*data_ready)(void *ctx);
    /** Read RBR: the next byte (called only after data_ready() said true). */
    uint8_t (*read)(void *ctx);
    /** Passed to both callbacks. */
    void *ctx;
    /** Give up after this many consecutive polls without data (::VW_E_TIMEOUT);
     *  0 spins for ever, as the reference guest does. */
    uint32_t spin_limit;
};

/** @brief What the guest takes from the configuration (the reference guest's `DeviceConfig`). */
struct vw_serial_guest_config {
    uint32_t input_sector_size;  /**< default 512 */
    uint32_t output_sector_size; /**< default 512 */
    uint32_t progress_percent;   /**< default 10 */
    bool has_output_device;      /**< default false */
};

/** @brief Default input sector size of the guest (SER-GUEST-4). */
#define VW_SERIAL_DEFAULT_SECTOR_SIZE 512u
/** @brief Default progress interval of the guest in percent (SER-GUEST-4). */
#define VW_SERIAL_DEFAULT_PROGRESS 10u

/**
 * @brief Read the VMM's configuration at start as the reference guest's `read_config` does (SER-GUEST-4).
 *
 * Fills @p cfg with the defaults, then: if no byte is ready, stops; reads the
 * 2 header bytes (polling); a length over ::VW_SERIAL_MAX_MESSAGE stops with
 * the payload left unread; reads the payload (polling); decodes it with
 * micropb's semantics (vw_serial_vmm_config_decode_micropb()); on success a
 * device named "input" sets the input sector size, one named "output" the
 * output sector size and has_output_device (later devices win), others are
 * ignored, sector sizes are taken unchecked, and progress_percent is copied
 * (0 included). On any failure @p cfg keeps every default.
 * @param uart the port.
 * @param cfg receives the configuration.
 * @return ::VW_OK (configuration applied); ::VW_E_NOT_FOUND (no byte ready: defaults);
 *         ::VW_E_TOO_LONG (length over 600, payload not read); the decoder's status;
 *         ::VW_E_TIMEOUT (spin_limit reached); ::VW_E_INVALID_ARG.
 */
vw_status vw_serial_read_config(const struct vw_serial_uart *uart,
                                struct vw_serial_guest_config *cfg);

/**
 * @brief Sector size the configuration gives the device named @p name (SER-GUEST-4).
 * @param c the decoded configuration.
 * @param name NUL-terminated device name ("input", "output").
 * @param sector_size receives the sector size of the last device of that name.
 * @return true when a device of that name is present.
 */
bool vw_serial_vmm_config_device(const struct vw_serial_vmm_config *c, const char *name,
                                 uint32_t *sector_size);

/**
 * @brief Whether @p p holds valid UTF-8 (no overlong forms, surrogates or values above U+10FFFF).
 * @param p the bytes (may be NULL when @p len is 0).
 * @param len their number.
 * @param bad receives the offset of the first offending byte when invalid (may be NULL).
 * @return true when valid.
 */
bool vw_serial_utf8_valid(const uint8_t *p, size_t len, size_t *bad);

#ifdef __cplusplus
}
#endif

#endif /* VMWIRE_SERIAL_GUEST_H */
