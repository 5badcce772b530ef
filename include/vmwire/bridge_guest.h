/**
 * @file bridge_guest.h
 * @brief VMI bridge, guest side: send a packet to the host and check its reply.
 *
 * Header-only and freestanding: it needs nothing but the compiler's own
 * `<stddef.h>` and `<stdint.h>` (no libc, no libvmwire), so shellcode, boot
 * code and kernel code can include it and build with `-ffreestanding
 * -nostdlib`. The header calls no library function; GCC and Clang may still
 * emit calls to memcpy/memset for struct copies in any freestanding program,
 * which must then define them. The transports use GCC/Clang inline assembly
 * and exist for x86-64 code (64-bit mode) only. `spec/bridge.md`, rules
 * `BR-GUEST-*`, gives the register sequences they implement and what the host
 * does with them.
 *
 * Example (the vmi-rs "VMIB" convention, verify values 3 and 4):
 * @code
 * struct vw_bridge_guest_packet p = { VW_BRIDGE_GUEST_VMIB_MAGIC, 0x0001, 0x0001, { 0, 0, 0, 0 } };
 * struct vw_bridge_guest_verify v = { VW_BRIDGE_GUEST_SLOT(3) | VW_BRIDGE_GUEST_SLOT(4),
 *     { 0, 0, VW_BRIDGE_GUEST_VMIB_VERIFY3, VW_BRIDGE_GUEST_VMIB_VERIFY4 } };
 * struct vw_bridge_guest_reply r;
 * if (vw_bridge_guest_send(VW_BRIDGE_GUEST_VMCALL, &p, &v, &r))
 *     use(r.values[0]);   // RAX: the host's value1
 * @endcode
 *
 * A VMCALL that no host answers returns to the guest as an ordinary Xen
 * hypercall (RAX = its return code, argument registers possibly clobbered),
 * and a CPUID that no host answers returns the processor's CPUID data. Only
 * the verify values tell a real answer apart (BR-GUEST-4), so a guest program
 * should always check them.
 */
#ifndef VMWIRE_BRIDGE_GUEST_H
#define VMWIRE_BRIDGE_GUEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Xen hypercall number of `__HYPERVISOR_hvm_op`, loaded into RAX for the VMCALL transport. */
#define VW_BRIDGE_GUEST_XEN_HVM_OP 0x22u
/** @brief Xen `HVMOP_guest_request_vm_event` sub-operation, loaded into RDI for the VMCALL transport. */
#define VW_BRIDGE_GUEST_XEN_GUEST_REQUEST 0x18u

/** @brief Magic of the vmi-rs example convention: ASCII "VMIB" as a little-endian u32. */
#define VW_BRIDGE_GUEST_VMIB_MAGIC 0x42494d56u
#if UINTPTR_MAX > 0xffffffffu || defined(VW_DOXYGEN)
/** @brief Verify value 3 (RCX) of the example convention: ASCII "VMI-RS3!" as a little-endian u64
 *  (in a 32-bit build its low half, 0x2d494d56, all that ECX shows 32-bit code). */
#define VW_BRIDGE_GUEST_VMIB_VERIFY3 0x213353522d494d56ull
/** @brief Verify value 4 (RDX) of the example convention: ASCII "VMI-RS4!" as a little-endian u64
 *  (in a 32-bit build its low half, 0x2d494d56, the same as verify value 3's). */
#define VW_BRIDGE_GUEST_VMIB_VERIFY4 0x213453522d494d56ull
#else
/* 32-bit build: the low halves, all that ECX and EDX show 32-bit code (both read "VMI-"). */
#define VW_BRIDGE_GUEST_VMIB_VERIFY3 0x2d494d56u
#define VW_BRIDGE_GUEST_VMIB_VERIFY4 0x2d494d56u
#endif

/**
 * @brief Bit of reply slot / verify value @p n (1..4) in a presence mask.
 * @param n slot number, 1 to 4.
 */
#define VW_BRIDGE_GUEST_SLOT(n) ((uint8_t)(1u << ((n) - 1)))

/**
 * @brief A request packet (BR-PKT-1), laid out as the vmi-rs guest helper lays it out (BR-PKT-5).
 *
 * The values are pointer-sized, as upstream's `uintptr_t`. Offsets in a
 * 64-bit build: magic 0, request 4, method 6, values 8, 16, 24, 32 (40
 * bytes); in a 32-bit build: values 8, 12, 16, 20 (24 bytes).
 */
struct vw_bridge_guest_packet {
    uint32_t magic;      /**< protocol identifier the host's handlers check */
    uint16_t request;    /**< selects the host handler */
    uint16_t method;     /**< sub-operation inside the handler */
    uintptr_t values[4]; /**< value1..value4 (R8..R11 in 64-bit code) */
};

