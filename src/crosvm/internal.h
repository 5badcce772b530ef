/* Internal to src/crosvm: generic field access on protoc-c messages, so that
 * one piece of code serves both schema revisions (their messages differ in
 * field numbers, not in shape), and the per-revision field numbers. */
#ifndef VW_CROSVM_INTERNAL_H
#define VW_CROSVM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "vmwire/crosvm.h"

/* ---- generic access (a NULL message reads as empty) ---------------------- */

/* The member number set in the message's oneof (each crosvm message has at
 * most one oneof); 0 when unset or when the message has none. */
uint32_t vw_crosvm__case(const ProtobufCMessage *m);
/* Sub-message field @p num (a oneof member only when it is the set member). */
const ProtobufCMessage *vw_crosvm__sub(const ProtobufCMessage *m, uint32_t num);
/* Scalar field @p num (integer types, enum, bool) widened to 64 bits; sint32
 * and enum values are sign-extended. Absent: 0. */
uint64_t vw_crosvm__u64(const ProtobufCMessage *m, uint32_t num);
/* Bytes field @p num; absent: {0, NULL}. */
ProtobufCBinaryData vw_crosvm__bytes(const ProtobufCMessage *m, uint32_t num);
/* Element count of repeated field @p num. */
size_t vw_crosvm__count(const ProtobufCMessage *m, uint32_t num);
/* Element @p i of a repeated message field. */
const ProtobufCMessage *vw_crosvm__elem(const ProtobufCMessage *m, uint32_t num, size_t i);
/* Whether the enum of field @p num names @p value. */
int vw_crosvm__enum_named(const ProtobufCMessage *m, uint32_t num, int32_t value);

/* ---- field numbers that differ between the revisions --------------------- */

struct vw_crosvm__nums {
    /* MainRequest oneof members (0: not in this revision) */
    uint32_t create, destroy, new_connection, get_shutdown_eventfd, check_extension,
        get_supported_cpuid, get_emulated_cpuid, get_msr_index_list, get_net_config,
        reserve_range, set_irq, set_irq_routing, get_state, set_state, set_identity_map_addr,
        pause_vcpus, get_vcpus, start, set_call_hint, dirty_log;
    uint32_t max_request;   /* largest MainRequest member number below dirty_log */
    /* VcpuRequest members */
    uint32_t v_wait, v_resume, v_get_state, v_set_state, v_get_msrs, v_set_msrs, v_set_cpuid,
        v_shutdown, v_get_hyperv_cpuid, v_enable_capability;
    uint32_t io_data;       /* VcpuResponse.Wait.Io.data */
    uint32_t io_no_resume;  /* VcpuResponse.Wait.Io.no_resume (0: none) */
};

const struct vw_crosvm__nums *vw_crosvm__nums(enum vw_crosvm_revision rev);

/* MainResponse member answering MainRequest member @p req. */
uint32_t vw_crosvm__main_answer(uint32_t req);
/* VcpuResponse member answering VcpuRequest member @p req (0: no answer). */
uint32_t vw_crosvm__vcpu_answer(enum vw_crosvm_revision rev, uint32_t req);

/* Protobuf varint / zig-zag helpers for the few answers engines write. */
size_t vw_crosvm__put_varint(uint8_t *out, uint64_t v);
uint32_t vw_crosvm__zigzag32(int32_t v);

/* An engine-made answer: errno (positive; written with the revision's sign
 * for crosvm's own refusals), then an empty member @p field (0: none). */
size_t vw_crosvm__answer(uint8_t *out, enum vw_crosvm_revision rev, int32_t err, uint32_t field);
/* The same with the errno exactly as it goes on the wire. */
size_t vw_crosvm__answer_wire(uint8_t *out, int32_t wire, uint32_t field);
/* Whether an enum field anywhere in @p m holds an unnamed value. */
int vw_crosvm__unnamed_enum(const ProtobufCMessage *m);
/* crosvm's rust-protobuf view of a message (CV-PB-18): the bytes Google's
 * decoder must see to decode as rust-protobuf does (the input itself when
 * nothing differs, else a copy in @p arena); VW_E_BAD_WIRE_TYPE (seed) at
 * *off; VW_E_NOMEM. */
