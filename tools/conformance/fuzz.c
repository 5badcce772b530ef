/* Differential fuzzing (--fuzz N): requests generated from the loaded golden
 * cases (their message kinds, operations and parameters, so that only real
 * configurations are fuzzed), answered by the built-in implementation (the
 * oracle) and by the testee, judged by the rules of vector cases. Every
 * disagreement is minimised and can be written as a vector file.
 *
 * Generators are structure-aware: protobuf inputs are parsed into a field
 * tree (mutated field by field: values around limits, lengths around
 * capacities, repeated counts, unknown fields, wrong wire types, lying
 * lengths, members spliced in from another case), IC inputs are mutated at
 * their header and negotiation fields with the sizes kept consistent or
 * not, serial streams are re-framed and re-chunked, bridge register files
 * get values around the masks and the handler table's magic and request,
 * encode inputs get JSON values around limits, and sessions get their steps
 * dropped, repeated, swapped and mutated. Everything is drawn from one
 * PRNG per generated case, seeded from --seed and the case number, so a run
 * is deterministic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#include "common/pbjson.h"
#include "common/vwt.h"
#include "conformance/fuzzgen.h"
#include "conformance/runner.h"
#include "vmwire/crosvm.h"
#include "vmwire/serial.h"

/* The generators themselves are shared with the fuzz targets' custom
 * mutators (fuzzgen.c); this file turns them into requests. */
#define rnd vwfg_rnd
#define below vwfg_below
#define limit vwfg_limit

/* ---- byte buffers ----------------------------------------------------------- */

struct buf {
    uint8_t *p;
    size_t n, cap;
};

/* Out of memory (tools/common/nomem.c): noted, and the run stops at the
 * next request; vwc_fuzz() then ends with status 3, not judged. The
 * generators and shrinkers only have to leave everything consistent and
 * freeable. */
static bool oom(void)
{
    vwt_nomem();
    return false;
}

/* Room for `more` bytes; false when out of memory (b unchanged). */
static bool b_reserve(struct buf *b, size_t more)
{
    if (b->n + more <= b->cap)
        return true;
    size_t c = b->cap ? b->cap : 64;
    while (c < b->n + more)
        c *= 2;
    uint8_t *p = realloc(b->p, c);
    if (!p)
        return oom();
    b->p = p;
    b->cap = c;
    return true;
}

static void b_put(struct buf *b, const void *p, size_t n)
{
    if (!b_reserve(b, n))
        return;
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

/* Generic byte mutations (vwfg_bytes_mutate), the generator's name
 * appended to name. */
static void bytes_mutate(struct vwfg_rng *r, struct buf *b, char *name, size_t nl)
{
    if (!b_reserve(b, 8))
        return;
    const char *g = vwfg_bytes_mutate(r, b->p, &b->n, b->cap);
    size_t l = strlen(name);
    snprintf(name + l, nl - l, "%s%s", l ? "+" : "", g);
}

/* ---- messages built from the protobuf-c descriptors ----------------------------- */

static const ProtobufCMessageDescriptor *kind_descriptor(const char *message)
{
    enum vw_crosvm_revision rev;
    enum vw_crosvm_kind kind;
    if (!strncmp(message, "crosvm.", 7))
        return vw_crosvm_kind_parse(message, &rev, &kind) == VW_OK ? vw_crosvm_descriptor(rev, kind) : NULL;
    if (!strcmp(message, "serial.GuestMessage"))
        return vw_serial_descriptor(VW_SERIAL_GUEST_MESSAGE);
    if (!strcmp(message, "serial.VmmConfig"))
        return vw_serial_descriptor(VW_SERIAL_VMM_CONFIG);
    return NULL;
}

/* A schema-built message as hex (decode, validate) or, through protobuf-c
 * and the canonical JSON mapping, as JSON (encode). NULL when the kind has
 * no descriptor or the bytes do not unpack. */
static json_t *schema_input(struct vwfg_rng *r, const char *message, bool as_json)
{
    const ProtobufCMessageDescriptor *d = kind_descriptor(message);
    if (!d)
        return NULL;
    struct buf b = { 0 };
    if (!b_reserve(&b, 1u << 18))
        return NULL;
    b.n = vwfg_schema_message(r, d, b.p, b.cap);
    json_t *out = NULL;
    if (!as_json) {
        out = vwt_hex_json(b.p, b.n);
    } else {
        ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, b.n, b.p ? b.p : (const uint8_t *)"");
        if (m) {
            out = vwt_pb_to_json(m);
            protobuf_c_message_free_unpacked(m, NULL);
        }
    }
    free(b.p);
    return out;
}

/* ---- message-kind classification ----------------------------------------------- */

static bool is_protobuf(const char *message)
{
    return !strncmp(message, "crosvm.", 7) || !strcmp(message, "serial.GuestMessage") ||
           !strcmp(message, "serial.VmmConfig");
}

/* Mutate a hex string of a message of kind message (other: a second input
 * of the kind, for merges). Returns a new hex JSON string. */
static json_t *mutate_hex(struct vwfg_rng *r, const char *message, const json_t *hex, const json_t *other, char *name,
                          size_t nl)
{
    uint8_t *p = NULL, *q = NULL;
    size_t n = 0, qn = 0;
    struct vwfg_pb_work *w = NULL;
    if (vwt_json_hex(hex, &p, &n))
        return json_incref((json_t *)hex);
    struct buf b = { 0 };
    b_put(&b, p, n);
    free(p);
    size_t rounds = 1 + below(r, 3);
    for (size_t k = 0; k < rounds; k++) {
        size_t l = strlen(name);
        const char *g = NULL;
        if (is_protobuf(message) && below(r, 5)) {
            if (other && !q && vwt_json_hex(other, &q, &qn))
                q = NULL;
            if (!w && !(w = malloc(sizeof *w)))
                oom();
            /* room for a field repeated 101 times or another input merged */
            if (w && b_reserve(&b, 102 * (b.n + qn + 16) + 4096))
                g = vwfg_pb_mutate(r, w, b.p, &b.n, b.cap, q, qn);
        } else if (!strncmp(message, "ic.", 3) && below(r, 5)) {
            if (b_reserve(&b, 1024))
                g = vwfg_ic_mutate(r, b.p, &b.n, b.cap, !strcmp(message, "ic.packet"));
        }
        if (g)
            snprintf(name + l, nl - l, "%s%s", l ? "+" : "", g);
        else
            bytes_mutate(r, &b, name, nl);
    }
    json_t *out = vwt_hex_json(b.p, b.n);
    free(b.p);
    free(q);
    free(w);
    return out;
}

