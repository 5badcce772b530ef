/* vw-gen-fast: writes the per-schema fast decoders (fast.h) of the crosvm and
 * serial schemas, as C, to the file named by argv[1].
 *
 * Built and run by the build (src/pb/local.mk): it links the protoc-c code
 * of the schemas, walks the ProtobufCMessageDescriptor graph below the ten
 * top-level messages and writes one decoding function per message type: a
 * loop with one switch on the tag byte (one load and one jump per field with
 * a one-byte tag), the member's offset, oneof case offset and field number
 * as constants, varints and lengths read inline, sub-messages taken from the
 * arena and initialised from protoc-c's __INIT template in place (no call),
 * a cheap path for the first occurrence of a oneof member. A tag byte gets a
 * case only when its wire type is the field's own and the field's kind is one
 * that the generated code decodes exactly as dec_msg() does; every other tag
 * byte (unknown fields, other wire types, tags of two bytes or more, repeated
 * and oneof scalars, proto2 labels) hands the decode over to the generic
 * decoder at that field (fast.c). The output is never committed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crosvm/final/plugin.pb-c.h"
#include "crosvm/seed/plugin.pb-c.h"
#include "serial/guest.pb-c.h"
#include "vmwire/arena.h"

#define MAX_TYPES 1024

static const ProtobufCMessageDescriptor *types[MAX_TYPES];
static unsigned n_types;

static unsigned type_index(const ProtobufCMessageDescriptor *d)
{
    for (unsigned i = 0; i < n_types; i++)
        if (types[i] == d)
            return i;
    if (n_types == MAX_TYPES) {
        fprintf(stderr, "vw-gen-fast: more than %d message types\n", MAX_TYPES);
        exit(1);
    }
    types[n_types] = d;
    return n_types++;
}

/* protoc-c's C name of a message, lower case ("vmwire__crosvm__seed__vcpu_response"),
 * from its full name: dots become "__", an upper-case letter after a lower-case
 * one gets an underscore. Names this rule may not reproduce (two capitals or a
 * digit or an underscore in a row of a message name) stop the generator; the
 * compiler checks the rest (an unknown descriptor or macro is an error). */
static void lower_name(const ProtobufCMessageDescriptor *d, char *out, size_t cap)
{
    size_t k = 0;
    int prev_lower = 0;
    for (const char *s = d->name; *s; s++) {
        if (k + 4 >= cap) {
            fprintf(stderr, "vw-gen-fast: name too long: %s\n", d->name);
            exit(1);
        }
        if (*s == '.') {
            out[k++] = '_';
            out[k++] = '_';
            prev_lower = 0;
        } else if (isupper((unsigned char)*s)) {
            if (prev_lower)
                out[k++] = '_';
            else if (s != d->name && s[-1] != '.') {
                fprintf(stderr, "vw-gen-fast: unsupported message name %s\n", d->name);
                exit(1);
            }
            out[k++] = (char)tolower((unsigned char)*s);
            prev_lower = 0;
        } else if (islower((unsigned char)*s) || (isdigit((unsigned char)*s) && prev_lower)) {
            out[k++] = *s;
            prev_lower = 1;
        } else {
            fprintf(stderr, "vw-gen-fast: unsupported message name %s\n", d->name);
            exit(1);
        }
    }
    out[k] = 0;
}

static int little_endian(void)
{
    const uint16_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

static int wire_type(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return 5;
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 1;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
        return 2;
    default:
        return 0;
    }
}

static size_t aligned(size_t n)
{
    return (n + VW_ARENA_ALIGN - 1) & ~(size_t)(VW_ARENA_ALIGN - 1);
}

/* The code that takes a new message of type @p sd from the arena into m. */
static void emit_new(FILE *o, const ProtobufCMessageDescriptor *sd, const char *indent,
                     const char *arena)
{
    char ln[512], up[512];
    lower_name(sd, ln, sizeof ln);
    size_t i;
    for (i = 0; ln[i]; i++)
        up[i] = (char)toupper((unsigned char)ln[i]);
    up[i] = 0;
    fprintf(o, "%sVW_F_NEW(%s, m, %zu, %s, %s__INIT);\n", indent, arena, aligned(sd->sizeof_message),
            sd->c_name, up);
}

