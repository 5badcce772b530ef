/* VMI bridge: the handler table, its lookup index and the dispatcher
 * (spec/bridge.md, BR-DISP-*).
 *
 * Keys. A handler's key is
 *     request << 33 | 1 << 32 | magic    when it has a magic ("exact" key),
 *     request << 33                      when it has none ("wildcard" key).
 * For a packet (magic m, request r) the first handler in table order that
 * matches is the earlier of the first handler with exact key (r, m) and the
 * first handler with wildcard key r (BR-DISP-2/3).
 *
 * The index. An open-addressed hash table with linear probing over
 * VW_BRIDGE_INDEX_CAP(count) = 2 * count slots (so at most half full), one
 * slot per distinct key. A wildcard slot holds the position of the first
 * handler with that key. An exact slot holds the smaller of the first
 * position with that exact key and the first position with the wildcard key
 * of its request: the answer for a packet carrying that key, so a packet
 * whose exact key is stored needs one probe. Only when the exact key is not
 * stored does the lookup probe the wildcard key.
 *
 * Probe bound. The keys are fixed when the table is built, so init records
 * the largest distance of any stored key from its home slot (max_probe).
 * A lookup looks at no more than max_probe + 1 slots per key: a stored key is
 * never further away, and past that point nothing can match. What a guest
 * puts into a packet therefore cannot make a lookup longer than the host's
 * own table allows; it only picks which of the (short) runs is walked.
 *
 * The hash is multiplicative (Fibonacci hashing, top 32 bits of key * an odd
 * 64-bit constant), reduced to a slot by multiply-and-shift, so the slot
 * count need not be a power of two. No seed and no state: init is
 * deterministic. */
#include <string.h>

#include "vmwire/bridge.h"
#include "bridge/internal.h"

#define EXACT_BIT ((uint64_t)1 << 32)
#define EMPTY_KEY UINT64_MAX /* no real key has bits 49..63 set */
#define NOT_FOUND SIZE_MAX
#define HASH_MUL UINT64_C(0x9e3779b97f4a7c15)

/* The index of an empty table: one empty slot, so lookups need no special case. */
static const struct vw_bridge_index_entry empty_index[1] = { { EMPTY_KEY, SIZE_MAX } };

static inline uint64_t exact_key(uint16_t request, uint32_t magic)
{
    return (uint64_t)request << 33 | EXACT_BIT | magic;
}

static inline uint64_t wild_key(uint16_t request)
{
    return (uint64_t)request << 33;
}

static inline uint64_t handler_key(const struct vw_bridge_handler *h)
{
    return h->has_magic ? exact_key(h->request, h->magic) : wild_key(h->request);
}

/* Home slot of a key; slots <= 2^32. */
static inline size_t home_slot(uint64_t key, size_t slots)
{
    uint64_t h = (key * HASH_MUL) >> 32;
    return (size_t)((h * (uint64_t)slots) >> 32);
}

/* The pos stored for key, or NOT_FOUND; at most max_probe + 1 slots. */
static inline size_t probe(const struct vw_bridge_index_entry *idx, size_t slots, size_t max_probe,
                           uint64_t key)
{
    size_t i = home_slot(key, slots);
    for (size_t d = 0;; d++) {
        const struct vw_bridge_index_entry *e = &idx[i];
        if (e->key == key)
            return e->pos;
        if (e->key == EMPTY_KEY || d == max_probe)
            return NOT_FOUND;
        i = i + 1 == slots ? 0 : i + 1;
    }
}

/* Stores key -> pos unless the key is already there (an earlier handler
 * wins); keeps *max_probe up to date. There is always a free slot. */
static void insert(struct vw_bridge_index_entry *idx, size_t slots, size_t *max_probe, uint64_t key,
                   size_t pos)
{
    size_t i = home_slot(key, slots);
    for (size_t d = 0;; d++) {
        struct vw_bridge_index_entry *e = &idx[i];
        if (e->key == key)
            return;
        if (e->key == EMPTY_KEY) {
            e->key = key;
            e->pos = pos;
            if (d > *max_probe)
                *max_probe = d;
            return;
        }
        i = i + 1 == slots ? 0 : i + 1;
    }
}

vw_status vw_bridge_table_init(struct vw_bridge_table *table, const struct vw_bridge_handler *handlers,
                               size_t count, struct vw_bridge_index_entry *index, size_t index_cap,
                               size_t *index_needed)
{
    if (index_needed)
        *index_needed = 0;
    if (!table)
        return VW_E_INVALID_ARG;
    memset(table, 0, sizeof *table);
    if (count > VW_BRIDGE_MAX_HANDLERS || (count > 0 && !handlers) || (index_cap > 0 && !index))
        return VW_E_INVALID_ARG;
    for (size_t i = 0; i < count; i++)
        if (!handlers[i].handle || (handlers[i].verify_present & ~VW_BRIDGE_SLOTS_ALL))
            return VW_E_INVALID_ARG;
    size_t slots = VW_BRIDGE_INDEX_CAP(count); /* <= 2^32 */
    if (index_needed)
        *index_needed = slots;
    if (index_cap < slots)
        return VW_E_NOSPACE;

    size_t max_probe = 0;
    for (size_t i = 0; i < slots; i++) {
        index[i].key = EMPTY_KEY;
        index[i].pos = NOT_FOUND;
    }
    for (size_t i = 0; i < count; i++) /* in table order: the first of each key stays */
        insert(index, slots, &max_probe, handler_key(&handlers[i]), i);
    /* An exact slot answers for its packets on its own: fold in the wildcard
     * of the same request when that comes first. The wildcard probes only
     * read wildcard slots, which this loop does not change. */
    for (size_t i = 0; i < slots; i++) {
        uint64_t k = index[i].key;
        if (k == EMPTY_KEY || !(k & EXACT_BIT))
            continue;
        size_t w = probe(index, slots, max_probe, k & ~(EXACT_BIT | UINT32_MAX));
        if (w < index[i].pos)
            index[i].pos = w;
    }
    table->handlers = handlers;
    table->count = count;
    table->index = count ? index : empty_index;
    table->slots = count ? slots : 1;
    table->max_probe = max_probe;
    return VW_OK;
}

