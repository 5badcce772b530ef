/**
 * @file crosvm.h
 * @brief The crosvm plugin protocol, seed and final schema revisions.
 *
 * A crosvm plugin (a separate process) drives a VM through protobuf messages:
 * `MainRequest`/`MainResponse` on SOCK_SEQPACKET main-channel sockets (with
 * file descriptors passed by SCM_RIGHTS) and `VcpuRequest`/`VcpuResponse` on
 * one channel per vCPU. Two wire-incompatible schema revisions exist; both are
 * implemented (::vw_crosvm_revision). The rules are in spec/crosvm.md.
 *
 * Layers, each usable alone:
 * - wire: vw_crosvm_decode() / vw_crosvm_encode() (protobuf semantics only,
 *   rules CV-PB-*), drawing memory from a caller ::vw_arena;
 * - rules: vw_crosvm_validate(), the protocol's stateless rules;
 * - engines: ::vw_crosvm_vm (VM-wide state), ::vw_crosvm_main (one main
 *   channel connection) and ::vw_crosvm_vcpu (one vCPU channel), for either end;
 * - boundaries: the final revision's varint length prefix and a streaming
 *   splitter (::vw_crosvm_splitter);
 * - adapter (optional, POSIX): vw_crosvm_io_send() and friends.
 *
 * Messages are protoc-c structs (`ProtobufCMessage`). Their types are
 * generated from proto/crosvm/{seed,final}/plugin.proto and installed as
 * `<vmwire/proto/crosvm/seed/plugin.pb-c.h>` and
 * `<vmwire/proto/crosvm/final/plugin.pb-c.h>`; this header does not need them.
 * The field `errno` of the schema is the C member `errno_`.
 */
#ifndef VMWIRE_CROSVM_H
#define VMWIRE_CROSVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "vmwire/arena.h"
#include "vmwire/engine.h"
#include "vmwire/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Largest `MainRequest` datagram crosvm receives, in bytes (CV-MAIN-2). */
#define VW_CROSVM_MAX_MAIN_REQUEST 4096u
/** @brief Largest `MainResponse`, `VcpuRequest` or `VcpuResponse`, in bytes (CV-MAIN-2, CV-VCPU-2). */
#define VW_CROSVM_MAX_MESSAGE 0x40000u
/** @brief Most fds a plugin accepts with one main-channel response (CV-FD-3). */
#define VW_CROSVM_MAX_FDS 32u
/** @brief Most vCPUs the engines track: the seed revision's limit (one socket per vCPU, 32 fds). */
#define VW_CROSVM_MAX_VCPUS 32u
/** @brief Most vCPUs of a final-revision VM (two pipe ends per vCPU, 32 fds). */
#define VW_CROSVM_MAX_VCPUS_FINAL 16u
/** @brief Capacity of the object table of a ::vw_crosvm_vm. */
#define VW_CROSVM_MAX_OBJECTS 64u
/** @brief Capacity of the reserved-range table of a ::vw_crosvm_vm. */
#define VW_CROSVM_MAX_RANGES 64u
/** @brief Longest varint length prefix of a final-revision `VcpuResponse` frame. */
#define VW_CROSVM_MAX_PREFIX 5u

/** @brief Linux errno values the protocol uses (the wire carries Linux numbers on every host). */
enum vw_crosvm_errno {
    VW_CROSVM_EPERM = 1,      /**< overlapping reserved range */
    VW_CROSVM_ENOENT = 2,     /**< unknown object id or range */
    VW_CROSVM_EBADF = 9,      /**< memory created without its memfd */
    VW_CROSVM_ENOMEM = 12,    /**< an engine table is full */
    VW_CROSVM_EEXIST = 17,    /**< object id already in use */
    VW_CROSVM_EINVAL = 22,    /**< bad argument, enum out of range, second Start */
    VW_CROSVM_ENOTTY = 25,    /**< no request in the message, or no constructor */
    VW_CROSVM_ENODATA = 61,   /**< no network configured */
    VW_CROSVM_EPROTO = 71,    /**< vCPU request out of order */
    VW_CROSVM_EOVERFLOW = 75  /**< Create.Memory: offset+length or start+length overflows */
};

/** @brief Schema revision. */
enum vw_crosvm_revision {
    VW_CROSVM_SEED = 0, /**< the 2018 schema: sockets per vCPU, every request answered */
    VW_CROSVM_FINAL = 1 /**< plugin API 0.22: pipes per vCPU, pushed Waits, framed responses */
};

/** @brief The four message kinds of each revision. */
enum vw_crosvm_kind {
    VW_CROSVM_MAIN_REQUEST = 0,  /**< `MainRequest`, plugin to crosvm */
    VW_CROSVM_MAIN_RESPONSE = 1, /**< `MainResponse`, crosvm to plugin */
    VW_CROSVM_VCPU_REQUEST = 2,  /**< `VcpuRequest`, plugin to crosvm */
    VW_CROSVM_VCPU_RESPONSE = 3  /**< `VcpuResponse`, crosvm to plugin */
};

/** @brief How far the effect of a host-side fault reaches (::vw_crosvm_main_event `end`). */
enum vw_crosvm_end {
    VW_CROSVM_END_NONE = 0,       /**< the connection goes on */
    VW_CROSVM_END_CONNECTION = 1, /**< crosvm drops this connection (hang-up, undecodable request) */
    VW_CROSVM_END_RUN = 2         /**< seed: crosvm ends the whole run (undecodable request before Start) */
};

/** @brief Kind of a ::vw_crosvm_main_event or ::vw_crosvm_vcpu_event (their first member, `kind`). */
enum vw_crosvm_event_kind {
    VW_CROSVM_EV_NONE = 0,    /**< no message was read or checked (a refusal before decoding, a hang-up) */
    VW_CROSVM_EV_REQUEST = 1, /**< a request (`MainRequest`, `VcpuRequest`) was read or checked: `msg` */
    VW_CROSVM_EV_RESPONSE = 2 /**< a response (`MainResponse`, `VcpuResponse`) was read or checked: `msg` */
};