/* ---- JSON (encode inputs, dispatch register files) --------------------------------- */

struct jref {
    json_t *parent; /* object or array */
    const char *key;
    size_t index;
    json_t *v;
};

static void json_refs(json_t *v, struct jref *out, size_t *n, size_t max)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            if (*n >= max)
                return;
            out[(*n)++] = (struct jref){ v, k, 0, x };
            json_refs(x, out, n, max);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v) && *n < max; i++) {
            out[(*n)++] = (struct jref){ v, NULL, i, json_array_get(v, i) };
            json_refs(json_array_get(v, i), out, n, max);
        }
    }
}

static void jref_set(const struct jref *r, json_t *nv)
{
    if (r->key)
        json_object_set_new(r->parent, r->key, nv);
    else
        json_array_set_new(r->parent, r->index, nv);
}

static bool is_decimal(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static json_t *json_number_limit(struct vwfg_rng *r, bool as_string)
{
    uint64_t v = limit(r);
    bool neg = below(r, 4) == 0;
    char s[32];
    if (neg)
        snprintf(s, sizeof s, "-%llu", (unsigned long long)(v > 0x8000000000000000ull ? 0x8000000000000000ull : v));
    else
        snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    if (as_string || (!neg && v > 0x7fffffffffffffffull))
        return json_string(s);
    return json_integer(neg ? -(json_int_t)(v > 0x7fffffffffffffffull ? 0x7fffffffffffffffull : v) : (json_int_t)v);
}

static json_t *b64_of(size_t n, uint8_t fill)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *s = malloc(4 * (n / 3 + 1) + 1);
    if (!s) {
        oom();
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t w = (uint32_t)fill << 16 | (i + 1 < n ? (uint32_t)fill << 8 : 0) | (i + 2 < n ? fill : 0);
        s[o++] = t[(w >> 18) & 63];
        s[o++] = t[(w >> 12) & 63];
        s[o++] = i + 1 < n ? t[(w >> 6) & 63] : '=';
        s[o++] = i + 2 < n ? t[w & 63] : '=';
    }
    s[o] = 0;
    json_t *j = json_string(s);
    free(s);
    return j;
}

static const char *json_mutate(struct vwfg_rng *r, json_t *root, const json_t *other)
{
    struct jref refs[1024];
    size_t n = 0;
    json_refs(root, refs, &n, 1024);
    if (!n || below(r, 8) == 0) {
        if (json_is_object(root) && json_is_object(other) && json_object_size(other)) {
            /* merge a member of another case (a second oneof member, say) */
            size_t k = below(r, json_object_size(other)), i = 0;
            const char *key;
            json_t *x;
            json_object_foreach((json_t *)other, key, x)
            {
                if (i++ == k) {
                    json_object_set_new(root, key, json_deep_copy(x));
                    break;
                }
            }
            return "json-merge";
        }
        if (!n)
            return "json-none";
    }
    struct jref *f = &refs[below(r, n)];
    switch (below(r, 6)) {
    case 0:
    case 1:
        if (json_is_integer(f->v) || (json_is_string(f->v) && is_decimal(json_string_value(f->v)))) {
            jref_set(f, json_number_limit(r, json_is_string(f->v)));
            return "json-number-limit";
        }
        if (json_is_string(f->v)) {
            const char *s = json_string_value(f->v);
            size_t sl = strlen(s), want = vwfg_len(r);
            if (below(r, 2))
                want = sl + 1;
            if (sl % 4 == 0 && sl && (s[sl - 1] == '=' || below(r, 2))) {
                jref_set(f, b64_of(want, (uint8_t)rnd(r)));
                return "json-bytes-length";
            }
            char *ns = malloc(want + 1);
            if (!ns) {
                oom();
                return "json-string-length";
            }
            for (size_t i = 0; i < want; i++)
                ns[i] = sl ? s[i % sl] : 'a';
            ns[want] = 0;
            jref_set(f, json_string(ns));
            free(ns);
            return "json-string-length";
        }
        /* fall through */
    case 2:
        if (json_is_array(f->v) && json_array_size(f->v)) {
            static const size_t counts[] = { 0, 1, 2, 3, 4, 5, 8, 16, 17, 100, 101 };
            size_t k = counts[below(r, sizeof counts / sizeof counts[0])];
            json_t *a = json_array();
            for (size_t i = 0; i < k; i++)
                json_array_append_new(a, json_deep_copy(json_array_get(f->v, i % json_array_size(f->v))));
            jref_set(f, a);
            return "json-repeated-count";
        }
        /* fall through */
    case 3:
        if (f->key)
            json_object_del(f->parent, f->key);
        else
            json_array_remove(f->parent, f->index);
        return "json-drop";
    case 4: {
        switch (below(r, 6)) {
        case 0: jref_set(f, json_null()); break;
        case 1: jref_set(f, json_true()); break;
        case 2: jref_set(f, json_string("")); break;
        case 3: jref_set(f, json_array()); break;
        case 4: jref_set(f, json_object()); break;
        default: jref_set(f, json_real(1.5)); break;
        }
        return "json-wrong-type";
    }
    default:
        if (json_is_object(f->v)) {
            json_object_set_new(f->v, below(r, 2) ? "unknownField" : "unknown_field", json_integer(1));
            return "json-unknown-member";
        }
        jref_set(f, json_number_limit(r, below(r, 2)));
        return "json-number-limit";
    }
}

/* Register values for a bridge register file: limits, the handler table's
 * magic, request and verify values, method|request pairs, 32-bit values
 * with high bits set (for the 32-bit masks). */
static json_t *reg_value(struct vwfg_rng *r, const json_t *req)
{
    uint64_t v;
    const json_t *h = json_object_get(req, "handlers");
    const json_t *hd = json_array_size(h) ? json_array_get(h, below(r, json_array_size(h))) : NULL;
    switch (below(r, 6)) {
    case 0:
        v = limit(r);
        break;
    case 1: {
        const char *m = json_string_value(json_object_get(hd, "magic"));
        v = 0x42494d56;
        if (m)
            vwt_parse_u64_hex(m, &v);
        if (below(r, 2))
            v |= (uint64_t)limit(r) << 32;
        break;
    }
    case 2: {
        json_int_t rq = json_integer_value(json_object_get(hd, "request"));
        v = ((uint64_t)below(r, 4) << 16) | (uint64_t)rq;
        if (below(r, 3) == 0)
            v |= 0xffffffff00000000ull;
        break;
    }
    case 3: {
        const json_t *vf = json_object_get(hd, "verify");
        const char *s = json_string_value(json_array_get(vf, below(r, json_array_size(vf) + 1)));
        v = rnd(r);
        if (s)
            vwt_parse_u64_hex(s, &v);
        break;
    }
    case 4:
        v = (uint64_t)below(r, 0x40) | (below(r, 2) ? 0x100000000ull * (1 + below(r, 0xff)) : 0);
        v = below(r, 2) ? v : 0x18 | 0x22ull << (8 * below(r, 2));
        break;
    default:
        v = rnd(r);
        break;
    }
    char s[24];
    snprintf(s, sizeof s, "0x%llx", (unsigned long long)v);
    return json_string(s);
}

