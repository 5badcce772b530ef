/**
 * @file bridge.h
 * @brief VMI bridge packets carried in AMD64 CPU registers (host side).
 *
 * A guest program talks to a VM-introspection host by loading a small request
 * packet into general-purpose registers and executing a trapping instruction
 * (VMCALL as a Xen guest request, or the legacy CPUID trigger). The host reads
 * the packet out of the vCPU register snapshot, routes it to the first
 * matching handler of a table, and answers by writing up to four 64-bit values
 * back into RAX, RBX, RCX and RDX before the vCPU resumes. This is the bridge
 * of the vmi-rs project; the normative rules are in `spec/bridge.md`
 * (rule ids `BR-*`).
 *
 * No bytes travel here, so there is no decoder in the usual sense, but the
 * calls follow the same status + out-parameter style as the rest of libvmwire:
 * every fallible call returns a ::vw_status, never aborts, never allocates and
 * leaves its outputs cleared on failure.
 *
 * Typical host loop for one trapped instruction:
 * @code
 * struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(N)];
 * struct vw_bridge_table table;
 * vw_bridge_table_init(&table, handlers, N, idx, VW_BRIDGE_INDEX_CAP(N), NULL);  // once
 * ...
 * struct vw_bridge_cpu_mode cpu = { paging, ia32e, cs_l, cs_d, eflags_vm };  // from the event
 * regs.mode = vw_bridge_mode_of(&cpu);                                     // as vmi-rs (BR-MODE-3)
 * struct vw_bridge_response resp;
 * size_t who;
 * vw_status st = vw_bridge_serve(&table, &regs, VW_BRIDGE_VMCALL,
 *                                VW_BRIDGE_VMCALL_LEN, &resp, &who);
 * @endcode
 *
 * The guest side of the bridge is vmwire/bridge_guest.h.
 */
#ifndef VMWIRE_BRIDGE_H
#define VMWIRE_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmwire/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- registers ---------------------------------------------------------- */

/**
 * @brief Execution mode of the vCPU when it trapped (its effective address width).
 *
 * Only ::VW_BRIDGE_MODE_64 and ::VW_BRIDGE_MODE_32 can carry a packet
 * (rule BR-MODE-1); every other value, including ::VW_BRIDGE_MODE_OTHER,
 * makes vw_bridge_read_packet() fail with ::VW_E_BAD_MODE (BR-MODE-2).
 * vw_bridge_mode_of() chooses the value from the processor state exactly as
 * vmi-rs does (BR-MODE-3); with paging on, every mode that is not 64-bit code
 * is ::VW_BRIDGE_MODE_32, 16-bit code and virtual-8086 mode included.
 */
enum vw_bridge_mode {
    /** Paging off (CR0.PG = 0: real mode or unpaged protected mode): no bridge.
     *  vmi-rs panics here; ::VW_E_BAD_MODE is vmwire's choice (BR-MODE-2). */
    VW_BRIDGE_MODE_OTHER = 0,
    /** Paging on and not 64-bit code: legacy or PAE protected mode (32- or
     *  16-bit code segments, virtual-8086 mode) and IA-32e compatibility mode
     *  (CS.L = 0, any CS.D; e.g. WoW64). Read with the 32-bit register maps. */
    VW_BRIDGE_MODE_32 = 32,
    /** 64-bit code: IA-32e mode with CS.L = 1. */
    VW_BRIDGE_MODE_64 = 64
};

/**
 * @brief The processor state that decides the execution mode (BR-MODE-3).
 *
 * vmi-rs reads CR0.PG, CR4.PAE, IA32_EFER.LME and CS.L; CS.D and EFLAGS.VM
 * are here so that a caller can state every mode it meets (16-bit code,
 * virtual-8086 mode), but they never change the result, as in vmi-rs.
 * Zero-initialise it (`= {0}`: paging off).
 */
struct vw_bridge_cpu_mode {
    bool paging;    /**< CR0.PG: paging enabled */
    bool ia32e;     /**< IA-32e (long) mode active: IA32_EFER.LMA; vmi-rs tests CR4.PAE = 1 and
                         IA32_EFER.LME = 1, which is the same once paging is on */
    bool cs_l;      /**< CS.L: the code segment is a 64-bit segment (meaningful in IA-32e mode only) */
    bool cs_d;      /**< CS.D: default operand size 32 (1) or 16 (0) bits; does not change the mode */
    bool eflags_vm; /**< EFLAGS.VM: virtual-8086 mode; does not change the mode */
};