vw_status vw_crosvm__rust_view(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind, const uint8_t *in,
                               size_t len, struct vw_arena *arena, const uint8_t **view, size_t *view_len,
                               size_t *off);

/* The magnitude of an errno as the events report it. INT32_MIN has no
 * positive int32_t counterpart; it saturates to INT32_MAX (still non-zero,
 * so still an error) instead of overflowing. */
static inline int32_t vw_crosvm__errno_abs(int32_t e)
{
    return e == INT32_MIN ? INT32_MAX : e < 0 ? -e : e;
}

/* Field numbers inside crosvm's sub-messages, the same in the seed and final
 * schemas (proto/crosvm/{seed,final}/plugin.proto), so that the engines name
 * fields rather than test numbers. The oneof numbers that differ by revision
 * are in struct vw_crosvm__nums. */
enum {
    VW_CROSVM__F_ERRNO = 1,          /* MainResponse.errno_, VcpuResponse.errno_ */
    VW_CROSVM__F_RESP_WAIT = 2,      /* VcpuResponse.wait */
    VW_CROSVM__F_OBJ_ID = 1,         /* Create.id, Destroy.id, MemoryDirtyLog.id */
    VW_CROSVM__F_CTOR_NONE = 0,      /* Create: no constructor set */
    VW_CROSVM__F_CTOR_MEMORY = 3,    /* Create.memory (the one constructor with an fd) */
    VW_CROSVM__F_MEM_OFFSET = 1,     /* Create.Memory */
    VW_CROSVM__F_MEM_START = 2,
    VW_CROSVM__F_MEM_LENGTH = 3,
    VW_CROSVM__F_MEM_DIRTY_LOG = 5,
    VW_CROSVM__F_RANGE_SPACE = 1,    /* ReserveRange */
    VW_CROSVM__F_RANGE_START = 2,
    VW_CROSVM__F_RANGE_LENGTH = 3,
    VW_CROSVM__F_RANGE_ASYNC = 4,    /* final only */
    VW_CROSVM__F_PAUSE_MASK = 1,     /* PauseVcpus.cpu_mask */
    VW_CROSVM__F_PAUSE_USER = 2,     /* PauseVcpus.user */
    VW_CROSVM__F_HINT_SPACE = 1,     /* SetCallHint */
    VW_CROSVM__F_HINT_ADDRESS = 2,
    VW_CROSVM__F_HINT_ON_WRITE = 3,
    VW_CROSVM__F_HINT_DETAILS = 4,   /* SetCallHint.hints (RegHint) */
    VW_CROSVM__F_REG_MATCH_RAX = 1,  /* RegHint.match_rax .. match_rdx are 1 .. 4 */
    VW_CROSVM__F_REG_RAX = 5,        /* RegHint.rax .. rdx are 5 .. 8 */
    VW_CROSVM__F_REG_SEND_SREGS = 9,
    VW_CROSVM__F_REG_SEND_DEBUGREGS = 10,
    VW_CROSVM__F_WAIT_INIT = 1,      /* VcpuResponse.Wait exits */
    VW_CROSVM__F_WAIT_IO = 2,
    VW_CROSVM__F_WAIT_USER = 3,
    VW_CROSVM__F_IO_SPACE = 1,       /* VcpuResponse.Wait.Io */
    VW_CROSVM__F_IO_ADDRESS = 2,
    VW_CROSVM__F_IO_IS_WRITE = 3,
    VW_CROSVM__F_CAP_NUMBER = 1,     /* VcpuRequest.EnableCapability.capability */
    VW_CROSVM__F_STATE_SET = 1,      /* GetState.set / VcpuRequest.GetState.set */
    VW_CROSVM__F_MSR_INDICES = 1     /* VcpuRequest.GetMsrs.entry_indices */
};

#endif /* VW_CROSVM_INTERNAL_H */