/** @brief Which end of a channel an engine plays. */
enum vw_crosvm_role {
    VW_CROSVM_HOST = 0,  /**< crosvm: receives requests, sends responses */
    VW_CROSVM_PLUGIN = 1 /**< the plugin: sends requests, receives responses */
};

/* ---------------------------------------------------------------- wire */

/**
 * @brief The protoc-c descriptor of a message kind.
 * @param rev revision.
 * @param kind message kind.
 * @return the descriptor, or NULL for values outside the enums.
 */
const ProtobufCMessageDescriptor *vw_crosvm_descriptor(enum vw_crosvm_revision rev,
                                                       enum vw_crosvm_kind kind);

/**
 * @brief Parse a kind name such as `"crosvm.final.VcpuResponse"`.
 * @param name the name (may be NULL).
 * @param rev receives the revision.
 * @param kind receives the kind.
 * @return ::VW_OK, or ::VW_E_UNSUPPORTED for an unknown name, ::VW_E_INVALID_ARG for NULL outputs.
 */
vw_status vw_crosvm_kind_parse(const char *name, enum vw_crosvm_revision *rev,
                               enum vw_crosvm_kind *kind);

/**
 * @brief Decode one message of @p kind with protobuf's semantics (rules CV-PB-*).
 *
 * Nothing beyond protobuf is checked: use vw_crosvm_validate() for the
 * protocol's rules. Never calls malloc.
 * @param rev revision.
 * @param kind message kind.
 * @param buf the bytes of exactly one message; `bytes` fields point into it.
 * @param len length of @p buf.
 * @param arena caller memory for the decoded structs; on ::VW_E_NOMEM
 *        vw_arena_needed() gives the size that suffices.
 * @param out receives the message, NULL on failure.
 * @param off receives the bytes consumed on success, the fault offset otherwise.
 * @return ::VW_OK or a wire status of vw_pb_decode(); ::VW_E_INVALID_ARG for bad arguments.
 */
vw_status vw_crosvm_decode(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind,
                           const uint8_t *buf, size_t len, struct vw_arena *arena,
                           ProtobufCMessage **out, size_t *off);

/**
 * @brief Encode a message canonically (field-number order, packed repeated scalars).
 * @param msg a message of one of the eight kinds (or any protoc-c message).
 * @param out output buffer (NULL with @p cap 0 asks for the size).
 * @param cap capacity of @p out.
 * @param written bytes written, or on ::VW_E_NOSPACE the size needed.
 * @return ::VW_OK, ::VW_E_NOSPACE or ::VW_E_INVALID_ARG.
 */
vw_status vw_crosvm_encode(const ProtobufCMessage *msg, uint8_t *out, size_t cap,
                           size_t *written);

/* ---------------------------------------------------------------- rules */

/**
 * @brief Size in bytes of the KVM struct a state blob must hold.
 * @param rev revision.
 * @param vcpu 1 for `VcpuRequest.StateSet`, 0 for `MainRequest.StateSet` (final only).
 * @param set the enum value.
 * @return the size, or 0 when @p set is not a value of that enum in @p rev.
 */
size_t vw_crosvm_state_size(enum vw_crosvm_revision rev, int vcpu, int32_t set);

/**
 * @brief Check the protocol's stateless rules on a decoded message (CV-MAIN-*, CV-VCPU-*, CV-REV-*).
 *
 * Checks: a required oneof is set, enum values are named, state blobs have
 * the size of their KVM struct, IoEvent lengths, reserved ranges do not wrap,
 * I/O data lengths, the errno sign of the revision and the size limits.
 * @param rev revision.
 * @param kind message kind of @p msg.
 * @param msg the decoded message.
 * @param wire_len its length on the wire (for the size limits).
 * @return ::VW_OK, ::VW_E_MISSING_FIELD, ::VW_E_BAD_ENUM, ::VW_E_BAD_LENGTH,
 *         ::VW_E_BAD_VALUE, ::VW_E_TOO_LONG or ::VW_E_INVALID_ARG.
 */
vw_status vw_crosvm_validate(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind,
                             const ProtobufCMessage *msg, size_t wire_len);

/* ---------------------------------------------------------------- VM state */

/** @brief One object created with `Create` (private to the engines). */
struct vw_crosvm_object {
    uint32_t id;       /**< the plugin-chosen id */
    uint8_t kind;      /**< constructor: 2 io_event, 3 memory, 4 irq_event */
    bool dirty_log;    /**< memory created with dirty logging */
};

/** @brief One reserved range (private to the engines). */
struct vw_crosvm_range {
    uint64_t start;      /**< first address */
    uint64_t length;     /**< length in bytes, never 0 */
    uint8_t space;       /**< 0 I/O ports, 1 MMIO */
    uint8_t async_write; /**< final revision: writes do not stop the vCPU */
};

/** @brief Most `RegHint` details of a SetCallHint the engines keep (the C API's `CROSVM_MAX_HINT_DETAIL_COUNT`). */
#define VW_CROSVM_MAX_HINT_DETAILS 32u

/** @brief One `RegHint` of a SetCallHint (private to the engines). */
struct vw_crosvm_hint_detail {
    uint8_t match;          /**< bit i: compare register i (rax, rbx, rcx, rdx) */
    bool send_sregs;        /**< send sregs when this detail is the first to match */
    bool send_debugregs;    /**< send debugregs when this detail is the first to match */
    uint64_t reg[4];        /**< the values of rax, rbx, rcx, rdx to compare */
};

/** @brief The call hint of a final-revision VM (private to the engines; CV-MAIN-24). */
struct vw_crosvm_hint {
    bool set;               /**< a hint is set (address not 0) */
    uint8_t space;          /**< its address space */
    bool on_write;          /**< it matches writes (true) or reads (false) */
    uint64_t address;       /**< the address it matches */
    size_t n_details;       /**< details kept in @c details */
    bool cut;               /**< the hint had more than ::VW_CROSVM_MAX_HINT_DETAILS details */
    struct vw_crosvm_hint_detail details[VW_CROSVM_MAX_HINT_DETAILS]; /**< the first details */
};