static const char *const regnames[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9",
                                        "r10", "r11", "r12", "r13", "r14", "r15", "rip" };
#define NREGS (sizeof regnames / sizeof regnames[0])

static const char *dispatch_mutate(struct vwfg_rng *r, json_t *input, const json_t *other, const json_t *req)
{
    json_t *regs = json_object_get(input, "registers");
    if (!json_is_object(regs)) {
        regs = json_object();
        json_object_set_new(input, "registers", regs);
    }
    switch (below(r, 8)) {
    case 0:
    case 1:
    case 2:
        json_object_set_new(regs, regnames[below(r, NREGS)], reg_value(r, req));
        return "bridge-register";
    case 3: {
        static const int modes[] = { 0, 16, 32, 64 };
        if (below(r, 8) == 0)
            json_object_del(input, "mode");
        else
            json_object_set_new(input, "mode", json_integer(modes[below(r, 4)]));
        return "bridge-mode";
    }
    case 4:
        json_object_set_new(input, "trigger", json_string(below(r, 2) ? "vmcall" : "cpuid"));
        return "bridge-trigger";
    case 5:
        json_object_del(regs, regnames[below(r, NREGS)]);
        return "bridge-drop-register";
    case 6: {
        static const int il[] = { 0, 1, 2, 3, 15, 16 };
        json_object_set_new(input, "insn_len", json_integer(il[below(r, 6)]));
        return "bridge-insn-len";
    }
    default: {
        /* a random register file, values from the table and the limits */
        json_t *nr = json_object();
        for (size_t i = 0; i < NREGS; i++)
            if (below(r, 3))
                json_object_set_new(nr, regnames[i], reg_value(r, req));
        const json_t *oregs = json_object_get(other, "registers");
        if (json_is_object(oregs) && below(r, 2))
            json_object_update(nr, (json_t *)oregs);
        json_object_set_new(input, "registers", nr);
        return "bridge-register-file";
    }
    }
}

/* ---- requests ---------------------------------------------------------------- */

/* The seeds of one (operation, message kind): the selected golden cases. */
struct kind {
    const char *operation, *message, *protocol;
    struct vwc_case **seeds;
    size_t nseeds;
    size_t cases, disagreements, skipped, oracle_skipped, faults;
};

/* A request's parameters (everything but id, input and steps), as JSON for
 * comparing two seeds' configurations. */
static char *params_key(const json_t *req)
{
    json_t *p = json_deep_copy(req);
    json_object_del(p, "id");
    json_object_del(p, "input");
    json_object_del(p, "steps");
    char *s = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(p);
    return s;
}

static const struct vwc_case *other_seed(struct vwfg_rng *r, const struct kind *k, const struct vwc_case *seed)
{
    /* another case of the same kind and the same parameters */
    char *pk = params_key(seed->request);
    const struct vwc_case *best = seed;
    for (unsigned tries = 0; tries < 8; tries++) {
        const struct vwc_case *o = k->seeds[below(r, k->nseeds)];
        char *ok = params_key(o->request);
        bool same = pk && ok && !strcmp(pk, ok);
        free(ok);
        if (same && o != seed) {
            best = o;
            break;
        }
    }
    free(pk);
    return best;
}