/**
 * @brief The execution mode vmi-rs derives from a processor state (BR-MODE-3).
 *
 * Paging off gives ::VW_BRIDGE_MODE_OTHER; IA-32e mode with CS.L = 1 gives
 * ::VW_BRIDGE_MODE_64; any other state with paging on gives
 * ::VW_BRIDGE_MODE_32. This is vmi-rs's `effective_address_width()` (0, 8,
 * 4), combinations the processor forbids included (they are not checked).
 *
 * @param cpu the state at the trap; NULL gives ::VW_BRIDGE_MODE_OTHER.
 * @return the mode to store in vw_bridge_regs::mode.
 */
enum vw_bridge_mode vw_bridge_mode_of(const struct vw_bridge_cpu_mode *cpu);

/**
 * @brief A plain snapshot of the AMD64 general-purpose registers, RIP and the mode.
 *
 * The caller fills it from its hypervisor's event (or builds it by hand) and
 * copies it back to the vCPU after vw_bridge_write_response(). Registers are
 * always held as full 64-bit values, also in 32-bit mode (where the guest sees
 * only the low halves).
 */
struct vw_bridge_regs {
    uint64_t rax; /**< RAX (EAX in 32-bit mode) */
    uint64_t rbx; /**< RBX (EBX) */
    uint64_t rcx; /**< RCX (ECX) */
    uint64_t rdx; /**< RDX (EDX) */
    uint64_t rsi; /**< RSI (ESI) */
    uint64_t rdi; /**< RDI (EDI) */
    uint64_t rbp; /**< RBP (EBP) */
    uint64_t rsp; /**< RSP (ESP) */
    uint64_t r8;  /**< R8 (not visible in 32-bit mode) */
    uint64_t r9;  /**< R9 */
    uint64_t r10; /**< R10 */
    uint64_t r11; /**< R11 */
    uint64_t r12; /**< R12 */
    uint64_t r13; /**< R13 */
    uint64_t r14; /**< R14 */
    uint64_t r15; /**< R15 */
    uint64_t rip; /**< instruction pointer: the address of the trapping instruction */
    enum vw_bridge_mode mode; /**< execution mode at the trap */
};

/**
 * @brief Which trapping instruction carried the packet (BR-TRIG-1).
 *
 * The numbering starts at 1 so that a zero-filled argument is rejected.
 */
enum vw_bridge_trigger {
    /** VMCALL issued as a Xen guest request (HVMOP_guest_request_vm_event); the current transport. */
    VW_BRIDGE_VMCALL = 1,
    /** CPUID with the magic as leaf; the legacy transport. */
    VW_BRIDGE_CPUID = 2
};

/** @brief Length in bytes of the VMCALL instruction (0F 01 C1), the RIP advance after a VMCALL trap. */
#define VW_BRIDGE_VMCALL_LEN 3u
/** @brief Length in bytes of the CPUID instruction (0F A2), the RIP advance after a CPUID trap. */
#define VW_BRIDGE_CPUID_LEN 2u
/** @brief Longest x86 instruction, in bytes: the largest RIP advance vw_bridge_write_response() accepts. */
#define VW_BRIDGE_MAX_INSN_LEN 15u

/* ---- packets and responses ------------------------------------------------ */

/**
 * @brief A request packet as read from the registers (BR-PKT-1).
 *
 * `values[0]` is value1, ..., `values[3]` is value4.
 */
struct vw_bridge_packet {
    uint32_t magic;     /**< protocol identifier chosen by the guest program */
    uint16_t request;   /**< selects the handler */
    uint16_t method;    /**< sub-operation inside the handler; not used for routing */
    uint64_t values[4]; /**< value1..value4, handler-specific payload */
};

/**
 * @brief Bit of response slot / verify value @p n (1..4) in a presence mask.
 * @param n slot number, 1 to 4.
 */
#define VW_BRIDGE_SLOT(n) ((uint8_t)(1u << ((n) - 1)))
/** @brief Presence mask with all four slots set. */
#define VW_BRIDGE_SLOTS_ALL ((uint8_t)0x0f)

/**
 * @brief What a handler answers; see vw_bridge_write_response() for where it goes.
 *
 * Zero-initialise it (`= {0}`): no slot present, no result.
 */