/**
 * @brief VM-wide state shared by the engines of one VM: objects, reserved
 *        ranges, Start, pending pauses. Caller-owned; treat members as private
 *        (set Start, ranges and pauses with vw_crosvm_vm_set_started(),
 *        vw_crosvm_vm_add_range() and vw_crosvm_vm_set_pause()).
 */
struct vw_crosvm_vm {
    enum vw_crosvm_revision rev;                            /**< schema revision */
    unsigned n_vcpus;                                       /**< number of vCPUs (0 until known on the plugin end) */
    bool has_tap;                                           /**< host end: a network tap is configured */
    bool started;                                           /**< Start succeeded */
    size_t n_objects;                                       /**< entries used in @c objects */
    struct vw_crosvm_object objects[VW_CROSVM_MAX_OBJECTS]; /**< live objects */
    size_t n_ranges;                                        /**< entries used in @c ranges */
    struct vw_crosvm_range ranges[VW_CROSVM_MAX_RANGES];    /**< reserved ranges */
    uint32_t pause_pending;                                 /**< bit i: a pause is pending for vCPU i */
    uint64_t pause_user[VW_CROSVM_MAX_VCPUS];               /**< the `user` value of each pending pause */
    struct vw_crosvm_hint hint;                             /**< final: the SetCallHint in force */
};

/**
 * @brief Configuration of a ::vw_crosvm_vm, in the shape of the engines' configs
 *        (::vw_crosvm_main_config, ::vw_crosvm_splitter_config).
 */
struct vw_crosvm_vm_config {
    /** Schema revision (::VW_CROSVM_SEED or ::VW_CROSVM_FINAL); the engines of the VM must use the same. */
    enum vw_crosvm_revision rev;
    /** Number of vCPUs. Host end: the real count, at most ::VW_CROSVM_MAX_VCPUS in seed and
     *  ::VW_CROSVM_MAX_VCPUS_FINAL in final (a larger count is refused); plugin end: 0, learned
     *  from the GetVcpus answer. */
    unsigned n_vcpus;
    /** Host end: a network tap is configured, so GetNetConfig can succeed (final revision; seed
     *  has no GetNetConfig and ignores it). */
    bool has_tap;
};

/**
 * @brief Initialise VM state (no Start, no objects, ranges, pauses or call hint).
 * @param vm the state.
 * @param cfg the configuration (copied).
 * @return ::VW_OK or ::VW_E_INVALID_ARG (NULL @p vm or @p cfg, an unknown revision, or more
 *         vCPUs than the revision allows); on failure @p vm is unchanged.
 */
vw_status vw_crosvm_vm_init(struct vw_crosvm_vm *vm, const struct vw_crosvm_vm_config *cfg);

/**
 * @brief Find the reserved range holding `[address, address+len)` in @p space.
 * @param vm the state.
 * @param space 0 I/O ports, 1 MMIO.
 * @param address first byte.
 * @param len access length (0 is treated as 1).
 * @return the range, or NULL when the access is not inside one range.
 */
const struct vw_crosvm_range *vw_crosvm_vm_find_range(const struct vw_crosvm_vm *vm, int space,
                                                      uint64_t address, uint64_t len);

/**
 * @brief Set whether the VM has started, as a successful `Start` request does (CV-MAIN-18).
 *
 * For a VMM that restores VM state, or a test that begins a conversation
 * after Start, without running the main-channel conversation that leads
 * there. Setting @p started false also drops every pending pause (before
 * Start none can be pending, CV-MAIN-19). No allocation.
 * @param vm the state (after vw_crosvm_vm_init()).
 * @param started true: Start has succeeded; false: it has not happened.
 * @return ::VW_OK, or ::VW_E_INVALID_ARG when @p vm is NULL.
 */
vw_status vw_crosvm_vm_set_started(struct vw_crosvm_vm *vm, bool started);

/**
 * @brief Add a reserved range, as a successful `ReserveRange` request does (CV-MAIN-9 .. 11).
 *
 * The range is copied into the VM's table (no allocation). It must be a
 * range the main channel could have reserved: a length above 0, space 0
 * (I/O ports) or 1 (MMIO), no wrap past 2^64, `async_write` 0 or 1 and 1
 * only in the final revision; and it must not conflict with a reserved
 * range by crosvm's own probe (CV-MAIN-11: its start inside a reserved
 * range, or a reserved range starting before its last byte).
 * @param vm the state (after vw_crosvm_vm_init()).
 * @param r the range.
 * @return ::VW_OK; ::VW_E_INVALID_ARG (NULL argument or a range no request could reserve);
 *         ::VW_E_CONFLICT (it overlaps a reserved range); ::VW_E_CAPACITY (the table already
 *         holds ::VW_CROSVM_MAX_RANGES ranges). On failure the table is unchanged.
 */
vw_status vw_crosvm_vm_add_range(struct vw_crosvm_vm *vm, const struct vw_crosvm_range *r);

/**
 * @brief Make a pause pending for one vCPU, as a `PauseVcpus` request after Start does (CV-MAIN-19).
 *
 * The vCPU's next Wait may then report a user exit carrying @p user (CV-VCPU-18); a pause
 * already pending for the vCPU is replaced, as a second PauseVcpus does. No
 * allocation.
 * @param vm the state (after vw_crosvm_vm_init() and vw_crosvm_vm_set_started()).
 * @param cpu the vCPU index: below ::VW_CROSVM_MAX_VCPUS and, once the VM's vCPU count
 *        is known (above 0), below it.
 * @param user the `user` value the pause carries.
 * @return ::VW_OK; ::VW_E_INVALID_ARG (@p vm NULL, or a vCPU index out of range);
 *         ::VW_E_STATE (the VM has not started: a pause before Start does nothing).
 */
vw_status vw_crosvm_vm_set_pause(struct vw_crosvm_vm *vm, unsigned cpu, uint64_t user);

/* ---------------------------------------------------------------- main channel */

/** @brief Configuration of a main-channel engine. */
struct vw_crosvm_main_config {
    enum vw_crosvm_role role; /**< which end this engine plays */
    struct vw_crosvm_vm *vm;  /**< VM state, shared by all connections of the VM */
    struct vw_arena *arena;   /**< scratch for decoding; reset on every feed and check_out */
    bool strict;              /**< true: vmwire's stricter rules instead of crosvm's (spec/crosvm.md, "strict") */
};

