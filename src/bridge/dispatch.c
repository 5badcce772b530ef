/* VMI bridge: the handler table, its lookup index and the dispatcher
 * (spec/bridge.md, BR-DISP-*).
 *
 * The index holds one entry per handler, keyed
 *     request << 33 | has_magic << 32 | magic     (magic = 0 when absent)
 * and sorted by (key, table position). For a packet (magic m, request r) the
 * first handler in table order that matches is either
 *   - the first exact entry with key r<<33 | 1<<32 | m, or
 *   - the first wildcard entry with key r<<33,
 * whichever has the smaller table position. Since equal keys are ordered by
 * position, a lower-bound binary search lands on the first of each run, so a
 * lookup costs two binary searches: O(log n), same answer as a linear scan.
 * Tables of up to SMALL_TABLE handlers are simply scanned. */
#include <string.h>

#include "vmwire/bridge.h"

#define EXACT_BIT ((uint64_t)1 << 32)
/* Up to this many handlers, vw_bridge_table_find() scans the table itself. */
#define SMALL_TABLE 8

static uint64_t handler_key(const struct vw_bridge_handler *h)
{
    uint64_t k = (uint64_t)h->request << 33;
    if (h->has_magic)
        k |= EXACT_BIT | h->magic;
    return k;
}

static int entry_less(const struct vw_bridge_index_entry *a, const struct vw_bridge_index_entry *b)
{
    return a->key < b->key || (a->key == b->key && a->pos < b->pos);
}

static void sift_down(struct vw_bridge_index_entry *e, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && entry_less(&e[child], &e[child + 1]))
            child++;
        if (!entry_less(&e[root], &e[child]))
            return;
        struct vw_bridge_index_entry t = e[root];
        e[root] = e[child];
        e[child] = t;
        root = child;
    }
}

/* Heapsort: in place, O(n log n), no recursion; keys with their positions
 * are all distinct, so stability is not needed. */
static void sort_entries(struct vw_bridge_index_entry *e, size_t n)
{
    if (n < 2)
        return;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(e, i, n);
    for (size_t end = n - 1; end > 0; end--) {
        struct vw_bridge_index_entry t = e[0];
        e[0] = e[end];
        e[end] = t;
        sift_down(e, 0, end);
    }
}

vw_status vw_bridge_table_init(struct vw_bridge_table *table, const struct vw_bridge_handler *handlers,
                               size_t count, struct vw_bridge_index_entry *index, size_t index_cap)
{
    if (!table)
        return VW_E_INVALID_ARG;
    memset(table, 0, sizeof *table);
    if (count > 0 && (!handlers || !index))
        return VW_E_INVALID_ARG;
    for (size_t i = 0; i < count; i++)
        if (!handlers[i].handle || (handlers[i].verify_present & ~VW_BRIDGE_SLOTS_ALL))
            return VW_E_INVALID_ARG;
    if (index_cap < count)
        return VW_E_NOSPACE;
    for (size_t i = 0; i < count; i++) {
        index[i].key = handler_key(&handlers[i]);
        index[i].pos = i;
    }
    sort_entries(index, count);
    table->handlers = handlers;
    table->count = count;
    table->index = index;
    return VW_OK;
}

/* Position of the first handler with exactly this key, or SIZE_MAX. */
static size_t first_with_key(const struct vw_bridge_table *t, uint64_t key)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->index[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->count && t->index[lo].key == key ? t->index[lo].pos : SIZE_MAX;
}

vw_status vw_bridge_table_find(const struct vw_bridge_table *table, uint32_t magic, uint16_t request,
                               size_t *pos)
{
    if (!table || !pos)
        return VW_E_INVALID_ARG;
    if (table->count <= SMALL_TABLE) { /* a short scan beats two binary searches */
        for (size_t i = 0; i < table->count; i++) {
            const struct vw_bridge_handler *h = &table->handlers[i];
            if (h->request == request && (!h->has_magic || h->magic == magic)) {
                *pos = i;
                return VW_OK;
            }
        }
        *pos = table->count;
        return VW_E_NO_MATCH;
    }
    uint64_t base = (uint64_t)request << 33;
    size_t wild = first_with_key(table, base);
    size_t exact = first_with_key(table, base | EXACT_BIT | magic);
    size_t best = wild < exact ? wild : exact;
    if (best == SIZE_MAX) {
        *pos = table->count;
        return VW_E_NO_MATCH;
    }
    *pos = best;
    return VW_OK;
}

vw_status vw_bridge_dispatch(const struct vw_bridge_table *table, const struct vw_bridge_packet *packet,
                             struct vw_bridge_response *response, size_t *matched)
{
    if (!response)
        return VW_E_INVALID_ARG;
    memset(response, 0, sizeof *response);
    if (matched)
        *matched = table ? table->count : 0;
    if (!table || !packet)
        return VW_E_INVALID_ARG;

    size_t pos;
    vw_status st = vw_bridge_table_find(table, packet->magic, packet->request, &pos);
    if (st != VW_OK)
        return st; /* BR-DISP-4 */
    if (matched)
        *matched = pos;

    const struct vw_bridge_handler *h = &table->handlers[pos];
    struct vw_bridge_packet copy = *packet; /* the callback cannot alter the caller's packet */
    struct vw_bridge_response r = { 0 };
    st = h->handle(h->user, &copy, &r);
    if (st == VW_E_NO_MATCH)
        st = VW_E_NO_RESPONSE; /* a handler that matched cannot report "no match" */
    if (st != VW_OK)
        return st; /* BR-DISP-5: no response ends dispatch; response stays cleared */

    r.present &= VW_BRIDGE_SLOTS_ALL;
    for (unsigned n = 0; n < 4; n++) { /* BR-DISP-6 */
        if (h->verify_present & (1u << n)) {
            r.values[n] = h->verify[n];
            r.present |= (uint8_t)(1u << n);
        }
    }
    *response = r;
    return VW_OK;
}

vw_status vw_bridge_serve(const struct vw_bridge_table *table, struct vw_bridge_regs *regs,
                          enum vw_bridge_trigger trigger, unsigned insn_len,
                          struct vw_bridge_response *response, size_t *matched)
{
    if (!response)
        return VW_E_INVALID_ARG;
    memset(response, 0, sizeof *response);
    if (matched)
        *matched = table ? table->count : 0;
    if (!table || !regs || insn_len > VW_BRIDGE_MAX_INSN_LEN)
        return VW_E_INVALID_ARG;

    struct vw_bridge_packet packet;
    vw_status st = vw_bridge_read_packet(regs, trigger, &packet);
    if (st != VW_OK)
        return st;
    st = vw_bridge_dispatch(table, &packet, response, matched);
    if (st == VW_OK)
        (void)vw_bridge_write_response(regs, response, insn_len);
    else if (st == VW_E_NO_MATCH || st == VW_E_NO_RESPONSE)
        (void)vw_bridge_write_response(regs, NULL, insn_len); /* BR-RESP-6 */
    return st;
}