struct vw_bridge_response {
    uint64_t values[4]; /**< value1..value4 (RAX, RBX, RCX, RDX); only present slots are used */
    uint8_t present;    /**< presence mask: bit n-1 (::VW_BRIDGE_SLOT(n)) set = value n present; higher bits ignored */
    bool has_result;    /**< true: the handler finished the conversation with @ref result (BR-RESP-5) */
    uint64_t result;    /**< completion result, meaningful only when @ref has_result is true */
};

/* ---- handlers and the dispatch table ------------------------------------- */

/**
 * @brief A handler callback.
 *
 * Called by vw_bridge_dispatch() for the first handler that matches the
 * packet. @p response arrives zero-filled; the callback sets the slots it
 * answers and, optionally, the completion result.
 *
 * @param user the handler's @ref vw_bridge_handler::user pointer.
 * @param packet the request.
 * @param response where to put the answer.
 * @return ::VW_OK when it produced a response; ::VW_E_NO_RESPONSE when it
 *         gives none (typically an unknown method, BR-DISP-5); any other
 *         status is passed through by the dispatcher unchanged, except
 *         ::VW_E_NO_MATCH, which the dispatcher reports as ::VW_E_NO_RESPONSE.
 */
typedef vw_status (*vw_bridge_handle_fn)(void *user, const struct vw_bridge_packet *packet,
                                         struct vw_bridge_response *response);

/**
 * @brief One entry of a handler table (BR-DISP-1).
 */
struct vw_bridge_handler {
    bool has_magic;         /**< false: the handler accepts any magic (BR-DISP-2) */
    uint32_t magic;         /**< the magic it accepts, when @ref has_magic is true */
    uint16_t request;       /**< the request code it serves */
    uint8_t verify_present; /**< presence mask of @ref verify (::VW_BRIDGE_SLOT(n)); higher bits must be 0 */
    uint64_t verify[4];     /**< verify values 1..4, stamped over the response slots (BR-DISP-6) */
    vw_bridge_handle_fn handle; /**< the callback; must not be NULL */
    void *user;             /**< passed to @ref handle unchanged */
};

/**
 * @brief Number of index entries a table of @p n handlers needs.
 *
 * Twice the handler count: the index is a hash table that is never more than
 * half full. A constant expression when @p n is one, so it can size an array:
 * `struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(N)];`.
 * @param n number of handlers.
 */
#define VW_BRIDGE_INDEX_CAP(n) ((size_t)(n) * 2u)

/** @brief The most handlers one table may have (vw_bridge_table_init() refuses more). */
#define VW_BRIDGE_MAX_HANDLERS ((size_t)0x7fffffffu)

/**
 * @brief One slot of a table's lookup index. Treat the members as private.
 *
 * The caller provides an array of ::VW_BRIDGE_INDEX_CAP(n) of these to
 * vw_bridge_table_init(); the index lives in that array.
 */
struct vw_bridge_index_entry {
    uint64_t key; /**< private: request, magic kind and magic packed into one word, or "empty" */
    size_t pos;   /**< private: the first table position with this key, or a better one (see dispatch.c) */
};

/**
 * @brief A handler table plus its lookup index. Treat the members as private.
 *
 * Built by vw_bridge_table_init(). It refers to the caller's handler array
 * and index array, which must stay alive and unchanged (magic, has_magic,
 * request) as long as the table is used; callbacks, user pointers and verify
 * values may be changed in place. A lookup hashes the packet's (request,
 * magic) and its (request, any magic) and probes at most a fixed number of
 * index slots for each, a bound set by the table alone when it is built, so
 * no packet can make a lookup slower than that (O(1) for a given table).
 * Lookups never write to the table, so several threads (one per vCPU) may
 * dispatch through one table at the same time as far as the callbacks allow it.
 */
struct vw_bridge_table {
    const struct vw_bridge_handler *handlers; /**< private: the caller's handlers, in priority order */
    size_t count;                             /**< private: number of handlers */
    const struct vw_bridge_index_entry *index; /**< private: the hash index, @ref slots entries */
    size_t slots;                             /**< private: number of index slots in use */
    size_t max_probe;                         /**< private: the longest probe distance of any stored key */
};

/* ---- functions ------------------------------------------------------------ */