/** @brief What one main-channel feed or check_out found. */
struct vw_crosvm_main_event {
    enum vw_crosvm_event_kind kind; /**< the discriminator, first as in every engine event: ::VW_CROSVM_EV_NONE when @c msg is NULL */
    const ProtobufCMessage *msg; /**< the decoded message (valid until the next feed or check_out) */
    uint32_t request;            /**< the request's oneof field number (0: none) */
    int32_t err;                 /**< the errno (positive; INT32_MIN saturates to INT32_MAX) of the answer; 0 on success */
    unsigned fds_in;             /**< fds that came with the message */
    unsigned fds_out;            /**< host: fds the caller must attach to the answer */
    bool app_reply;              /**< host: true when the caller must send the answer (it carries data) */
    unsigned fds_dropped;        /**< fds that came with the message and that the receiver does not
                                      take (the caller closes them): host CV-FD-1, plugin beyond
                                      32 (CV-FD-3) */
    enum vw_crosvm_end end;      /**< host: whether the fault ends the connection or the run */
};

/** @brief One main-channel connection. Caller-owned; treat members as private. */
struct vw_crosvm_main {
    struct vw_crosvm_main_config cfg; /**< configuration */
    int state;                        /**< engine state */
    uint32_t pending;                 /**< oneof number of the request in flight */
    uint32_t pending_ctor;            /**< its Create constructor */
    uint32_t pending_id;              /**< its object id */
    int undo;                         /**< host: effect of the last request (for vw_crosvm_main_fail) */
    bool kvm_err;                     /**< host: the queued errno is a KVM failure (positive in seed too) */
    struct vw_crosvm_range undo_range; /**< host: the range the last request added or removed */
    struct vw_crosvm_object undo_obj;  /**< host: the object the last request added or removed */
    struct vw_crosvm_hint undo_hint;   /**< host: the hint before the last SetCallHint; plugin: the one in flight */
    uint64_t pause_mask;              /**< plugin: cpu_mask of the PauseVcpus in flight */
    uint64_t pause_user;              /**< plugin: user value of the PauseVcpus in flight */
    size_t out_len;                   /**< bytes pending in @c out */
    uint8_t out[16];                  /**< host: the queued answer */
    size_t err_off;                   /**< offset of the last fault */
};

/**
 * @brief Initialise a main-channel engine (state: idle).
 * @param m the engine.
 * @param cfg configuration (copied; @c vm and @c arena must outlive the engine).
 * @return ::VW_OK or ::VW_E_INVALID_ARG.
 */
vw_status vw_crosvm_main_init(struct vw_crosvm_main *m, const struct vw_crosvm_main_config *cfg);

/**
 * @brief Feed one datagram received from the peer (host: a request; plugin: a response).
 *
 * Host, legal when idle: decodes, applies the request to the VM state as
 * crosvm does and either queues the answer for vw_crosvm_main_output() or,
 * when the answer carries data (`ev->app_reply`), waits for
 * vw_crosvm_main_check_out(). A request whose operation fails (duplicate id,
 * overlap, second Start, no member...) is an error result, not a refusal
 * (doc/CONVENTIONS.md, the engine contract, rule 4): ::VW_OK, the errno in
 * `ev->err` and queued in the answer.
 * An empty datagram is a hang-up (::VW_E_CLOSED); a datagram over
 * ::VW_CROSVM_MAX_MAIN_REQUEST bytes is cut to that size (strict:
 * ::VW_E_TOO_LONG); of the @p nfds fds at most one is taken (`ev->fds_in`,
 * Create.memory only) and the others are for the caller to close
 * (`ev->fds_dropped`; strict: ::VW_E_BAD_FDS). A sticky fault sets `ev->end`. Plugin, legal while a
 * request is in flight: checks the answer's variant, errno sign and fd count
 * (of more than ::VW_CROSVM_MAX_FDS it takes 32, as the client does; strict:
 * ::VW_E_BAD_FDS) and mirrors successful effects into the VM state. A success that the VM
 * state rules out (Create of a live id, Destroy of an unknown one, an
 * overlapping ReserveRange, removing a range that does not exist) is
 * refused, nothing is mirrored and the request stays in flight. The mirror
 * is exact while no two connections have requests on the same object or
 * range in flight at once (answers on different connections may be read in
 * another order than the host served them).
 * @param m the engine.
 * @param in the datagram.
 * @param len its length.
 * @param nfds number of fds received with it.
 * @param ev receives what was found (may be NULL).
 * @param consumed receives @p len once the datagram is read, answered or refused;
 *        0 for ::VW_E_STATE (not read in this state), ::VW_E_FAILED and ::VW_E_INVALID_ARG.
 * @return ::VW_OK; a decode status, or in seed ::VW_E_BAD_ENUM for an unnamed
 *         enum value (sticky: the connection, or the run, ends); ::VW_E_CLOSED
 *         (sticky); ::VW_E_TOO_LONG (sticky); ::VW_E_STATE; ::VW_E_MISMATCH (wrong
 *         answer variant); ::VW_E_BAD_FDS; a vw_crosvm_validate() status;
 *         ::VW_E_CONFLICT, ::VW_E_NOT_FOUND (plugin: a success the VM state
 *         rules out, CV-MAIN-5, 8, 10, 11); ::VW_E_NOMEM (arena);
 *         ::VW_E_FAILED after a sticky fault.
 */
vw_status vw_crosvm_main_feed(struct vw_crosvm_main *m, const uint8_t *in, size_t len,
                              unsigned nfds, struct vw_crosvm_main_event *ev, size_t *consumed);