static json_t *generate(struct vwfg_rng *r, const struct kind *k, const struct vwc_case *seed, char *name, size_t nl)
{
    json_t *req = json_deep_copy(seed->request);
    const struct vwc_case *oth = other_seed(r, k, seed);
    const json_t *oin = json_object_get(oth->request, "input");
    json_t *in = json_object_get(req, "input");
    name[0] = 0;
    if (!strcmp(k->operation, "session")) {
        json_t *steps = json_object_get(req, "steps");
        json_t *osteps = json_object_get(oth->request, "steps");
        size_t rounds = 1 + below(r, 3);
        for (size_t i = 0; i < rounds && json_is_array(steps); i++) {
            size_t n = json_array_size(steps), l = strlen(name);
            const char *g;
            switch (below(r, 6)) {
            case 0:
                if (n > 1)
                    json_array_remove(steps, below(r, n));
                g = "steps-drop";
                break;
            case 1:
                if (n) {
                    size_t at = below(r, n);
                    json_array_insert_new(steps, at, json_deep_copy(json_array_get(steps, at)));
                }
                g = "steps-repeat";
                break;
            case 2:
                if (n > 1) {
                    size_t at = below(r, n - 1);
                    json_t *a = json_incref(json_array_get(steps, at));
                    json_array_remove(steps, at);
                    json_array_insert_new(steps, at + 1, a);
                }
                g = "steps-swap";
                break;
            case 3:
                if (json_array_size(osteps)) {
                    json_array_insert_new(steps, below(r, n + 1),
                                          json_deep_copy(json_array_get(osteps, below(r, json_array_size(osteps)))));
                }
                g = "steps-splice";
                break;
            default: {
                /* mutate one step's input with the kind's generators */
                g = "step-input";
                for (unsigned t = 0; t < 4 && n; t++) {
                    json_t *st = json_array_get(steps, below(r, n));
                    const json_t *si = json_object_get(st, "input");
                    if (json_is_string(si)) {
                        char sub[200] = "";
                        const json_t *o2 = json_array_get(osteps, below(r, json_array_size(osteps) + 1));
                        json_object_set_new(st, "input",
                                            mutate_hex(r, k->message, si, json_object_get(o2, "input"), sub, sizeof sub));
                        snprintf(name + l, nl - l, "%sstep-input(%s)", l ? "+" : "", sub);
                        g = NULL;
                        break;
                    }
                    /* what the engine is told to send: bytes (crosvm: a
                     * message of the other direction, the same protobuf
                     * generators) or a body as JSON (the IC host) */
                    const json_t *ss = json_object_get(st, "send");
                    const json_t *o2 = json_array_get(osteps, below(r, json_array_size(osteps) + 1));
                    const json_t *os = json_object_get(o2, "send");
                    char sub[200] = "";
                    if (json_is_string(ss)) {
                        json_object_set_new(st, "send", mutate_hex(r, k->message, ss, json_is_string(os) ? os : NULL,
                                                                   sub, sizeof sub));
                    } else if (json_is_object(ss)) {
                        json_t *ns = json_deep_copy(ss);
                        snprintf(sub, sizeof sub, "%s", json_mutate(r, ns, json_is_object(os) ? os : NULL));
                        json_object_set_new(st, "send", ns);
                    } else {
                        continue;
                    }
                    snprintf(name + l, nl - l, "%sstep-send(%s)", l ? "+" : "", sub);
                    g = NULL;
                    break;
                }
                break;
            }
            }
            if (g)
                snprintf(name + l, nl - l, "%s%s", l ? "+" : "", g);
        }
    } else if (!strcmp(k->operation, "deframe")) {
        /* the stream as one byte string, frames re-sized, re-chunked */
        struct buf s = { 0 };
        size_t i;
        json_t *c;
        json_array_foreach(in, i, c) {
            uint8_t *p;
            size_t n;
            if (!vwt_json_hex(c, &p, &n)) {
                b_put(&s, p, n);
                free(p);
            }
        }
        size_t rounds = 1 + below(r, 3);
        for (size_t j = 0; j < rounds; j++) {
            size_t l = strlen(name);
            struct buf o = { 0 };
            size_t oi;
            json_t *oc;
            json_array_foreach(oin, oi, oc) {
                uint8_t *p;
                size_t n;
                if (!vwt_json_hex(oc, &p, &n)) {
                    b_put(&o, p, n);
                    free(p);
                }
            }
            if (!b_reserve(&s, o.n + 1024)) {
                free(o.p);
                break;
            }
            const char *g = vwfg_stream_mutate(r, s.p, &s.n, s.cap, o.p, o.n);
            free(o.p);
            snprintf(name + l, nl - l, "%s%s", l ? "+" : "", g);
        }
        json_t *chunks = json_array();
        size_t at = 0;
        unsigned style = (unsigned)below(r, 4);
        while (at < s.n || !json_array_size(chunks)) {
            size_t len = style == 0 ? 1 : style == 1 ? s.n - at : below(r, s.n - at + 2);
            if (len > s.n - at)
                len = s.n - at;
            if (!chunks || json_array_append_new(chunks, vwt_hex_json(s.p + at, len))) {
                oom(); /* else this loop would wait for a first chunk forever */
                break;
            }
            at += len;
            if (json_array_size(chunks) > 4096)
                break;
        }
        free(s.p);
        size_t l = strlen(name);
        snprintf(name + l, nl - l, "+chunks-%s", style == 0 ? "bytes" : style == 1 ? "whole" : "random");
        json_object_set_new(req, "input", chunks);
    } else if (!strcmp(k->operation, "dispatch")) {
        size_t rounds = 1 + below(r, 4);
        for (size_t j = 0; j < rounds && json_is_object(in); j++) {
            size_t l = strlen(name);
            snprintf(name + l, nl - l, "%s%s", l ? "+" : "", dispatch_mutate(r, in, oin, req));
        }
    } else if (json_is_string(in) && is_protobuf(k->message) && strcmp(k->operation, "respond") && below(r, 3) == 0) {
        /* a message built from the schema, mutated half of the time */
        json_t *si = schema_input(r, k->message, false);
        snprintf(name, nl, "pb-schema");
        if (si && below(r, 2)) {
            json_object_set_new(req, "input", mutate_hex(r, k->message, si, oin, name + 9, nl - 9));
            if (name[9]) {
                memmove(name + 10, name + 9, strlen(name + 9) + 1);
                name[9] = '+';
            }
            json_decref(si);
        } else if (si) {
            json_object_set_new(req, "input", si);
        }
    } else if (json_is_string(in)) {
        json_object_set_new(req, "input", mutate_hex(r, k->message, in, oin, name, nl));
    } else if (in && is_protobuf(k->message) && below(r, 3) == 0) {
        json_t *si = schema_input(r, k->message, true);
        snprintf(name, nl, "pb-schema-json");
        if (si) {
            json_object_set_new(req, "input", si);
            if (below(r, 2)) {
                size_t l = strlen(name);
                snprintf(name + l, nl - l, "+%s", json_mutate(r, si, oin));
            }
        }
    } else if (in) {
        size_t rounds = 1 + below(r, 3);
        for (size_t j = 0; j < rounds; j++) {
            size_t l = strlen(name);
            snprintf(name + l, nl - l, "%s%s", l ? "+" : "", json_mutate(r, in, oin));
        }
    }
    return req;
}

/* ---- judging one request ---------------------------------------------------------- */

struct fuzzer {
    const struct vwc_options *o;
    const struct vwc_fuzz_options *fo;
    struct vwc_backend *b;
    size_t calls;
    double t0, last_progress;
    size_t total_cases, total_dis;
    bool tty;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The oracle's answer as an expectation: result/output/error, or steps. */
static json_t *expectation(const char *operation, json_t *ans)
{
    const char *res = json_string_value(json_object_get(ans, "result"));
    if (!res || !strcmp(res, "skipped"))
        return NULL;
    json_t *e = json_object();
    if (!strcmp(operation, "session") && !strcmp(res, "valid") && json_is_array(json_object_get(ans, "output"))) {
        json_t *steps = json_array();
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(ans, "output"), i, s) {
            json_t *x = json_object();
            json_object_set(x, "result", json_object_get(s, "result"));
            if (json_object_get(s, "output"))
                json_object_set(x, "output", json_object_get(s, "output"));
            if (json_object_get(s, "error"))
                json_object_set(x, "error", json_object_get(s, "error"));
            json_array_append_new(steps, x);
        }
        json_object_set_new(e, "result", json_string("valid"));
        json_object_set_new(e, "steps", steps);
        return e;
    }
    json_object_set_new(e, "result", json_string(res));
    if (json_object_get(ans, "output"))
        json_object_set(e, "output", json_object_get(ans, "output"));
    if (json_object_get(ans, "error"))
        json_object_set(e, "error", json_object_get(ans, "error"));
    return e;
}

enum outcome { AGREE, DISAGREE, TESTEE_SKIP, ORACLE_SKIP };

struct verdict {
    enum outcome outcome;
    char sig[300]; /* what the disagreement is, for "does it still hold" */
    char detail[600];
    json_t *expect; /* owned, when judged */
    json_t *got;    /* owned */
};