/**
 * @brief Read a packet out of a register snapshot (BR-REG-1 to BR-REG-6).
 *
 * The register map depends on the trigger and on `regs->mode`; registers
 * narrower than the packet field are masked as the rules say (bits 32..63 of
 * the magic and request/method registers are ignored; in 32-bit mode every
 * value is the low 32 bits of its register).
 *
 * @param regs the snapshot taken when the vCPU trapped.
 * @param trigger ::VW_BRIDGE_VMCALL or ::VW_BRIDGE_CPUID.
 * @param packet receives the packet; zero-filled on failure.
 * @return ::VW_OK; ::VW_E_BAD_MODE when `regs->mode` is neither 64 nor 32
 *         (BR-MODE-2); ::VW_E_INVALID_ARG for a NULL pointer or an unknown trigger.
 */
vw_status vw_bridge_read_packet(const struct vw_bridge_regs *regs, enum vw_bridge_trigger trigger,
                                struct vw_bridge_packet *packet);

/**
 * @brief Build a handler table and its lookup index in caller memory.
 *
 * Stores, for every distinct (request, magic) and (request, any magic) key of
 * the table, the position of the first handler with that key in an
 * open-addressed hash index, so that vw_bridge_table_find() finds, with at
 * most two short probes, exactly the handler a front-to-back scan of the
 * table would find (BR-DISP-3). Deterministic: the same handlers always give
 * the same index. Takes O(n) expected time and no memory besides @p index,
 * of which it uses the first ::VW_BRIDGE_INDEX_CAP(@p count) entries.
 *
 * Pass @p index NULL and @p index_cap 0 to ask for the size needed.
 *
 * @param table the table to set up; cleared on failure.
 * @param handlers the handlers in priority order (may be NULL when @p count is 0).
 * @param count number of handlers, at most ::VW_BRIDGE_MAX_HANDLERS.
 * @param index caller memory for the index (may be NULL when @p index_cap is 0).
 * @param index_cap number of entries @p index can hold; must be at least
 *                  ::VW_BRIDGE_INDEX_CAP(@p count).
 * @param index_needed receives ::VW_BRIDGE_INDEX_CAP(@p count), the number of
 *                     entries needed, on ::VW_OK and ::VW_E_NOSPACE (0 on other
 *                     failures); may be NULL.
 * @return ::VW_OK; ::VW_E_NOSPACE when @p index_cap is too small (the table
 *         is left cleared); ::VW_E_INVALID_ARG for a NULL pointer, more than
 *         ::VW_BRIDGE_MAX_HANDLERS handlers, a handler with a NULL callback or
 *         verify presence bits above slot 4.
 */
vw_status vw_bridge_table_init(struct vw_bridge_table *table, const struct vw_bridge_handler *handlers,
                               size_t count, struct vw_bridge_index_entry *index, size_t index_cap,
                               size_t *index_needed);

/**
 * @brief Find the first handler, in table order, that matches a magic and request code.
 *
 * A handler matches when its request code equals @p request and it either
 * has no magic or its magic equals @p magic (BR-DISP-2).
 *
 * @param table a table built by vw_bridge_table_init().
 * @param magic the packet's magic.
 * @param request the packet's request code.
 * @param pos receives the position of the handler in the table; the handler
 *            count when nothing matches.
 * @return ::VW_OK; ::VW_E_NO_MATCH when no handler matches;
 *         ::VW_E_INVALID_ARG for a NULL pointer.
 */
vw_status vw_bridge_table_find(const struct vw_bridge_table *table, uint32_t magic, uint16_t request,
                               size_t *pos);

/**
 * @brief Route a packet to its handler and stamp the handler's verify values.
 *
 * Calls the callback of the first matching handler only (BR-DISP-3). When it
 * answers, every verify value the handler has overwrites the response slot of
 * the same number and marks it present (BR-DISP-6).
 *
 * @param table a table built by vw_bridge_table_init().
 * @param packet the packet from vw_bridge_read_packet().
 * @param response receives the answer; zero-filled unless the result is ::VW_OK.
 * @param matched receives the position of the handler that was called, or the
 *                handler count when none matched; may be NULL.
 * @return ::VW_OK (handled); ::VW_E_NO_MATCH when no handler matches
 *         (BR-DISP-4); ::VW_E_NO_RESPONSE when the matching handler gave no
 *         response, later handlers are not tried (BR-DISP-5); another status
 *         returned by the callback, unchanged; ::VW_E_INVALID_ARG for a NULL pointer.
 */
vw_status vw_bridge_dispatch(const struct vw_bridge_table *table, const struct vw_bridge_packet *packet,
                             struct vw_bridge_response *response, size_t *matched);

