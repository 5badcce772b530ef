/* vmwire-bench: the VMI bridge host path with 1, 16 and 256 handlers.
 *
 * "serve" is the whole host side of one trap (vw_bridge_serve: read the
 * packet from the registers, dispatch, write the response and step RIP),
 * starting from a copy of the trapped vCPU's register snapshot (144 bytes);
 * "dispatch" is the handler lookup and call alone (vw_bridge_dispatch), with
 * a front-to-back scan of the same table as the naive peer. Each loop cycles
 * through 64 packets aimed at pseudo-randomly chosen handlers, so the lookup
 * cannot be learnt by the branch predictor from a single repeated key;
 * "dispatch_same_packet" repeats one packet (the predictable best case).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "vmwire/bridge.h"

#define MAX_HANDLERS 256
#define N_PACKETS 64
#define OTHER_MAGIC 0x51524d56u

struct br_ctx {
    size_t n;
    struct vw_bridge_handler handlers[MAX_HANDLERS];
    struct vw_bridge_index_entry index[VW_BRIDGE_INDEX_CAP(MAX_HANDLERS)];
    struct vw_bridge_table table;
    uint64_t tags[MAX_HANDLERS];
    struct vw_bridge_packet packets[N_PACKETS];
    struct vw_bridge_regs regs[N_PACKETS];
    size_t target[N_PACKETS];
};

static struct br_ctx br_ctxs[3];

static vw_status handle(void *user, const struct vw_bridge_packet *packet, struct vw_bridge_response *response)
{
    const uint64_t *tag = user;
    response->values[0] = *tag + packet->values[0];
    response->values[1] = packet->method;
    response->present = VW_BRIDGE_SLOT(1) | VW_BRIDGE_SLOT(2);
    return VW_OK;
}

static int br_serve(void *arg, uint64_t n)
{
    struct br_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t k = i % N_PACKETS, who;
        struct vw_bridge_response resp;
        struct vw_bridge_regs regs = c->regs[k]; /* the snapshot of this trap */
        vw_status st = vw_bridge_serve(&c->table, &regs, VW_BRIDGE_VMCALL, VW_BRIDGE_VMCALL_LEN, &resp, &who);
        bad |= st != VW_OK || who != c->target[k];
        BENCH_USE(regs.rax);
    }
    return bad;
}

static int br_dispatch(void *arg, uint64_t n)
{
    struct br_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t k = i % N_PACKETS, who;
        struct vw_bridge_response resp;
        vw_status st = vw_bridge_dispatch(&c->table, &c->packets[k], &resp, &who);
        bad |= st != VW_OK || who != c->target[k];
        BENCH_USE(resp.values[0]);
    }
    return bad;
}

/* The same packet every time: the lookup's branches become predictable. */
static int br_dispatch_one(void *arg, uint64_t n)
{
    struct br_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t who;
        struct vw_bridge_response resp;
        vw_status st = vw_bridge_dispatch(&c->table, &c->packets[0], &resp, &who);
        bad |= st != VW_OK || who != c->target[0];
        BENCH_USE(resp.values[0]);
    }
    return bad;
}

/* The naive peer: first match in table order, then the same verify stamping. */
static int br_linear(void *arg, uint64_t n)
{
    struct br_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t k = i % N_PACKETS, who = c->n;
        const struct vw_bridge_packet *p = &c->packets[k];
        struct vw_bridge_response resp;
        memset(&resp, 0, sizeof resp);
        for (size_t h = 0; h < c->n; h++) {
            const struct vw_bridge_handler *hd = &c->handlers[h];
            if (hd->request == p->request && (!hd->has_magic || hd->magic == p->magic)) {
                who = h;
                vw_status st = hd->handle(hd->user, p, &resp);
                bad |= st != VW_OK;
                for (int s = 0; s < 4; s++)
                    if (hd->verify_present & VW_BRIDGE_SLOT(s + 1)) {
                        resp.values[s] = hd->verify[s];
                        resp.present |= VW_BRIDGE_SLOT(s + 1);
                    }
                break;
            }
        }
        bad |= who != c->target[k];
        BENCH_USE(resp.values[0]);
    }
    return bad;
}