static void verdict_clear(struct verdict *v)
{
    json_decref(v->expect);
    json_decref(v->got);
    memset(v, 0, sizeof *v);
}

static const char *answer_summary(const json_t *a, char *out, size_t ol)
{
    const char *r = json_string_value(json_object_get(a, "result"));
    const char *e = json_string_value(json_object_get(a, "error"));
    snprintf(out, ol, "%s%s%s%s", r ? r : "?", e ? " (" : "", e ? e : "", e ? ")" : "");
    return out;
}

static void check(struct fuzzer *fz, const char *operation, json_t *req, struct verdict *v)
{
    memset(v, 0, sizeof *v);
    json_t *ans = vwt_impl_handle(req);
    v->expect = expectation(operation, ans);
    json_decref(ans);
    if (!v->expect || vwt_nomem_seen()) { /* out of memory: the expectation may lack a member */
        v->outcome = ORACLE_SKIP;
        return;
    }
    struct vwc_case c = { 0 };
    c.expect = v->expect;
    char err[1024];
    enum vwc_fault fault = VWC_FAULT_NONE;
    char *se = NULL;
    fz->calls++;
    json_t *resp = vwc_backend_call(fz->b, req, &fault, err, sizeof err, &se);
    free(se);
    if (vwt_nomem_seen()) { /* not judged: the run stops (vwc_fuzz) */
        json_decref(resp);
        v->outcome = ORACLE_SKIP;
        return;
    }
    if (!resp) {
        c.verdict = VWC_FAIL;
        c.fault = fault;
        vwc_set_detail(&c, "%s", err);
    } else {
        vwc_judge(&c, resp, fz->o->strict_errors);
        if (vwc_backend_extra(fz->b, 0, err, sizeof err)) {
            c.verdict = VWC_FAIL;
            c.fault = VWC_FAULT_EXTRA;
            vwc_set_detail(&c, "%s", err);
        }
    }
    v->got = resp;
    if (c.verdict == VWC_SKIP) {
        v->outcome = TESTEE_SKIP;
    } else if (c.verdict == VWC_FAIL) {
        char a[120], b[120];
        v->outcome = DISAGREE;
        const char *fname = vwc_fault_name(c.fault);
        const json_t *steps = json_object_get(v->expect, "steps");
        if (steps || !resp)
            snprintf(v->sig, sizeof v->sig, "%s", fname ? fname : "?");
        else
            snprintf(v->sig, sizeof v->sig, "%s: %s / %s", fname ? fname : "?", answer_summary(v->expect, a, sizeof a),
                     answer_summary(resp, b, sizeof b));
        snprintf(v->detail, sizeof v->detail, "%s", c.detail ? c.detail : "");
    } else {
        v->outcome = AGREE;
    }
    free(c.detail);
}

static void progress(struct fuzzer *fz, const struct kind *k, bool force)
{
    if (!fz->tty)
        return;
    double t = now();
    if (!force && t - fz->last_progress < 0.25)
        return;
    fz->last_progress = t;
    double el = t - fz->t0;
    fprintf(stderr, "\rfuzz: %s %s: %zu cases, %zu disagreements | total %zu, %zu disagreements, %.0f cases/s   ",
            k->operation, k->message, k->cases, k->disagreements, fz->total_cases, fz->total_dis,
            el > 0 ? (double)fz->total_cases / el : 0.0);
    fflush(stderr);
}

/* ---- minimisation ------------------------------------------------------------------ */

#define SHRINK_BUDGET 600

struct shrinker {
    struct fuzzer *fz;
    const char *operation;
    const char *sig;
    size_t budget;
};

/* Does the candidate still show the same disagreement? Consumes it. */
static bool holds(struct shrinker *s, json_t *cand)
{
    if (vwt_nomem_seen()) /* the candidate may lack a member: stop shrinking */
        s->budget = 0;
    if (!s->budget)
        return false;
    s->budget--;
    struct verdict v;
    check(s->fz, s->operation, cand, &v);
    bool ok = v.outcome == DISAGREE && !strcmp(v.sig, s->sig);
    verdict_clear(&v);
    return ok;
}

/* Shrink the hex string at obj[key]: delete ranges, then simplify bytes. */
static void shrink_hex(struct shrinker *s, json_t *req, json_t *obj, const char *key)
{
    uint8_t *p;
    size_t n;
    if (vwt_json_hex(json_object_get(obj, key), &p, &n))
        return;
    for (size_t chunk = n / 2 ? n / 2 : 1; chunk >= 1 && s->budget; chunk = chunk > 2 ? chunk / 2 : chunk - 1) {
        for (size_t at = 0; at + chunk <= n && s->budget;) {
            uint8_t *q = malloc(n);
            if (!q) {
                oom();
                s->budget = 0;
                break;
            }
            memcpy(q, p, at);
            memcpy(q + at, p + at + chunk, n - at - chunk);
            json_object_set_new(obj, key, vwt_hex_json(q, n - chunk));
            if (holds(s, req)) {
                free(p);
                p = q;
                n -= chunk;
            } else {
                free(q);
                at += chunk;
            }
        }
        if (chunk == 1)
            break;
    }
    for (size_t i = 0; i < n && s->budget; i++) {
        if (p[i] == 0)
            continue;
        uint8_t old = p[i];
        p[i] = 0;
        json_object_set_new(obj, key, vwt_hex_json(p, n));
        if (!holds(s, req))
            p[i] = old;
    }
    json_object_set_new(obj, key, vwt_hex_json(p, n));
    free(p);
}

/* Shrink a protobuf input at obj[key] field by field: drop a field, empty a
 * payload, zero a varint, anywhere in the tree, while the disagreement
 * holds (only while the input parses as protobuf). */
static void shrink_pb(struct shrinker *s, json_t *req, json_t *obj, const char *key)
{
    struct vwfg_pb_work *w = malloc(sizeof *w);
    if (!w) {
        oom();
        return;
    }
again:
    while (s->budget) {
        uint8_t *p;
        size_t n;
        if (vwt_json_hex(json_object_get(obj, key), &p, &n))
            break;
        long nr = vwfg_pb_count(w, p, n);
        uint8_t *c = malloc(n + 1);
        if (!c) {
            oom();
            free(p);
            break;
        }
        for (long i = nr; i-- > 0 && s->budget;) {
            for (int op = 0; op < 3; op++) {
                size_t cn = 0;
                if (!vwfg_pb_simplify(w, p, n, (size_t)i, op, c, &cn))
                    continue;
                json_object_set_new(obj, key, vwt_hex_json(c, cn));
                if (holds(s, req)) {
                    free(c);
                    free(p);
                    goto again;
                }
                json_object_set_new(obj, key, vwt_hex_json(p, n));
            }
        }
        free(c);
        free(p);
        break;
    }
    free(w);
}