/**
 * @brief Write a response into a register snapshot and optionally step over the trap.
 *
 * Present slot 1..4 → RAX, RBX, RCX, RDX as full 64-bit values, in every mode
 * and for both triggers (BR-RESP-1); an absent slot leaves its register as it
 * is (BR-RESP-2); no other register changes (BR-RESP-3). When @p insn_len is
 * not 0, RIP advances by it, modulo 2^64 (BR-RESP-4). The completion result is
 * not written anywhere.
 *
 * @param regs the snapshot to update (the same one the packet was read from).
 * @param response the answer; NULL writes no slot (RIP may still advance).
 * @param insn_len 0 to leave RIP alone, else the length of the trapping
 *                 instruction (::VW_BRIDGE_VMCALL_LEN, ::VW_BRIDGE_CPUID_LEN).
 * @return ::VW_OK; ::VW_E_INVALID_ARG when @p regs is NULL or @p insn_len
 *         exceeds ::VW_BRIDGE_MAX_INSN_LEN (nothing is written then).
 */
vw_status vw_bridge_write_response(struct vw_bridge_regs *regs, const struct vw_bridge_response *response,
                                   unsigned insn_len);

/**
 * @brief Read, dispatch and write in one call: the whole host side of one trap.
 *
 * Reads the packet (vw_bridge_read_packet()), dispatches it
 * (vw_bridge_dispatch()) and then, for the outcomes handled, no match and no
 * response, updates @p regs with vw_bridge_write_response(): the response
 * slots when handled, and the RIP advance by @p insn_len in all three
 * outcomes (BR-RESP-6). For any other failure @p regs is left unchanged.
 *
 * @param table a table built by vw_bridge_table_init().
 * @param regs the trapped vCPU's registers, updated in place.
 * @param trigger the trapping instruction.
 * @param insn_len RIP advance, 0 to leave RIP alone (at most ::VW_BRIDGE_MAX_INSN_LEN).
 * @param response receives the answer (read its completion result); zero-filled unless ::VW_OK.
 * @param matched receives the position of the handler called, or the handler
 *                count when none; may be NULL.
 * @return ::VW_OK, ::VW_E_NO_MATCH, ::VW_E_NO_RESPONSE as vw_bridge_dispatch();
 *         ::VW_E_BAD_MODE as vw_bridge_read_packet(); a callback's own status;
 *         ::VW_E_INVALID_ARG for a NULL pointer, an unknown trigger or a too-large @p insn_len.
 */
vw_status vw_bridge_serve(const struct vw_bridge_table *table, struct vw_bridge_regs *regs,
                          enum vw_bridge_trigger trigger, unsigned insn_len,
                          struct vw_bridge_response *response, size_t *matched);

/* ---- the status word -------------------------------------------------------- */

/**
 * @brief The status byte of a terminal result (BR-STAT-2).
 *
 * The names of the vmi-rs example convention. A reader of that convention
 * keeps any other byte as it is (vw_bridge_terminal_decode()); only vmwire's
 * own 64-bit layout (vw_bridge_status_unpack()) rejects it.
 */
enum vw_bridge_status_kind {
    VW_BRIDGE_KIND_SUCCESS = 0x00,        /**< the stage succeeded */
    VW_BRIDGE_KIND_WAITING = 0x01,        /**< the stage waits for the host */
    VW_BRIDGE_KIND_INVALID_PARAMS = 0xfd, /**< the stage got invalid parameters */
    VW_BRIDGE_KIND_OP_FAILED = 0xfe,      /**< an operation of the stage failed */
    VW_BRIDGE_KIND_ABORTED = 0xff         /**< the host or guest aborted the stage */
};

/**
 * @brief A terminal result in the vmi-rs example convention (BR-STAT-1), the default.
 *
 * The guest's exit call carries the packed word `stage | status << 8 |
 * code << 16` in value1 and its native error code in value2; the host hands
 * value1 on as the completion result and reads bits 0..23 of it, ignoring
 * everything above.
 */
struct vw_bridge_terminal {
    uint8_t stage;   /**< which stage of the guest program reports (bits 0..7 of value1) */
    uint8_t status;  /**< a ::vw_bridge_status_kind value or any other byte (bits 8..15) */
    uint8_t code;    /**< stage-specific error code (bits 16..23) */
    uint64_t native; /**< the native (OS) error code: value2, not part of the packed word */
};