/* The case of tag byte @p t for field @p f (index @p fi), or nothing. */
static void emit_case(FILE *o, const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f,
                      unsigned t)
{
    int oneof = (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0;
    if ((int)(t & 7) != wire_type(f->type))
        return;
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        const ProtobufCMessageDescriptor *sd = f->descriptor;
        unsigned si = type_index(sd);
        fprintf(o, "        case %u: { /* %s */\n", t, f->name);
        fprintf(o, "            size_t n;\n            ProtobufCMessage *m;\n");
        fprintf(o, "            VW_F_LEN(p, end, n);\n");
        fprintf(o, "            if (VW_F_UNLIKELY(depth >= VW_PB_MAX_DEPTH))\n                goto bail;\n");
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            fprintf(o, "            size_t cnt;\n            ProtobufCMessage **arr;\n");
            fprintf(o, "            memcpy(&cnt, (char *)msg + %u, sizeof cnt);\n", f->quantifier_offset);
            fprintf(o, "            memcpy(&arr, (char *)msg + %u, sizeof arr);\n", f->offset);
            fprintf(o, "            if (VW_F_UNLIKELY(cnt == 0 || (cnt >= 4 && (cnt & (cnt - 1)) == 0))) {\n");
            fprintf(o, "                if (!(arr = vw_pb__fgrow(c, arr, cnt, %zu)))\n                    goto bail;\n",
                    aligned(sd->sizeof_message));
            fprintf(o, "                memcpy((char *)msg + %u, &arr, sizeof arr);\n            }\n", f->offset);
            emit_new(o, sd, "            ", "c->a");
            fprintf(o, "            arr[cnt++] = m;\n");
            fprintf(o, "            memcpy((char *)msg + %u, &cnt, sizeof cnt);\n", f->quantifier_offset);
        } else if (oneof) {
            fprintf(o, "            uint32_t cs;\n");
            fprintf(o, "            memcpy(&m, (char *)msg + %u, sizeof m);\n", f->offset);
            fprintf(o, "            memcpy(&cs, (char *)msg + %u, 4);\n", f->quantifier_offset);
            fprintf(o, "            if (VW_F_LIKELY(cs != %u || !m)) {\n", f->id);
            emit_new(o, sd, "                ", "c->a");
            fprintf(o, "                cs = %u;\n", f->id);
            fprintf(o, "                memcpy((char *)msg + %u, &cs, 4);\n", f->quantifier_offset);
            fprintf(o, "                memcpy((char *)msg + %u, &m, sizeof m);\n            }\n", f->offset);
        } else {
            fprintf(o, "            memcpy(&m, (char *)msg + %u, sizeof m);\n", f->offset);
            fprintf(o, "            if (!m) {\n");
            emit_new(o, sd, "                ", "c->a");
            fprintf(o, "                memcpy((char *)msg + %u, &m, sizeof m);\n            }\n", f->offset);
        }
        fprintf(o, "            const uint8_t *q = d%u(c, m, p, p + n, depth + 1);\n", si);
        fprintf(o, "            if (VW_F_UNLIKELY(!q))\n                return vw_pb__fup(c, msg, end, depth);\n");
        fprintf(o, "            p = q;\n            continue;\n        }\n");
        return;
    }
    if (f->type == PROTOBUF_C_TYPE_BYTES && f->label == PROTOBUF_C_LABEL_NONE) {
        fprintf(o, "        case %u: { /* %s */\n", t, f->name);
        fprintf(o, "            size_t n;\n            ProtobufCBinaryData bd;\n");
        fprintf(o, "            VW_F_LEN(p, end, n);\n");
        fprintf(o, "            bd.len = n;\n            bd.data = (uint8_t *)(uintptr_t)p;\n");
        fprintf(o, "            memcpy((char *)msg + %u, &bd, sizeof bd);\n", f->offset);
        if (oneof)
            fprintf(o, "            { uint32_t cs = %u; memcpy((char *)msg + %u, &cs, 4); }\n", f->id,
                    f->quantifier_offset);
        fprintf(o, "            p += n;\n            continue;\n        }\n");
        return;
    }
    if (f->label != PROTOBUF_C_LABEL_NONE || oneof)
        return;
    const char *store = NULL;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_ENUM:
        store = "uint32_t x = (uint32_t)v;";
        break;
    case PROTOBUF_C_TYPE_SINT32:
        store = "uint32_t x = (uint32_t)v; x = (x >> 1) ^ (0u - (x & 1));";
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
        store = "uint64_t x = v;";
        break;
    case PROTOBUF_C_TYPE_SINT64:
        store = "uint64_t x = (v >> 1) ^ (0 - (v & 1));";
        break;
    case PROTOBUF_C_TYPE_BOOL:
        store = "protobuf_c_boolean x = v != 0;";
        break;
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: {
        unsigned w = wire_type(f->type) == 5 ? 4 : 8;
        if (!little_endian())
            return;
        fprintf(o, "        case %u: /* %s */\n", t, f->name);
        fprintf(o, "            if (VW_F_UNLIKELY((size_t)(end - p) < %u))\n                goto bail;\n", w);
        fprintf(o, "            memcpy((char *)msg + %u, p, %u);\n            p += %u;\n            continue;\n",
                f->offset, w, w);
        return;
    }
    case PROTOBUF_C_TYPE_STRING:
        fprintf(o, "        case %u: { /* %s */\n", t, f->name);
        fprintf(o, "            size_t n;\n            char *s;\n");
        fprintf(o, "            VW_F_LEN(p, end, n);\n");
        fprintf(o, "            if (!(s = vw_pb__fstring(c, p, n)))\n                goto bail;\n");
        fprintf(o, "            memcpy((char *)msg + %u, &s, sizeof s);\n", f->offset);
        fprintf(o, "            p += n;\n            continue;\n        }\n");
        return;
    default:
        return;
    }
    fprintf(o, "        case %u: { /* %s */\n", t, f->name);
    fprintf(o, "            uint64_t v;\n            VW_F_VARINT(p, end, v);\n");
    fprintf(o, "            %s\n            memcpy((char *)msg + %u, &x, sizeof x);\n", store, f->offset);
    fprintf(o, "            continue;\n        }\n");
    (void)d;
}