/* Shrink a JSON value in place: drop members and elements, shorten strings. */
static void shrink_json(struct shrinker *s, json_t *req, json_t *v)
{
    if (json_is_object(v)) {
        const char *keys[256];
        size_t nk = 0;
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) if (nk < 256) keys[nk++] = k;
        char *dup[256];
        for (size_t i = 0; i < nk; i++)
            if (!(dup[i] = strdup(keys[i])))
                oom(); /* the loop below then stops at once */
        for (size_t i = 0; i < nk && s->budget; i++) {
            if (vwt_nomem_seen())
                break;
            json_t *old = json_incref(json_object_get(v, dup[i]));
            json_object_del(v, dup[i]);
            if (!holds(s, req)) {
                json_object_set_new(v, dup[i], old);
                shrink_json(s, req, json_object_get(v, dup[i]));
            } else {
                json_decref(old);
            }
        }
        for (size_t i = 0; i < nk; i++)
            free(dup[i]);
    } else if (json_is_array(v)) {
        for (size_t i = json_array_size(v); i-- > 0 && s->budget;) {
            json_t *old = json_incref(json_array_get(v, i));
            json_array_remove(v, i);
            if (!holds(s, req)) {
                json_array_insert_new(v, i, old);
                shrink_json(s, req, json_array_get(v, i));
            } else {
                json_decref(old);
            }
        }
    }
}

/* Replace string leaves (keys of obj) by shorter versions while it holds. */
static void shrink_strings(struct shrinker *s, json_t *req, json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, x) {
            if (json_is_string(x) && strlen(json_string_value(x)) > 1) {
                const char *str = json_string_value(x);
                size_t l = strlen(str);
                bool b64 = l % 4 == 0;
                char *cut = b64 ? NULL : strndup(str, l / 2);
                if (cut) {
                    json_t *old = json_incref(x);
                    json_object_set_new(v, k, json_string(cut));
                    if (!holds(s, req))
                        json_object_set_new(v, k, old);
                    else
                        json_decref(old);
                    free(cut);
                }
            } else {
                shrink_strings(s, req, x);
            }
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            shrink_strings(s, req, json_array_get(v, i));
    }
}

static void minimise(struct fuzzer *fz, const char *operation, json_t *req, const char *sig)
{
    bool pb = is_protobuf(json_string_value(json_object_get(req, "message")));
    struct shrinker s = { fz, operation, sig, SHRINK_BUDGET };
    json_t *in = json_object_get(req, "input");
    if (!strcmp(operation, "session")) {
        json_t *steps = json_object_get(req, "steps");
        for (size_t i = json_array_size(steps); i-- > 0 && s.budget;) {
            if (json_array_size(steps) < 2)
                break;
            json_t *old = json_incref(json_array_get(steps, i));
            json_array_remove(steps, i);
            if (!holds(&s, req))
                json_array_insert_new(steps, i, old);
            else
                json_decref(old);
        }
        for (size_t i = 0; i < json_array_size(steps) && s.budget; i++) {
            if (json_is_string(json_object_get(json_array_get(steps, i), "input"))) {
                if (pb)
                    shrink_pb(&s, req, json_array_get(steps, i), "input");
                shrink_hex(&s, req, json_array_get(steps, i), "input");
            }
            if (json_is_string(json_object_get(json_array_get(steps, i), "send"))) {
                if (pb)
                    shrink_pb(&s, req, json_array_get(steps, i), "send");
                shrink_hex(&s, req, json_array_get(steps, i), "send");
            }
        }
    } else if (!strcmp(operation, "deframe") && json_is_array(in)) {
        /* fewer chunks (merged), then fewer bytes */
        for (size_t i = json_array_size(in); i-- > 1 && s.budget;) {
            json_t *a = json_array_get(in, i - 1), *b = json_array_get(in, i);
            char *m = malloc(strlen(json_string_value(a)) + strlen(json_string_value(b)) + 1);
            if (!m) {
                oom();
                break;
            }
            strcpy(m, json_string_value(a));
            strcat(m, json_string_value(b));
            json_t *olda = json_incref(a), *oldb = json_incref(b);
            json_array_set_new(in, i - 1, json_string(m));
            json_array_remove(in, i);
            free(m);
            if (!holds(&s, req)) {
                json_array_set_new(in, i - 1, olda);
                json_array_insert_new(in, i, oldb);
            } else {
                json_decref(olda);
                json_decref(oldb);
            }
        }
        for (size_t i = 0; i < json_array_size(in) && s.budget; i++) {
            uint8_t *p;
            size_t n;
            if (vwt_json_hex(json_array_get(in, i), &p, &n) == 0) {
                free(p);
                for (size_t chunk = n / 2 ? n / 2 : 1; chunk >= 1 && s.budget; chunk /= 2) {
                    for (size_t at = 0; s.budget;) {
                        const char *h = json_string_value(json_array_get(in, i));
                        size_t hl = strlen(h);
                        if (2 * (at + chunk) > hl)
                            break;
                        char *c = malloc(hl + 1);
                        if (!c) {
                            oom();
                            s.budget = 0;
                            break;
                        }
                        memcpy(c, h, 2 * at);
                        strcpy(c + 2 * at, h + 2 * (at + chunk));
                        json_t *old = json_incref(json_array_get(in, i));
                        json_array_set_new(in, i, json_string(c));
                        free(c);
                        if (holds(&s, req)) {
                            json_decref(old);
                        } else {
                            json_array_set_new(in, i, old);
                            at += chunk;
                        }
                    }
                    if (chunk == 1)
                        break;
                }
            }
        }
    } else if (json_is_string(in)) {
        if (pb)
            shrink_pb(&s, req, req, "input");
        shrink_hex(&s, req, req, "input");
    } else if (!strcmp(operation, "dispatch") && json_is_object(in)) {
        json_t *regs = json_object_get(in, "registers");
        const char *k;
        json_t *x;
        void *tmp;
        json_object_foreach_safe(regs, tmp, k, x) {
            if (!s.budget)
                break;
            char *key = strdup(k);
            if (!key) {
                oom();
                break;
            }
            json_t *old = json_incref(x);
            json_object_del(regs, key);
            if (!holds(&s, req)) {
                json_object_set_new(regs, key, json_string("0x0"));
                if (!holds(&s, req))
                    json_object_set_new(regs, key, old);
                else
                    json_decref(old);
            } else {
                json_decref(old);
            }
            free(key);
        }
    } else if (in) {
        shrink_json(&s, req, in);
        shrink_strings(&s, req, in);
    }
}