/**
 * @brief The registers the host answers in (BR-RESP-1): value1..4 = RAX, RBX, RCX, RDX.
 *
 * Pointer-sized like the packet's values (offsets 0, 8, 16, 24 in a 64-bit
 * build, 0, 4, 8, 12 in a 32-bit one): 32-bit code sees EAX, EBX, ECX, EDX.
 */
struct vw_bridge_guest_reply {
    uintptr_t values[4]; /**< RAX, RBX, RCX, RDX after the trapping instruction */
};

/**
 * @brief The verify values a guest expects in a genuine reply (BR-GUEST-4).
 */
struct vw_bridge_guest_verify {
    uint8_t present;     /**< mask of the slots to check (::VW_BRIDGE_GUEST_SLOT(n)); 0 checks nothing */
    uintptr_t values[4]; /**< expected value of slot n in `values[n-1]` */
};

/** @brief Which trapping instruction carries the packet. */
enum vw_bridge_guest_transport {
    VW_BRIDGE_GUEST_VMCALL = 1, /**< VMCALL as a Xen guest request (BR-GUEST-1) */
    VW_BRIDGE_GUEST_CPUID = 2   /**< CPUID, the legacy transport (BR-GUEST-2) */
};

#if !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(offsetof(struct vw_bridge_guest_packet, request) == 4, "packet layout");
_Static_assert(offsetof(struct vw_bridge_guest_packet, method) == 6, "packet layout");
_Static_assert(offsetof(struct vw_bridge_guest_packet, values) == 8, "packet layout");
_Static_assert(sizeof(struct vw_bridge_guest_packet) == 8 + 4 * sizeof(uintptr_t), "packet layout");
#endif

/**
 * @brief Whether a reply carries the expected verify values.
 * @param reply the reply registers.
 * @param verify the expected values; NULL checks nothing.
 * @return 1 when every slot selected in `verify->present` equals its expected value, else 0.
 */
static inline int vw_bridge_guest_verified(const struct vw_bridge_guest_reply *reply,
                                           const struct vw_bridge_guest_verify *verify)
{
    if (!verify)
        return 1;
    for (unsigned n = 0; n < 4; n++)
        if ((verify->present & (1u << n)) && reply->values[n] != verify->values[n])
            return 0;
    return 1;
}

/**
 * @brief Pack a terminal status word as the vmi-rs example guests do (BR-STAT-1), the default.
 *
 * The exit call (method 0xffff) sends this word in value1 and the native
 * error code in value2: `p.values[0] = vw_bridge_guest_packed_status(...);
 * p.values[1] = native;`.
 *
 * @param stage bits 0..7.
 * @param status bits 8..15 (0 success, 1 waiting, 0xfd invalid parameters, 0xfe failed, 0xff aborted).
 * @param code bits 16..23, the stage's own error code.
 * @return `stage | status << 8 | code << 16`; bits 24 and up are 0.
 */
static inline uintptr_t vw_bridge_guest_packed_status(uint8_t stage, uint8_t status, uint8_t code)
{
    return (uintptr_t)stage | (uintptr_t)status << 8 | (uintptr_t)code << 16;
}

/**
 * @brief Pack a status word in vmwire's own 64-bit layout (BR-STAT-4), kept for compatibility.
 *
 * Not the upstream convention: the native code goes into bits 32..63, which
 * the vmi-rs example host ignores, so a native code sent this way is lost
 * there. Use vw_bridge_guest_packed_status() with the native code in value2.
 *
 * @param stage bits 0..7.
 * @param kind bits 8..15.
 * @param error bits 16..23.
 * @param native bits 32..63.
 * @return the packed word; bits 24..31 are 0.
 */
static inline uint64_t vw_bridge_guest_status(uint8_t stage, uint8_t kind, uint8_t error, uint32_t native)
{
    return (uint64_t)stage | (uint64_t)kind << 8 | (uint64_t)error << 16 | (uint64_t)native << 32;
}

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
/** @brief Defined to 1 when this header provides the transports (GCC/Clang targeting x86-64). */
#define VW_BRIDGE_GUEST_HAVE_TRANSPORT 1

/**
 * @brief Send a packet with VMCALL as a Xen guest request (64-bit code, BR-GUEST-1).
 *
 * Loads RAX = 0x22 (hvm_op), RDI = 0x18 (guest request), RSI = 0 (no
 * argument), ECX = magic, EDX = request | method << 16, R8..R11 = values,
 * then executes VMCALL. Like the vmi-rs stub (BR-GUEST-8) it does not load
 * RBX: the host's snapshot shows whatever RBX held. The caller's registers
 * survive as the C ABI promises (the compiler saves RBX, RSI and RDI where
 * it must, as the stub does by hand); RSI, RDI and R8..R11 are treated as
 * clobbered inside (Xen may scratch argument registers when it handles the
 * call itself), and memory as clobbered (a host handler may write guest memory).
 *
 * @param packet the request.
 * @param reply receives RAX, RBX, RCX, RDX afterwards; may be NULL.
 * @return RAX after the instruction.
 */