/**
 * @brief Pack a terminal result into the word a guest sends in value1 (BR-STAT-1).
 *
 * The word is `stage | status << 8 | code << 16` (24 bits); @ref
 * vw_bridge_terminal::native is not part of it and travels in value2.
 *
 * @param t the result.
 * @return the packed word; 0 when @p t is NULL.
 */
uint64_t vw_bridge_terminal_encode(const struct vw_bridge_terminal *t);

/**
 * @brief Read a terminal result as the vmi-rs example host does (BR-STAT-1, BR-STAT-2).
 *
 * Takes stage, status and code from bits 0..7, 8..15 and 16..23 of @p value1
 * and ignores bits 24..63; keeps a status byte that has no name; takes the
 * native code from @p value2 unchanged. Never fails on a value.
 *
 * @param value1 the packed word (the exit call's value1, i.e. the completion result).
 * @param value2 the exit call's value2 (pass 0 when it is not at hand).
 * @param t receives the result.
 * @return ::VW_OK; ::VW_E_INVALID_ARG when @p t is NULL.
 */
vw_status vw_bridge_terminal_decode(uint64_t value1, uint64_t value2, struct vw_bridge_terminal *t);

/**
 * @brief The fields of a status word in vmwire's own 64-bit layout (BR-STAT-4).
 *
 * Not an upstream format: bits 0..7 stage, 8..15 kind, 16..23 the stage's
 * error code, 24..31 reserved (zero), 32..63 a 32-bit native error code.
 * Kept for programs written against earlier vmwire releases; the vmi-rs
 * example host reads only bits 0..23, so the native code is lost there. New
 * code uses ::vw_bridge_terminal.
 */
struct vw_bridge_status_word {
    uint8_t stage;   /**< which stage of the guest program reports (bits 0..7) */
    uint8_t kind;    /**< a ::vw_bridge_status_kind value (bits 8..15) */
    uint8_t error;   /**< stage-specific error code (bits 16..23) */
    uint32_t native; /**< native (OS) error code (bits 32..63) */
};

/**
 * @brief Pack status fields into vmwire's own 64-bit layout (BR-STAT-4).
 * @param w the fields (the kind is packed as given, even if unnamed).
 * @return the packed word; 0 when @p w is NULL.
 */
uint64_t vw_bridge_status_pack(const struct vw_bridge_status_word *w);

/**
 * @brief Unpack a word in vmwire's own 64-bit layout, strictly (BR-STAT-4).
 *
 * Stricter than the vmi-rs example host (which is vw_bridge_terminal_decode()).
 *
 * @param word the packed word, e.g. a completion result.
 * @param w receives the fields; zero-filled on failure.
 * @return ::VW_OK; ::VW_E_RESERVED when bits 24..31 are not zero;
 *         ::VW_E_BAD_ENUM when the kind byte is not a ::vw_bridge_status_kind;
 *         ::VW_E_INVALID_ARG when @p w is NULL.
 */
vw_status vw_bridge_status_unpack(uint64_t word, struct vw_bridge_status_word *w);

/* ---- the "VMIB" example convention --------------------------------------- */

/** @brief Magic of the vmi-rs example convention: ASCII "VMIB" read as a little-endian u32 (BR-STAT-3). */
#define VW_BRIDGE_VMIB_MAGIC 0x42494d56u
/** @brief Verify value 3 (RCX) of the example convention: ASCII "VMI-RS3!" as a little-endian u64. */
#define VW_BRIDGE_VMIB_VERIFY3 UINT64_C(0x213353522d494d56)
/** @brief Verify value 4 (RDX) of the example convention: ASCII "VMI-RS4!" as a little-endian u64. */
#define VW_BRIDGE_VMIB_VERIFY4 UINT64_C(0x213453522d494d56)
/** @brief Method number with which a guest of the example convention reports its exit status. */
#define VW_BRIDGE_VMIB_METHOD_EXIT 0xffffu
/** @brief Gate reply (value1): go on. */
#define VW_BRIDGE_VMIB_GATE_CONTINUE UINT64_C(0)
/** @brief Gate reply (value1): ask again later. */
#define VW_BRIDGE_VMIB_GATE_WAIT UINT64_C(1)
/** @brief Gate reply (value1): give up. */
#define VW_BRIDGE_VMIB_GATE_ABORT UINT64_C(0xffffffff)

#ifdef __cplusplus
}
#endif

#endif /* VMWIRE_BRIDGE_H */