/* ---- the written vector file -------------------------------------------------------- */

struct found {
    const struct vwc_case *seed;
    char *generator;
    size_t index;
    json_t *request; /* minimised */
    json_t *expect;
    char *got;       /* the testee's answer, summarised */
    char *detail;
    char *sig;
};

static int write_out(const struct vwc_fuzz_options *fo, struct found *f, size_t nf)
{
    /* one document per protocol: FILE when all are of one, else
     * FILE with ".<protocol>" before its extension */
    const char *protos[8];
    size_t np = 0;
    for (size_t i = 0; i < nf; i++) {
        bool seen = false;
        for (size_t j = 0; j < np; j++)
            seen |= !strcmp(protos[j], f[i].seed->protocol);
        if (!seen && np < 8)
            protos[np++] = f[i].seed->protocol;
    }
    int rc = 0;
    for (size_t pi = 0; pi < np; pi++) {
        char path[4096];
        if (np == 1) {
            snprintf(path, sizeof path, "%s", fo->out);
        } else {
            const char *dot = strrchr(fo->out, '.');
            const char *slash = strrchr(fo->out, '/');
            if (!dot || (slash && dot < slash))
                dot = fo->out + strlen(fo->out);
            snprintf(path, sizeof path, "%.*s.%s%s", (int)(dot - fo->out), fo->out, protos[pi], dot);
        }
        json_t *doc = json_object(), *groups = json_array();
        const char *spec = NULL;
        for (size_t i = 0; i < nf; i++) {
            if (strcmp(f[i].seed->protocol, protos[pi]))
                continue;
            spec = f[i].seed->spec;
            json_t *g = json_object();
            json_t *req = f[i].request;
            const char *key;
            json_t *v;
            json_object_set_new(g, "operation", json_string(f[i].seed->operation));
            json_object_set_new(g, "message", json_string(f[i].seed->message));
            json_object_foreach(req, key, v) {
                if (strcmp(key, "id") && strcmp(key, "operation") && strcmp(key, "message") && strcmp(key, "input") &&
                    strcmp(key, "steps"))
                    json_object_set(g, key, v);
            }
            json_t *c = json_object();
            char id[128], comment[1600];
            snprintf(id, sizeof id, "fuzz-%llu-%zu", (unsigned long long)fo->seed, f[i].index);
            snprintf(comment, sizeof comment,
                     "vmwire-conformance --fuzz: seed %llu, case %zu, generator %s on golden case %s; minimised. "
                     "The testee answered %s: %s. The expectation is the reference implementation's answer: "
                     "review it against the spec before adding the case.",
                     (unsigned long long)fo->seed, f[i].index, f[i].generator, f[i].seed->id, f[i].got, f[i].detail);
            json_object_set_new(c, "id", json_string(id));
            json_object_set(c, "rules", f[i].seed->rules);
            json_object_set_new(c, "comment", json_string(comment));
            const json_t *steps = json_object_get(f[i].expect, "steps");
            if (steps) {
                json_t *ss = json_array();
                for (size_t s = 0; s < json_array_size(json_object_get(req, "steps")); s++) {
                    json_t *st = json_deep_copy(json_array_get(json_object_get(req, "steps"), s));
                    json_t *e = json_array_get(steps, s);
                    if (e)
                        json_object_update(st, e);
                    json_array_append_new(ss, st);
                }
                json_object_set_new(c, "steps", ss);
            } else {
                json_object_set(c, "input", json_object_get(req, "input"));
                json_object_update(c, f[i].expect);
            }
            json_object_set_new(g, "cases", json_array());
            json_array_append_new(json_object_get(g, "cases"), c);
            json_array_append_new(groups, g);
        }
        json_object_set_new(doc, "protocol", json_string(protos[pi]));
        json_object_set_new(doc, "spec", json_string(spec ? spec : ""));
        json_object_set_new(doc, "version", json_integer(1));
        char comment[256];
        snprintf(comment, sizeof comment,
                 "Disagreements between a testee and the reference implementation found by vmwire-conformance "
                 "--fuzz (seed %llu), each minimised",
                 (unsigned long long)fo->seed);
        json_object_set_new(doc, "comment", json_string(comment));
        json_object_set_new(doc, "groups", groups);
        if (json_dump_file(doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) {
            fprintf(stderr, "vmwire-conformance: --fuzz-out %s: cannot write\n", path);
            rc = -1;
        } else {
            printf("fuzz: wrote %s\n", path);
        }
        json_decref(doc);
    }
    return rc;
}

/* ---- the run ----------------------------------------------------------------------- */

#define MAX_FOUND 64

int vwc_fuzz(const struct vwc_options *o, const struct vwc_suite *s, const struct vwc_fuzz_options *fo)
{
    struct kind *kinds = NULL;
    size_t nk = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct vwc_case *c = &s->cases[i];
        if (!c->selected)
            continue;
        struct kind *k = NULL;
        for (size_t j = 0; j < nk && !k; j++)
            if (!strcmp(kinds[j].operation, c->operation) && !strcmp(kinds[j].message, c->message))
                k = &kinds[j];
        if (!k) {
            struct kind *nkinds = realloc(kinds, (nk + 1) * sizeof *kinds);
            if (!nkinds) {
                oom();
                break;
            }
            kinds = nkinds;
            k = &kinds[nk++];
            memset(k, 0, sizeof *k);
            k->operation = c->operation;
            k->message = c->message;
            k->protocol = c->protocol;
        }
        struct vwc_case **ns = realloc(k->seeds, (k->nseeds + 1) * sizeof *ns);
        if (!ns) {
            oom();
            break;
        }
        k->seeds = ns;
        k->seeds[k->nseeds++] = c;
    }
    struct fuzzer fz = { .o = o, .fo = fo, .t0 = now(), .tty = isatty(STDERR_FILENO) };
    fz.b = vwt_nomem_seen() ? NULL : vwc_backend_new(o);
    if (!fz.b) {
        /* vwc_backend_new() fails only when out of memory */
        oom();
        printf("FUZZ NOT JUDGED: out of memory\n");
        for (size_t ki = 0; ki < nk; ki++)
            free(kinds[ki].seeds);
        free(kinds);
        return 3;
    }
    struct found found[MAX_FOUND];
    size_t nfound = 0, distinct_dropped = 0;
    printf("fuzz: seed %llu, %zu requests for each of %zu kinds (operation and message), against %s%s\n",
           (unsigned long long)fo->seed, fo->n, nk, o->testee ? o->testee : "the built-in implementation",
           o->strict_errors ? ", error names compared" : "");
    fflush(stdout);
    double per_kind = fo->seconds > 0 ? fo->seconds / (double)nk : 0;
    size_t index = 0;
    for (size_t ki = 0; ki < nk && !vwt_nomem_seen(); ki++) {
        struct kind *k = &kinds[ki];
        double kt0 = now();
        for (size_t i = 0; i < fo->n; i++, index++) {
            if (per_kind > 0 && now() - kt0 > per_kind)
                break;
            if (vwt_nomem_seen()) /* a request or verdict may be incomplete: stop */
                break;
            struct vwfg_rng r = { fo->seed * 0x100000001b3ull ^ (uint64_t)index * 0x9e3779b97f4a7c15ull };
            rnd(&r);
            const struct vwc_case *seed = k->seeds[below(&r, k->nseeds)];
            char gen[600];
            json_t *req = generate(&r, k, seed, gen, sizeof gen);
            char id[64];
            snprintf(id, sizeof id, "fuzz-%llu-%zu", (unsigned long long)fo->seed, index);
            if (!req || json_object_set_new(req, "id", json_string(id)) || vwt_nomem_seen()) {
                oom();
                json_decref(req);
                break;
            }
            struct verdict v;
            check(&fz, k->operation, req, &v);
            if (vwt_nomem_seen()) {
                verdict_clear(&v);
                json_decref(req);
                break;
            }
            switch (v.outcome) {
            case ORACLE_SKIP: k->oracle_skipped++; break;
            case TESTEE_SKIP:
                k->cases++;
                k->skipped++;
                break;
            case AGREE: k->cases++; break;
            case DISAGREE: {
                k->cases++;
                k->disagreements++;
                fz.total_dis++;
                if (v.got == NULL)
                    k->faults++;
                /* minimise the first of each distinct kind of disagreement */
                char sig[400];
                snprintf(sig, sizeof sig, "%s|%s|%s", k->operation, k->message, v.sig);
                bool seen = false;
                for (size_t f = 0; f < nfound && !seen; f++)
                    seen = !strcmp(found[f].sig, sig);
                if (seen)
                    break;
                if (nfound == MAX_FOUND) {
                    distinct_dropped++;
                    break;
                }
                if (fz.tty)
                    fprintf(stderr, "\r\033[K");
                printf("fuzz: disagreement in %s %s (case %zu, %s on %s): %s\n", k->operation, k->message, index,
                       gen, seed->id, v.detail);
                fflush(stdout);
                json_t *min = json_deep_copy(req);
                if (!min) {
                    oom();
                    break;
                }
                minimise(&fz, k->operation, min, v.sig);
                struct verdict mv;
                check(&fz, k->operation, min, &mv);
                struct verdict *use = mv.outcome == DISAGREE && !strcmp(mv.sig, v.sig) ? &mv : &v;
                if (use == &v) {
                    json_decref(min);
                    min = json_deep_copy(req);
                }
                struct found *fd = &found[nfound++];
                char got[400];
                fd->seed = seed;
                fd->generator = strdup(gen);
                fd->index = index;
                fd->request = min;
                fd->expect = json_incref(use->expect);
                fd->got = strdup(use->got ? answer_summary(use->got, got, sizeof got) : vwc_fault_name(VWC_FAULT_EXIT));
                if (!use->got)
                    snprintf(got, sizeof got, "no answer (%.300s)", use->sig), free(fd->got), fd->got = strdup(got);
                fd->detail = strdup(use->detail);
                fd->sig = strdup(sig);
                if (!fd->generator || !fd->request || !fd->got || !fd->detail || !fd->sig)
                    oom();
                verdict_clear(&mv);
                break;
            }
            }
            verdict_clear(&v);
            json_decref(req);
            fz.total_cases++;
            progress(&fz, k, false);
        }
    }
    if (fz.tty)
        fprintf(stderr, "\r\033[K");
    vwc_backend_free(fz.b);

    double el = now() - fz.t0;
    printf("\nfuzz summary (seed %llu):\n", (unsigned long long)fo->seed);
    printf("  %-9s %-30s %8s %8s %8s %13s\n", "operation", "message", "cases", "skipped", "not-gen", "disagreements");
    size_t tot = 0, dis = 0, skip = 0;
    for (size_t ki = 0; ki < nk; ki++) {
        const struct kind *k = &kinds[ki];
        printf("  %-9s %-30s %8zu %8zu %8zu %13zu\n", k->operation, k->message, k->cases, k->skipped,
               k->oracle_skipped, k->disagreements);
        tot += k->cases;
        dis += k->disagreements;
        skip += k->skipped;
    }
    printf("  %zu requests judged (%zu skipped by the testee) and %zu shrinking calls in %.1f s\n", tot, skip,
           fz.calls - tot, el);
    int rc = 0;
    if (!vwt_nomem_seen() && nfound && fo->out && write_out(fo, found, nfound))
        rc = 2;
    if (vwt_nomem_seen()) {
        /* a request, a verdict, a count or a member of the --fuzz-out file
         * may be missing: no verdict (main() adds its internal-error line) */
        printf("FUZZ NOT JUDGED: out of memory after %zu requests\n", tot);
        rc = 3;
    } else if (dis) {
        printf("FUZZ FAILED: %zu disagreements, %zu distinct ones minimised%s%s%s\n", dis, nfound,
               fo->out ? " and written to " : "", fo->out ? fo->out : "", distinct_dropped ? " (more were not kept)" : "");
        if (!rc)
            rc = 1;
    } else if (tot == skip) {
        printf("FUZZ FAILED: nothing was judged (every request was skipped)\n");
        rc = rc ? rc : 1;
    } else {
        printf("FUZZ PASSED: no disagreement in %zu requests\n", tot);
    }
    for (size_t i = 0; i < nfound; i++) {
        free(found[i].generator);
        json_decref(found[i].request);
        json_decref(found[i].expect);
        free(found[i].got);
        free(found[i].detail);
        free(found[i].sig);
    }
    for (size_t ki = 0; ki < nk; ki++)
        free(kinds[ki].seeds);
    free(kinds);
    return rc;
}