static const char *br_setup(struct br_ctx *c, size_t n)
{
    c->n = n;
    for (size_t i = 0; i < n; i++) {
        struct vw_bridge_handler *h = &c->handlers[i];
        memset(h, 0, sizeof *h);
        h->has_magic = i % 4 != 3;
        h->magic = i % 8 == 5 ? OTHER_MAGIC : VW_BRIDGE_VMIB_MAGIC;
        h->request = (uint16_t)((i * 7919u + 11u) & 0xffffu); /* distinct, not in table order */
        if (i % 2)
            h->verify_present = VW_BRIDGE_SLOT(3);
        h->verify[2] = VW_BRIDGE_VMIB_VERIFY3;
        c->tags[i] = (uint64_t)i << 32;
        h->handle = handle;
        h->user = &c->tags[i];
    }
    vw_status st = vw_bridge_table_init(&c->table, c->handlers, n, c->index, VW_BRIDGE_INDEX_CAP(MAX_HANDLERS), NULL);
    if (st != VW_OK)
        return bench_errf("vw_bridge_table_init: %s", vw_status_name(st));
    uint32_t x = 12345u;
    for (size_t k = 0; k < N_PACKETS; k++) {
        x = x * 1103515245u + 12345u;
        size_t t = (x >> 8) % n;
        const struct vw_bridge_handler *h = &c->handlers[t];
        c->target[k] = t;
        struct vw_bridge_packet *p = &c->packets[k];
        p->magic = h->has_magic ? h->magic : 0x12345678u;
        p->request = h->request;
        p->method = (uint16_t)k;
        for (int v = 0; v < 4; v++)
            p->values[v] = (uint64_t)k * 0x100000001ull + (uint64_t)v;
        struct vw_bridge_regs *r = &c->regs[k];
        memset(r, 0, sizeof *r);
        r->mode = VW_BRIDGE_MODE_64;
        r->rax = 0x22;
        r->rdi = 0x18;
        r->rcx = p->magic | UINT64_C(0xdead000000000000); /* high half ignored (BR-REG-1) */
        r->rdx = (uint64_t)p->request | (uint64_t)p->method << 16;
        r->r8 = p->values[0];
        r->r9 = p->values[1];
        r->r10 = p->values[2];
        r->r11 = p->values[3];
        r->rip = 0x401000;
        /* Self-check: the packet read back and the handler's answer in RAX/RBX. */
        struct vw_bridge_packet got;
        st = vw_bridge_read_packet(r, VW_BRIDGE_VMCALL, &got);
        if (st != VW_OK || memcmp(&got, p, sizeof got) != 0)
            return bench_errf("packet %zu does not read back: %s", k, vw_status_name(st));
        struct vw_bridge_regs tmp = *r;
        struct vw_bridge_response resp;
        size_t who;
        st = vw_bridge_serve(&c->table, &tmp, VW_BRIDGE_VMCALL, VW_BRIDGE_VMCALL_LEN, &resp, &who);
        if (st != VW_OK || who != t)
            return bench_errf("serve of packet %zu: %s, handler %zu (want %zu)", k, vw_status_name(st), who, t);
        uint64_t want_rcx = (t % 2) ? VW_BRIDGE_VMIB_VERIFY3 : r->rcx;
        if (tmp.rax != c->tags[t] + p->values[0] || tmp.rbx != p->method || tmp.rip != r->rip + 3 ||
            tmp.rcx != want_rcx || tmp.rdx != r->rdx || tmp.r8 != r->r8)
            return bench_errf("serve of packet %zu wrote unexpected registers", k);
        if ((t % 2) && resp.values[2] != VW_BRIDGE_VMIB_VERIFY3)
            return bench_errf("serve of packet %zu did not stamp verify3", k);
    }
    return NULL;
}

void bench_register_bridge(void)
{
    static const size_t counts[3] = {1, 16, 256};
    for (int i = 0; i < 3; i++) {
        struct br_ctx *c = &br_ctxs[i];
        const char *err = br_setup(c, counts[i]);
        char grp[112];
        snprintf(grp, sizeof grp, "bridge/serve/handlers_%zu", counts[i]);
        bench_add(grp, "vmwire", BENCH_REF, br_serve, c, 0, 1, err);
        snprintf(grp, sizeof grp, "bridge/dispatch/handlers_%zu", counts[i]);
        bench_add(grp, "vmwire", BENCH_REF, br_dispatch, c, 0, 1, err);
        bench_add(grp, "linear_scan", BENCH_PEER, br_linear, c, 0, 1, err);
        snprintf(grp, sizeof grp, "bridge/dispatch_same_packet/handlers_%zu", counts[i]);
        bench_add(grp, "vmwire", BENCH_REF, br_dispatch_one, c, 0, 1, err);
    }
}