/**
 * @brief Check a message this end is about to send, and advance the state (nothing is queued).
 *
 * The engine neither queues nor transmits the message: the caller encodes
 * it, calls this to have it checked and recorded (the state advances as if
 * it had been sent), then transmits its own bytes, e.g. with
 * vw_crosvm_io_send(). (Before issue 20 this was `vw_crosvm_main_send`; IC's
 * `vw_ic_host_send_*` queue a message for output, which this does not.)
 * A refused message (a fault status) must not be sent.
 *
 * Plugin, legal when idle: a request crosvm_plugin could send (one fd with
 * Create.memory and none otherwise; strict: also at most
 * ::VW_CROSVM_MAX_MAIN_REQUEST bytes, every validate() rule, no second Start
 * and no NewConnection after Start). Host, legal after a
 * feed that set `ev->app_reply`: the answer, of the matching variant, with
 * @p nfds as the protocol requires. The caller transmits its own bytes.
 * @param m the engine.
 * @param msg the encoded message.
 * @param len its length.
 * @param nfds number of fds sent with it.
 * @param ev receives what was found (may be NULL).
 * @return ::VW_OK, ::VW_E_STATE, ::VW_E_MISMATCH, ::VW_E_BAD_FDS, ::VW_E_TOO_LONG,
 *         a decode or validate status, ::VW_E_FAILED.
 */
vw_status vw_crosvm_main_check_out(struct vw_crosvm_main *m, const uint8_t *msg, size_t len,
                                   unsigned nfds, struct vw_crosvm_main_event *ev);

/**
 * @brief Deprecated name of vw_crosvm_main_check_out() (it never sent anything).
 * @deprecated Use vw_crosvm_main_check_out(); this alias is to be removed.
 */
#define vw_crosvm_main_send vw_crosvm_main_check_out

/**
 * @brief Host: replace the queued answer by a failure with @p err, undoing the request's effect.
 *
 * For failures only the caller sees. A positive @p err is a failed KVM
 * ioctl or syscall, written positive in both revisions as crosvm passes
 * those on; a negative one is one of crosvm's own refusals the caller makes
 * (the memfd checks of CV-MAIN-7), written negative in seed and positive in
 * final (CV-REV-2). Legal while an answer is queued or awaited.
 * @param m the engine.
 * @param err the errno: positive for a syscall failure, negative for crosvm's own refusal; not 0 or INT32_MIN.
 * @return ::VW_OK, ::VW_E_STATE or ::VW_E_INVALID_ARG.
 */
vw_status vw_crosvm_main_fail(struct vw_crosvm_main *m, int32_t err);

/**
 * @brief Copy the queued answer (host end) into @p out.
 * @param m the engine.
 * @param out buffer (NULL with @p cap 0 asks for the size).
 * @param cap its capacity.
 * @param written bytes written; 0 with ::VW_OK when nothing is queued; the size needed on ::VW_E_NOSPACE.
 * @return ::VW_OK, ::VW_E_NOSPACE (the answer stays queued), ::VW_E_INVALID_ARG
 *         (also for @p out NULL with @p cap > 0).
 */
vw_status vw_crosvm_main_output(struct vw_crosvm_main *m, uint8_t *out, size_t cap, size_t *written);

/**
 * @brief Offset of the last fault in the last fed or sent message.
 * @param m the engine.
 * @return the offset.
 */
size_t vw_crosvm_main_error_offset(const struct vw_crosvm_main *m);

/**
 * @brief What a main-channel engine wants next (doc/CONVENTIONS.md, the engine contract).
 *
 * ::VW_ENGINE_WANT_INPUT when vw_crosvm_main_feed() reads a datagram (host:
 * idle; plugin: a request in flight), otherwise feed is refused with
 * ::VW_E_STATE and consumes nothing; ::VW_ENGINE_HAVE_OUTPUT when
 * vw_crosvm_main_output() has the host's answer to hand over;
 * ::VW_ENGINE_WAIT_APP when the application must call vw_crosvm_main_check_out()
 * (host: an answer with data; plugin: idle, the next request) or
 * vw_crosvm_main_fail(); ::VW_ENGINE_FAILED after a sticky fault.
 * Legal in every state.
 * @param m the engine (NULL: 0).
 * @return a set of ::vw_engine_flag bits.
 */
unsigned vw_crosvm_main_state(const struct vw_crosvm_main *m);

/* ---------------------------------------------------------------- vCPU channel */

/** @brief Configuration of a vCPU-channel engine. */
struct vw_crosvm_vcpu_config {
    enum vw_crosvm_revision rev; /**< schema revision (must match @c vm's) */
    enum vw_crosvm_role role; /**< which end this engine plays */
    struct vw_crosvm_vm *vm;  /**< VM state (reserved ranges, pauses); may be NULL to skip those checks */
    unsigned index;           /**< this vCPU's index */
    struct vw_arena *arena;   /**< scratch for decoding; reset on every feed and check_out */
    bool strict;              /**< true: vmwire's stricter rules instead of crosvm's (spec/crosvm.md, "strict") */
};

/** @brief States of a vCPU channel (spec/crosvm.md, CV-VCPU-*). */
enum vw_crosvm_vcpu_state {
    VW_CROSVM_VS_INIT = 0,     /**< no Wait sent yet */
    VW_CROSVM_VS_WAITING = 1,  /**< a Wait request awaits its answer */
    VW_CROSVM_VS_STOPPED = 2,  /**< the vCPU is stopped for a reason the plugin handles */
    VW_CROSVM_VS_REQUEST = 3,  /**< a state or MSR request awaits its answer */
    VW_CROSVM_VS_RESUMING = 4, /**< seed: a Resume awaits its answer */
    VW_CROSVM_VS_RUNNING = 5,  /**< the guest runs; final: the next Wait is pushed */
    VW_CROSVM_VS_DOWN = 6      /**< Shutdown seen; nothing more is legal */
};

/** @brief What one vCPU-channel feed or check_out found. */
struct vw_crosvm_vcpu_event {
    enum vw_crosvm_event_kind kind;  /**< the discriminator, first as in every engine event: ::VW_CROSVM_EV_NONE when @c msg is NULL */
    const ProtobufCMessage *msg;     /**< the decoded message (valid until the next feed or check_out) */
    bool is_request;                 /**< true for a VcpuRequest, false for a VcpuResponse */
    uint32_t field;                  /**< its oneof field number (0: none) */
    uint32_t exit;                   /**< for a Wait answer: the exit member (1 init, 2 io, ...) */
    int32_t err;                     /**< for an answer: its errno, made positive (INT32_MIN: INT32_MAX; 0: success) */
    enum vw_crosvm_vcpu_state state; /**< the state after the message */
};