static inline uint64_t vw_bridge_guest_vmcall(const struct vw_bridge_guest_packet *packet,
                                              struct vw_bridge_guest_reply *reply)
{
    uint64_t rax = VW_BRIDGE_GUEST_XEN_HVM_OP;
    uint64_t rbx; /* not loaded (BR-GUEST-8) */
    uint64_t rcx = packet->magic;
    uint64_t rdx = (uint64_t)packet->request | (uint64_t)packet->method << 16;
    uint64_t rsi = 0;
    uint64_t rdi = VW_BRIDGE_GUEST_XEN_GUEST_REQUEST;
    register uint64_t r8 __asm__("r8") = packet->values[0];
    register uint64_t r9 __asm__("r9") = packet->values[1];
    register uint64_t r10 __asm__("r10") = packet->values[2];
    register uint64_t r11 __asm__("r11") = packet->values[3];
    __asm__ __volatile__("vmcall"
                         : "+a"(rax), "=b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi), "+D"(rdi),
                           "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11)
                         :
                         : "memory", "cc");
    if (reply) {
        reply->values[0] = rax;
        reply->values[1] = rbx;
        reply->values[2] = rcx;
        reply->values[3] = rdx;
    }
    return rax;
}

/**
 * @brief Send a packet with CPUID, the legacy transport (64-bit code, BR-GUEST-2).
 *
 * Loads EAX = magic (the CPUID leaf), ECX = request | method << 16 (the
 * subleaf), R8..R11 = values, then executes CPUID. Like the vmi-rs stub it
 * loads neither RBX nor RDX (BR-GUEST-8). Without a host listening the reply
 * is the processor's CPUID data for that leaf.
 *
 * @param packet the request.
 * @param reply receives RAX, RBX, RCX, RDX afterwards; may be NULL.
 * @return RAX after the instruction.
 */
static inline uint64_t vw_bridge_guest_cpuid(const struct vw_bridge_guest_packet *packet,
                                             struct vw_bridge_guest_reply *reply)
{
    uint64_t rax = packet->magic;
    uint64_t rbx, rdx; /* not loaded (BR-GUEST-8) */
    uint64_t rcx = (uint64_t)packet->request | (uint64_t)packet->method << 16;
    register uint64_t r8 __asm__("r8") = packet->values[0];
    register uint64_t r9 __asm__("r9") = packet->values[1];
    register uint64_t r10 __asm__("r10") = packet->values[2];
    register uint64_t r11 __asm__("r11") = packet->values[3];
    __asm__ __volatile__("cpuid"
                         : "+a"(rax), "=b"(rbx), "+c"(rcx), "=d"(rdx),
                           "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11)
                         :
                         : "memory", "cc");
    if (reply) {
        reply->values[0] = rax;
        reply->values[1] = rbx;
        reply->values[2] = rcx;
        reply->values[3] = rdx;
    }
    return rax;
}

/**
 * @brief Send a packet over a transport and check the reply's verify values.
 *
 * @param transport ::VW_BRIDGE_GUEST_VMCALL or ::VW_BRIDGE_GUEST_CPUID.
 * @param packet the request.
 * @param verify the verify values a genuine reply carries; NULL accepts any reply.
 * @param reply receives RAX, RBX, RCX, RDX afterwards (also when the check fails); may be NULL.
 * @return 1 when the reply passed the check, 0 when it did not (no host
 *         answered, or another handler did) or @p transport is unknown.
 */
static inline int vw_bridge_guest_send(enum vw_bridge_guest_transport transport,
                                       const struct vw_bridge_guest_packet *packet,
                                       const struct vw_bridge_guest_verify *verify,
                                       struct vw_bridge_guest_reply *reply)
{
    struct vw_bridge_guest_reply local;
    if (!reply)
        reply = &local;
    if (transport == VW_BRIDGE_GUEST_VMCALL)
        (void)vw_bridge_guest_vmcall(packet, reply);
    else if (transport == VW_BRIDGE_GUEST_CPUID)
        (void)vw_bridge_guest_cpuid(packet, reply);
    else
        return 0;
    return vw_bridge_guest_verified(reply, verify);
}
#endif /* GCC/Clang on x86-64 */

#ifdef __cplusplus
}
#endif

#endif /* VMWIRE_BRIDGE_GUEST_H */