/* Position of the first matching handler, or t->count. */
static inline size_t lookup(const struct vw_bridge_table *t, uint32_t magic, uint16_t request)
{
    const struct vw_bridge_index_entry *idx = t->index;
    size_t slots = t->slots, limit = t->max_probe;
    uint64_t key = exact_key(request, magic);
    size_t i = home_slot(key, slots);
    for (size_t d = 0;; d++) { /* the exact slot holds the answer when it exists */
        if (idx[i].key == key)
            return idx[i].pos;
        if (idx[i].key == EMPTY_KEY || d == limit)
            break;
        i = i + 1 == slots ? 0 : i + 1;
    }
    key = wild_key(request);
    i = home_slot(key, slots);
    for (size_t d = 0;; d++) {
        if (idx[i].key == key)
            return idx[i].pos;
        if (idx[i].key == EMPTY_KEY || d == limit)
            return t->count;
        i = i + 1 == slots ? 0 : i + 1;
    }
}

vw_status vw_bridge_table_find(const struct vw_bridge_table *table, uint32_t magic, uint16_t request,
                               size_t *pos)
{
    if (!table || !pos)
        return VW_E_INVALID_ARG;
    *pos = lookup(table, magic, request);
    return *pos == table->count ? VW_E_NO_MATCH : VW_OK;
}

/* Dispatch with valid pointers. The callback works on the caller's response
 * (cleared first) and sees the caller's packet (it is const for it). */
static inline vw_status dispatch(const struct vw_bridge_table *table, const struct vw_bridge_packet *packet,
                                 struct vw_bridge_response *response, size_t *matched)
{
    *response = (struct vw_bridge_response){ 0 };
    size_t pos = lookup(table, packet->magic, packet->request);
    if (matched)
        *matched = pos;
    if (pos == table->count)
        return VW_E_NO_MATCH; /* BR-DISP-4 */

    const struct vw_bridge_handler *h = &table->handlers[pos];
    vw_status st = h->handle(h->user, packet, response);
    if (st != VW_OK) {
        *response = (struct vw_bridge_response){ 0 }; /* BR-DISP-5: no slot written */
        return st == VW_E_NO_MATCH ? VW_E_NO_RESPONSE : st; /* a handler that matched cannot report "no match" */
    }

    /* BR-DISP-6: verify values replace their slots. Word by word: the
     * callback has just stored these words, and wider (vector) loads of them
     * would stall on store forwarding; measured, this also beats a
     * branch-free select. */
    unsigned vp = h->verify_present & VW_BRIDGE_SLOTS_ALL;
    for (unsigned n = 0; n < 4; n++)
        if ((vp >> n) & 1u)
            response->values[n] = h->verify[n];
    response->present = (uint8_t)((response->present | vp) & VW_BRIDGE_SLOTS_ALL);
    return VW_OK;
}

vw_status vw_bridge_dispatch(const struct vw_bridge_table *table, const struct vw_bridge_packet *packet,
                             struct vw_bridge_response *response, size_t *matched)
{
    if (!response)
        return VW_E_INVALID_ARG;
    if (!table || !packet) {
        memset(response, 0, sizeof *response);
        if (matched)
            *matched = table ? table->count : 0;
        return VW_E_INVALID_ARG;
    }
    return dispatch(table, packet, response, matched);
}

vw_status vw_bridge_serve(const struct vw_bridge_table *table, struct vw_bridge_regs *regs,
                          enum vw_bridge_trigger trigger, unsigned insn_len,
                          struct vw_bridge_response *response, size_t *matched)
{
    if (!response)
        return VW_E_INVALID_ARG;
    if (matched)
        *matched = table ? table->count : 0;
    if (!table || !regs || insn_len > VW_BRIDGE_MAX_INSN_LEN) {
        memset(response, 0, sizeof *response);
        return VW_E_INVALID_ARG;
    }

    struct vw_bridge_packet packet;
    vw_status st = vw_bridge_read_packet(regs, trigger, &packet);
    if (st != VW_OK) {
        memset(response, 0, sizeof *response);
        return st;
    }
    st = dispatch(table, &packet, response, matched);
    if (st != VW_OK && st != VW_E_NO_MATCH && st != VW_E_NO_RESPONSE)
        return st; /* a callback's own failure: the registers stay as they are */
    vw_bridge__apply(regs, st == VW_OK ? response : NULL, insn_len); /* BR-RESP-6 */
    return st;
}