static void emit_type(FILE *o, unsigned ti)
{
    const ProtobufCMessageDescriptor *d = types[ti];
    if (d->magic != PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC) {
        fprintf(stderr, "vw-gen-fast: bad descriptor\n");
        exit(1);
    }
    fprintf(o, "/* %s */\n", d->name);
    fprintf(o, "static const uint8_t *d%u(struct vw_pb_fctx *c, ProtobufCMessage *msg, const uint8_t *p,\n"
               "                      const uint8_t *end, unsigned depth)\n{\n", ti);
    fprintf(o, "    const uint8_t *tag_at = p;\n");
    fprintf(o, "    while (p < end) {\n        tag_at = p;\n        switch (*p++) {\n");
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->id < 1 || f->id > 15)
            continue;
        for (unsigned wt = 0; wt < 8; wt++)
            emit_case(o, d, f, f->id << 3 | wt);
    }
    fprintf(o, "        default:\n            goto bail;\n        }\n    }\n    return p;\n");
    fprintf(o, "bail:\n    return vw_pb__fbail(c, msg, tag_at, end, depth);\n}\n\n");
}

int main(int argc, char **argv)
{
    static const ProtobufCMessageDescriptor *const roots[] = {
        &vmwire__crosvm__seed__main_request__descriptor,
        &vmwire__crosvm__seed__main_response__descriptor,
        &vmwire__crosvm__seed__vcpu_request__descriptor,
        &vmwire__crosvm__seed__vcpu_response__descriptor,
        &vmwire__crosvm__final__main_request__descriptor,
        &vmwire__crosvm__final__main_response__descriptor,
        &vmwire__crosvm__final__vcpu_request__descriptor,
        &vmwire__crosvm__final__vcpu_response__descriptor,
        &vmwire__serial__guest_message__descriptor,
        &vmwire__serial__vmm_config__descriptor,
    };
    const unsigned n_roots = sizeof roots / sizeof roots[0];
    if (argc != 2) {
        fprintf(stderr, "usage: vw-gen-fast OUTPUT.c\n");
        return 2;
    }
    FILE *o = fopen(argv[1], "w");
    if (!o) {
        perror(argv[1]);
        return 1;
    }
    for (unsigned i = 0; i < n_roots; i++)
        type_index(roots[i]);
    for (unsigned ti = 0; ti < n_types; ti++)
        for (unsigned i = 0; i < types[ti]->n_fields; i++)
            if (types[ti]->fields[i].type == PROTOBUF_C_TYPE_MESSAGE)
                type_index(types[ti]->fields[i].descriptor);
    fprintf(o, "/* Generated by vw-gen-fast (src/pb/gen_fast.c) from protoc-c's descriptors.\n"
               " * Do not edit; never committed. */\n"
               "#include <string.h>\n\n"
               "#include \"crosvm/final/plugin.pb-c.h\"\n"
               "#include \"crosvm/seed/plugin.pb-c.h\"\n"
               "#include \"serial/guest.pb-c.h\"\n"
               "#include \"pb/fast.h\"\n\n");
    for (unsigned ti = 0; ti < n_types; ti++)
        fprintf(o, "static VW_F_MAYBE_UNUSED const uint8_t *d%u(struct vw_pb_fctx *c, ProtobufCMessage *msg,\n"
                   "                      const uint8_t *p, const uint8_t *end, unsigned depth);\n",
                ti);
    fprintf(o, "\n");
    for (unsigned ti = 0; ti < n_types; ti++)
        emit_type(o, ti);
    for (unsigned r = 0; r < n_roots; r++) {
        char ln[512];
        lower_name(roots[r], ln, sizeof ln);
        fprintf(o, "static vw_status r%u(const uint8_t *buf, size_t len, struct vw_arena *a,\n"
                   "                    ProtobufCMessage **out, size_t *off)\n{\n", r);
        fprintf(o, "    struct vw_pb_fctx c;\n    ProtobufCMessage *m;\n"
                   "    if (VW_F_UNLIKELY(!buf))\n        buf = (const uint8_t *)\"\"; /* len is 0 */\n"
                   "    c.a = a;\n    c.used0 = a->used;\n    c.needed0 = a->needed;\n"
                   "    if (VW_F_UNLIKELY(c.needed0 != c.used0 || c.used0 > a->cap))\n"
                   "        goto bail;\n");
        emit_new(o, roots[r], "    ", "a");
        fprintf(o, "    if (VW_F_LIKELY(d%u(&c, m, buf, buf + len, 0) != NULL)) {\n"
                   "        *out = m;\n        *off = len;\n        return VW_OK;\n    }\n"
                   "    return vw_pb__fresume(&c, &%s__descriptor, buf, len, m, out, off);\n"
                   "bail: /* nothing taken */\n    return vw_pb_decode(&%s__descriptor, buf, len, a, out, off);\n}\n\n",
                type_index(roots[r]), ln, ln);
    }
    fprintf(o, "const vw_pb_fast_fn vw_pb__fast_crosvm[2][4] = {\n"
               "    { r0, r1, r2, r3 },\n    { r4, r5, r6, r7 },\n};\n"
               "const vw_pb_fast_fn vw_pb__fast_serial[2] = { r8, r9 };\n");
    if (fclose(o) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