/** @brief One vCPU channel. Caller-owned; treat members as private. */
struct vw_crosvm_vcpu {
    struct vw_crosvm_vcpu_config cfg; /**< configuration */
    enum vw_crosvm_vcpu_state state;  /**< current state */
    uint32_t pending;                 /**< oneof number of the request awaiting an answer */
    size_t read_len;                  /**< bytes the Resume of the current stop must carry */
    bool read_exact;                  /**< the stop takes exactly @c read_len bytes (hyper-V call) */
    uint32_t stop_exit;               /**< the Wait exit member of the current stop (1 init, 2 io, ...) */
    int32_t pending_set;              /**< StateSet of a GetState in flight */
    size_t pending_count;             /**< MSR count of a GetMsrs in flight */
    bool inited;                      /**< the Init stop was reported */
    bool failed;                      /**< sticky fault */
    size_t out_len;                   /**< bytes queued in @c out */
    uint8_t out[32];                  /**< host: the queued engine answer (framed in final) */
    size_t err_off;                   /**< offset of the last fault */
};

/**
 * @brief Initialise a vCPU-channel engine (state ::VW_CROSVM_VS_INIT).
 * @param v the engine.
 * @param cfg configuration (copied).
 * @return ::VW_OK or ::VW_E_INVALID_ARG.
 */
vw_status vw_crosvm_vcpu_init(struct vw_crosvm_vcpu *v, const struct vw_crosvm_vcpu_config *cfg);

/**
 * @brief Feed one message received from the peer (host: a request; plugin: an answer or pushed Wait).
 *
 * The message is unframed (for the final revision's answers, split the
 * stream first with ::vw_crosvm_splitter). Host end: the first Wait is
 * answered by the engine with `Wait{init}` (see vw_crosvm_vcpu_output());
 * a request out of order is answered with errno EPROTO by the engine and
 * reported as ::VW_E_STATE.
 * @param v the engine.
 * @param in the message.
 * @param len its length.
 * @param ev receives what was found (may be NULL).
 * @param consumed receives @p len once the frame is read, answered or refused;
 *        0 for ::VW_E_FAILED and ::VW_E_INVALID_ARG.
 * @return ::VW_OK, ::VW_E_STATE, ::VW_E_MISMATCH, ::VW_E_BAD_LENGTH (Resume data;
 *         on the host sticky when crosvm would panic, CV-VCPU-12),
 *         ::VW_E_NOT_FOUND (I/O outside reserved ranges, no pause pending),
 *         a validate status, a decode status (sticky), ::VW_E_FAILED.
 */
vw_status vw_crosvm_vcpu_feed(struct vw_crosvm_vcpu *v, const uint8_t *in, size_t len,
                              struct vw_crosvm_vcpu_event *ev, size_t *consumed);

/**
 * @brief Check a message this end is about to send (unframed), and advance the state (nothing is queued).
 *
 * As vw_crosvm_main_check_out(): the caller transmits its own bytes (in the
 * final revision the host frames its answer with vw_crosvm_frame_encode());
 * a refused message must not be sent.
 * @param v the engine.
 * @param msg the encoded message.
 * @param len its length.
 * @param ev receives what was found (may be NULL).
 * @return as vw_crosvm_vcpu_feed().
 */
vw_status vw_crosvm_vcpu_check_out(struct vw_crosvm_vcpu *v, const uint8_t *msg, size_t len,
                                   struct vw_crosvm_vcpu_event *ev);

/**
 * @brief Deprecated name of vw_crosvm_vcpu_check_out() (it never sent anything).
 * @deprecated Use vw_crosvm_vcpu_check_out(); this alias is to be removed.
 */
#define vw_crosvm_vcpu_send vw_crosvm_vcpu_check_out

/**
 * @brief Copy the answer the host engine queued (framed in the final revision).
 * @param v the engine.
 * @param out buffer (NULL with @p cap 0 asks for the size).
 * @param cap its capacity.
 * @param written bytes written; 0 with ::VW_OK when nothing is queued; the size needed on ::VW_E_NOSPACE.
 * @return ::VW_OK, ::VW_E_NOSPACE (the answer stays queued), ::VW_E_INVALID_ARG
 *         (also for @p out NULL with @p cap > 0).
 */
vw_status vw_crosvm_vcpu_output(struct vw_crosvm_vcpu *v, uint8_t *out, size_t cap, size_t *written);

/**
 * @brief Offset of the last fault in the last fed or sent message.
 * @param v the engine.
 * @return the offset.
 */
size_t vw_crosvm_vcpu_error_offset(const struct vw_crosvm_vcpu *v);

/**
 * @brief What a vCPU-channel engine wants next (doc/CONVENTIONS.md, the engine contract).
 *
 * ::VW_ENGINE_HAVE_OUTPUT when vw_crosvm_vcpu_output() has a queued host
 * answer; ::VW_ENGINE_FAILED after a sticky fault; otherwise, by the channel
 * state (::vw_crosvm_vcpu_state) and the role: ::VW_ENGINE_WAIT_APP when this
 * end owes the next message (vw_crosvm_vcpu_check_out(): host, an answer to a
 * request in flight or, final, the pushed Wait answer; plugin, a request when
 * none is in flight), ::VW_ENGINE_WANT_INPUT when the peer does.
 * ::VW_CROSVM_VS_DOWN has neither. Legal in every state.
 * @param v the engine (NULL: 0).
 * @return a set of ::vw_engine_flag bits.
 */
unsigned vw_crosvm_vcpu_state(const struct vw_crosvm_vcpu *v);

/* ---------------------------------------------------------------- boundaries */

