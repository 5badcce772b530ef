/**
 * @file status.h
 * @brief The one status type of libvmwire.
 *
 * Every function of the library that can fail returns a ::vw_status. The
 * numeric values are stable (they are part of the ABI) and the short names
 * returned by vw_status_name() are part of the conformance contract: golden
 * vectors and testees name errors by them (`"truncated"`, `"bad_flags"`, ...).
 *
 * Values are grouped by range, TinyCBOR style:
 * - 0: success;
 * - 1..31: wire format faults found while decoding bytes;
 * - 32..63: protocol rule violations found on a decoded message;
 * - 64..95: state machine and session faults;
 * - 96..127: caller, buffer and resource faults (never caused by input bytes alone).
 */
#ifndef VMWIRE_STATUS_H
#define VMWIRE_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Result of every fallible libvmwire call.
 *
 * Decoders report, next to the status, the byte offset of the fault in the
 * caller's buffer (see each decoder's documentation).
 */
typedef enum vw_status {
    /** Success. */
    VW_OK = 0,

    /* ---- 1..31: wire format ------------------------------------------- */
    /** The input ends before the structure it announces. */
    VW_E_TRUNCATED = 1,
    /** A length or count field exceeds the limit the protocol sets. */
    VW_E_TOO_LONG = 2,
    /** A length field disagrees with the data it describes (odd UTF-16 size, size mismatch, trailing bytes). */
    VW_E_BAD_LENGTH = 3,
    /** A version field holds a version the protocol does not define. */
    VW_E_BAD_VERSION = 4,
    /** A type or kind field holds an undefined value. */
    VW_E_BAD_TYPE = 5,
    /** A flags field holds undefined bits or an undefined combination. */
    VW_E_BAD_FLAGS = 6,
    /** A reserved field or padding is not zero. */
    VW_E_RESERVED = 7,
    /** A UTF-16LE string is malformed (lone surrogate, missing NUL terminator, odd size). */
    VW_E_BAD_UTF16 = 8,
    /** A UTF-8 string is malformed (overlong form, surrogate, above U+10FFFF, stray byte). */
    VW_E_BAD_UTF8 = 9,
    /** A protobuf varint is longer than 10 bytes or a length prefix overflows. */
    VW_E_BAD_VARINT = 10,
    /** A protobuf wire type is invalid (6 or 7) or a group is unbalanced. */
    VW_E_BAD_WIRE_TYPE = 11,
    /** A protobuf field number is 0 or out of range. */
    VW_E_BAD_FIELD_NUMBER = 12,
    /** Message nesting exceeds the stated recursion limit. */
    VW_E_TOO_DEEP = 13,
    /** A magic number does not match. */
    VW_E_BAD_MAGIC = 14,
    /** A frame's length prefix is zero where that is not allowed, or otherwise unusable. */
    VW_E_BAD_FRAME = 15,

    /* ---- 32..63: protocol rules --------------------------------------- */
    /** A field value is outside the range the protocol allows. */
    VW_E_BAD_VALUE = 32,
    /** An enum field holds a value the schema does not name. */
    VW_E_BAD_ENUM = 33,
    /** A oneof that the protocol requires to be set is empty, or holds a member not allowed here. */
    VW_E_MISSING_FIELD = 34,
    /** A fixed capacity of the schema (string, array, bytes) is exceeded. */
    VW_E_CAPACITY = 35,
    /** A status field reports failure where success is required. */
    VW_E_BAD_STATUS = 36,
    /** The number of passed file descriptors is not what the message requires. */
    VW_E_BAD_FDS = 37,
    /** Version negotiation found no version both sides support. */
    VW_E_NO_COMMON_VERSION = 38,
    /** The CPU execution mode cannot carry the message (for example a bridge trap with paging off). */
    VW_E_BAD_MODE = 39,
    /** No handler matched the request. */
    VW_E_NO_MATCH = 40,
    /** A matching handler produced no response. */
    VW_E_NO_RESPONSE = 41,
    /** An id, range or object conflicts with one already known (duplicate id, overlapping range). */
    VW_E_CONFLICT = 42,
    /** An id or object that the message refers to does not exist. */
    VW_E_NOT_FOUND = 43,

    /* ---- 64..95: state machines --------------------------------------- */
    /** The message is not allowed in the engine's current state. */
    VW_E_STATE = 64,
    /** A reply does not match the request in flight (transaction id, type). */
    VW_E_MISMATCH = 65,
    /** The caller's clock says the reply did not come in time. */
    VW_E_TIMEOUT = 66,
    /** The engine stopped after an earlier fatal error; re-initialise it. */
    VW_E_FAILED = 67,

    /* ---- 96..127: caller and resources -------------------------------- */
    /** The caller's output buffer is too small; the call reports the size needed. */
    VW_E_NOSPACE = 96,
    /** The caller's arena is exhausted; the call reports the size needed where it can. */
    VW_E_NOMEM = 97,
    /** Invalid argument (NULL pointer, bad configuration). Never caused by input bytes. */
    VW_E_INVALID_ARG = 98,
    /** The operation or message kind is not supported by this build or profile. */
    VW_E_UNSUPPORTED = 99,
    /** An operating system call of an I/O adapter failed (see errno). Adapters only. */
    VW_E_IO = 100,
    /** The peer closed the channel. Adapters only. */
    VW_E_CLOSED = 101
} vw_status;

/**
 * @brief Short, stable, lowercase name of a status, as used in golden vectors.
 *
 * For example `"ok"`, `"truncated"`, `"bad_flags"`, `"nospace"`.
 * @param s a status value.
 * @return a static string; `"unknown"` for a value that is not a ::vw_status.
 */
const char *vw_status_name(vw_status s);

/**
 * @brief One-line English description of a status.
 * @param s a status value.
 * @return a static string; never NULL.
 */
const char *vw_status_str(vw_status s);

/**
 * @brief Look a status up by its short name (the inverse of vw_status_name()).
 * @param name a name such as `"truncated"`; may be NULL.
 * @param out receives the status when the name is known.
 * @return 1 if @p name is a known status name, 0 otherwise.
 */
int vw_status_from_name(const char *name, vw_status *out);

#ifdef __cplusplus
}
#endif

#endif /* VMWIRE_STATUS_H */
