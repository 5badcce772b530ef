/* Shared by the bridge fuzz targets: registers from the input. */
#ifndef VW_FUZZ_BRIDGE_COMMON_H
#define VW_FUZZ_BRIDGE_COMMON_H

#include "vmwire/bridge.h"

#include "fuzz.h"

/* mode:u8 (0..3: 64, 32, 0, an undefined value), then the 17 registers as u64le. */
static inline void fuzz_bridge_regs(struct fz *f, struct vw_bridge_regs *r)
{
    static const int modes[4] = {VW_BRIDGE_MODE_64, VW_BRIDGE_MODE_32, VW_BRIDGE_MODE_OTHER, 16};
    memset(r, 0, sizeof *r);
    r->mode = (enum vw_bridge_mode)modes[fz_u8(f) & 3];
    uint64_t *g[17] = {&r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi, &r->rbp, &r->rsp, &r->r8,
                       &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15, &r->rip};
    for (int i = 0; i < 17; i++)
        *g[i] = fz_u64(f);
}

/* Everything but RAX..RDX and RIP must be untouched by a response (BR-RESP-3). */
static inline void fuzz_bridge_check_untouched(const struct vw_bridge_regs *a,
                                               const struct vw_bridge_regs *b)
{
    FUZZ_CHECK(a->rsi == b->rsi && a->rdi == b->rdi && a->rbp == b->rbp && a->rsp == b->rsp);
    FUZZ_CHECK(a->r8 == b->r8 && a->r9 == b->r9 && a->r10 == b->r10 && a->r11 == b->r11);
    FUZZ_CHECK(a->r12 == b->r12 && a->r13 == b->r13 && a->r14 == b->r14 && a->r15 == b->r15);
    FUZZ_CHECK(a->mode == b->mode);
}

/* The registers after writing @p resp with an advance of @p insn over @p before. */
static inline void fuzz_bridge_check_written(const struct vw_bridge_regs *before,
                                             const struct vw_bridge_regs *after,
                                             const struct vw_bridge_response *resp, unsigned insn)
{
    const uint64_t *b4[4] = {&before->rax, &before->rbx, &before->rcx, &before->rdx};
    const uint64_t *af[4] = {&after->rax, &after->rbx, &after->rcx, &after->rdx};
    fuzz_bridge_check_untouched(before, after);
    for (int i = 0; i < 4; i++) {
        uint64_t want = (resp && (resp->present & (1u << i))) ? resp->values[i] : *b4[i];
        if (*af[i] != want)
            FUZZ_FAIL("slot %d: register %#llx, want %#llx", i + 1, (unsigned long long)*af[i],
                      (unsigned long long)want);
    }
    FUZZ_CHECK(after->rip == before->rip + insn);
}

#endif /* VW_FUZZ_BRIDGE_COMMON_H */