/**
 * @brief Check one received SOCK_SEQPACKET datagram against the channel's limit (CV-MAIN-1, CV-MAIN-2).
 *
 * This is vmwire's strict rule: crosvm itself parses the first 4096 bytes of
 * a longer request (the host engine does too unless configured strict).
 * @param kind kind of the message it carries.
 * @param len bytes received.
 * @param truncated true when the kernel reported MSG_TRUNC.
 * @return ::VW_OK, or ::VW_E_TOO_LONG when the datagram exceeds the receiver's buffer.
 */
vw_status vw_crosvm_datagram_check(enum vw_crosvm_kind kind, size_t len, bool truncated);

/**
 * @brief Write the final revision's frame: a varint length prefix, then the message.
 * @param msg the encoded message.
 * @param len its length (at most ::VW_CROSVM_MAX_MESSAGE).
 * @param out output (NULL with @p cap 0 asks for the size).
 * @param cap its capacity.
 * @param written bytes written, or the size needed on ::VW_E_NOSPACE.
 * @return ::VW_OK, ::VW_E_NOSPACE, ::VW_E_TOO_LONG or ::VW_E_INVALID_ARG.
 */
vw_status vw_crosvm_frame_encode(const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
                                 size_t *written);

/**
 * @brief Configuration of a ::vw_crosvm_splitter, in the shape of ::vw_serial_deframer_config
 *        (the two length-prefix splitters of vmwire share it: `buf`, `buf_cap`, a rule switch).
 */
struct vw_crosvm_splitter_config {
    /** Caller storage for frames that arrive in pieces; ::VW_CROSVM_MAX_MESSAGE bytes accept every
     *  legal frame. May be NULL only with @ref buf_cap 0 (then only empty frames are accepted). */
    uint8_t *buf;
    /** Size of @ref buf; also the largest frame accepted (a longer one is ::VW_E_TOO_LONG). */
    size_t buf_cap;
    /** vmwire's strict prefix rule (CV-VCPU-16): a 5th prefix byte above 0x0f is `bad_varint`.
     *  False (the default) reads the prefix as crosvm_plugin does: a 5th byte's bits beyond the
     *  32nd are dropped and only a 6th byte is `bad_varint`. */
    bool strict;
};

/** @brief Streaming splitter of the final revision's VcpuResponse stream. Treat members as private. */
struct vw_crosvm_splitter {
    uint8_t *buf;          /**< caller buffer for frames split across chunks */
    size_t cap;            /**< its capacity (frames longer are refused) */
    size_t have;           /**< body bytes gathered in @c buf */
    size_t need;           /**< body length of the current frame */
    unsigned prefix_len;   /**< prefix bytes seen of the current frame */
    uint32_t prefix_val;   /**< value gathered from them */
    bool in_body;          /**< true once the prefix is complete */
    bool failed;           /**< sticky fault */
    bool strict;           /**< refuse a 5th prefix byte above 0x0f (the config's `strict`) */
    size_t err_off;        /**< offset of the last fault within the last chunk */
};

/**
 * @brief Set up a splitter (as vw_serial_deframer_init() sets up a deframer).
 * @param s the splitter.
 * @param cfg the configuration (copied; `cfg->buf` must outlive the splitter).
 * @return ::VW_OK or ::VW_E_INVALID_ARG (NULL @p s or @p cfg, NULL `buf` with a non-zero `buf_cap`).
 */
vw_status vw_crosvm_splitter_init(struct vw_crosvm_splitter *s, const struct vw_crosvm_splitter_config *cfg);

/**
 * @brief Change the prefix rule after vw_crosvm_splitter_init() (the config's `strict`).
 * @deprecated Set ::vw_crosvm_splitter_config `strict` instead; kept for existing callers.
 * @param s the splitter (after vw_crosvm_splitter_init()).
 * @param strict true for the strict rule.
 * @return ::VW_OK or ::VW_E_INVALID_ARG.
 */
vw_status vw_crosvm_splitter_set_strict(struct vw_crosvm_splitter *s, bool strict);

/**
 * @brief Feed a chunk of the stream; yields at most one frame per call.
 *
 * Call again with the rest of the chunk (`in + *consumed`) until it is used up.
 * @param s the splitter.
 * @param in the chunk.
 * @param len its length.
 * @param frame receives the message of a complete frame (inside @p in or the
 *        splitter's buffer, valid until the next call), or NULL; @p frame may
 *        itself be NULL (the frame is then lost).
 * @param frame_len receives its length (may be NULL).
 * @param consumed receives the bytes of @p in used; after ::VW_E_BAD_VARINT or
 *        ::VW_E_TOO_LONG, the bytes through the offending prefix byte.
 * @return ::VW_OK; ::VW_E_BAD_VARINT (prefix longer than 5 bytes; strict: above 32
 *         bits) or ::VW_E_TOO_LONG (frame larger than the buffer): sticky,
 *         vw_crosvm_splitter_error_offset() tells where; ::VW_E_FAILED afterwards.
 */
vw_status vw_crosvm_splitter_feed(struct vw_crosvm_splitter *s, const uint8_t *in, size_t len,
                                  const uint8_t **frame, size_t *frame_len, size_t *consumed);

/**
 * @brief Bytes of a frame not yet complete that the splitter has taken (prefix bytes and body
 *        bytes copied); as vw_serial_deframer_pending(), a stream ending while it is above 0 is truncated.
 * @param s the splitter (NULL: 0).
 * @return the number of bytes held; 0 at a frame boundary.
 */
size_t vw_crosvm_splitter_pending(const struct vw_crosvm_splitter *s);

/**
 * @brief Whether the splitter holds part of a frame.
 * @deprecated Use vw_crosvm_splitter_pending() (the deframer's name), which is above 0 exactly then.
 * @param s the splitter.
 * @return true inside a frame, false at a frame boundary.
 */
bool vw_crosvm_splitter_partial(const struct vw_crosvm_splitter *s);

/**
 * @brief Offset in the last chunk of the last fault.
 * @param s the splitter.
 * @return the offset.
 */
size_t vw_crosvm_splitter_error_offset(const struct vw_crosvm_splitter *s);

/**
 * @brief What the splitter wants next (doc/CONVENTIONS.md, the engine contract).
 *
 * ::VW_ENGINE_WANT_INPUT until a fault, then ::VW_ENGINE_FAILED;
 * ::VW_ENGINE_PARTIAL while part of a frame is held (vw_crosvm_splitter_pending() > 0).
 * A splitter has no output of its own. Legal in every state.
 * @param s the splitter (NULL: 0).
 * @return a set of ::vw_engine_flag bits.
 */
unsigned vw_crosvm_splitter_state(const struct vw_crosvm_splitter *s);

/* ---------------------------------------------------------------- POSIX adapter */

/*
 * The adapter is safe to embed in a process whose peer is hostile (SECURITY.md,
 * "The socket adapter"): no call raises SIGPIPE or changes the process's
 * signal disposition, every fd the kernel delivers is either handed to the
 * caller or closed before the call returns, and a call returns only the
 * statuses listed with it. errno is left as the failing system call set it
 * whenever ::VW_E_IO is returned (EAGAIN/EWOULDBLOCK on a non-blocking fd that
 * is not ready; the call can be repeated).
 */

/**
 * @brief Send one message as one SOCK_SEQPACKET datagram with its fds (SCM_RIGHTS).
 *
 * Only in builds with the I/O adapters (the default; `--disable-io-adapters` leaves them out).
 * Sends with MSG_NOSIGNAL (where the platform lacks it, SIGPIPE is blocked in
 * the calling thread for the call, as vw_crosvm_io_pipe_write() does). The
 * fds stay the caller's: the peer receives duplicates.
 * @param sock a connected AF_UNIX SOCK_SEQPACKET socket.
 * @param msg the message (an empty one is sent as an empty datagram, which
 *        the peer cannot tell from a hang-up: CV-MAIN-21).
 * @param len its length.
 * @param fds fds to pass (may be NULL when @p nfds is 0).
 * @param nfds their number (at most ::VW_CROSVM_MAX_FDS).
 * @return ::VW_OK (the whole datagram was sent); ::VW_E_CLOSED (the peer has
 *         gone: EPIPE or ECONNRESET); ::VW_E_IO (any other failure, see errno;
 *         EAGAIN when a non-blocking socket's buffer is full, nothing sent);
 *         ::VW_E_INVALID_ARG (negative @p sock, NULL @p msg or @p fds with a
 *         non-zero count, @p nfds over ::VW_CROSVM_MAX_FDS).
 */
vw_status vw_crosvm_io_send(int sock, const uint8_t *msg, size_t len, const int *fds, size_t nfds);

/**
 * @brief Receive one datagram with its fds (received fds are close-on-exec).
 *
 * The control buffer has room for ::VW_CROSVM_MAX_FDS fds plus the
 * credentials message a socket with SO_PASSCRED also receives, and for
 * nothing else (other ancillary data, e.g. SO_PASSSEC, may cut it). Whenever
 * the result is not ::VW_OK, every fd that came with the datagram has been
 * closed (CV-FD-6), and @p len and @p nfds are 0.
 * @param sock the socket.
 * @param buf buffer (may be NULL when @p cap is 0).
 * @param cap its capacity.
 * @param len receives the datagram's length.
 * @param fds receives the fds.
 * @param max_fds capacity of @p fds.
 * @param nfds receives their number.
 * @return ::VW_OK (an empty datagram that came with fds is ::VW_OK with
 *         @p len 0); ::VW_E_CLOSED (a 0-byte datagram without fds: the peer
 *         closed, or sent an empty datagram, which reads the same, CV-MAIN-21;
 *         or ECONNRESET); ::VW_E_TOO_LONG (the datagram is longer than @p cap,
 *         also when @p cap is 0; the rest of it is discarded by the kernel);
 *         ::VW_E_BAD_FDS (more fds than @p max_fds, or the control data was
 *         cut: more than ::VW_CROSVM_MAX_FDS fds, MSG_CTRUNC); ::VW_E_IO (see
 *         errno; EAGAIN on a non-blocking socket with nothing to read);
 *         ::VW_E_INVALID_ARG (negative @p sock, NULL @p len or @p nfds, NULL
 *         @p buf with a non-zero @p cap, NULL @p fds with a non-zero @p max_fds).
 *         ::VW_E_TOO_LONG takes precedence over ::VW_E_BAD_FDS.
 */
vw_status vw_crosvm_io_recv(int sock, uint8_t *buf, size_t cap, size_t *len, int *fds,
                            size_t max_fds, size_t *nfds);

/**
 * @brief Write one message to a pipe (final revision's vCPU channel).
 *
 * The write is retried until complete (after EINTR or a short write). SIGPIPE
 * is blocked in the calling thread for the call (pthread_sigmask), and the
 * one a write to a pipe without reader raises is consumed (sigtimedwait with
 * a zero timeout) unless one was already pending before the call; the
 * thread's signal mask is restored and the process's disposition of SIGPIPE
 * is never changed.
 * @param fd the pipe's write end.
 * @param msg the bytes (a VcpuRequest, or a frame made by vw_crosvm_frame_encode()).
 * @param len their length.
 * @return ::VW_OK; ::VW_E_CLOSED (EPIPE: no reader); ::VW_E_IO (see errno;
 *         on a non-blocking pipe EAGAIN, in which case a part of the message
 *         may already be written and the channel is out of step);
 *         ::VW_E_INVALID_ARG (negative @p fd, NULL @p msg with a non-zero @p len).
 */
vw_status vw_crosvm_io_pipe_write(int fd, const uint8_t *msg, size_t len);

/**
 * @brief One read() from a pipe.
 * @param fd the pipe's read end.
 * @param buf buffer.
 * @param cap its capacity (not 0: a 0-byte read could not be told from end of file).
 * @param len receives the bytes read (0 unless ::VW_OK).
 * @return ::VW_OK; ::VW_E_CLOSED (end of file); ::VW_E_IO (see errno; EAGAIN
 *         on a non-blocking pipe with nothing to read); ::VW_E_INVALID_ARG
 *         (negative @p fd, NULL @p buf or @p len, @p cap 0).
 */
vw_status vw_crosvm_io_pipe_read(int fd, uint8_t *buf, size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* VMWIRE_CROSVM_H */
