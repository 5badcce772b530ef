/* vw-gen-fast: writes the tag tables of the fast decoder (fast.h) for the
 * crosvm and serial schemas, as C, to the file named by argv[1].
 *
 * Built and run by the build (src/pb/local.mk): it links the protoc-c code
 * of the schemas, walks the ProtobufCMessageDescriptor graph below the top-
 * level messages and gives every message type one table with an entry per
 * tag byte below 128 (one-byte tags). A tag byte gets a fast kind only when
 * its wire type is the field's own and the field's kind is one that
 * src/pb/fast.c decodes exactly as dec_msg() does; every other tag byte is
 * VW_PB_FK_GENERIC (the whole decode goes to vw_pb_decode()). The output is
 * never committed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crosvm/final/plugin.pb-c.h"
#include "crosvm/seed/plugin.pb-c.h"
#include "pb/fast.h"
#include "vmwire/arena.h"
#include "serial/guest.pb-c.h"

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

/* The fast kind of field @p f for a tag byte with wire type @p wt. */
static enum vw_pb_fast_kind kind_of(const ProtobufCFieldDescriptor *f, int wt)
{
    int oneof = (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0;
    if (wt != wire_type(f->type) || f->offset > 0xffff || f->quantifier_offset > 0xffff)
        return VW_PB_FK_GENERIC;
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        if (f->label == PROTOBUF_C_LABEL_REPEATED)
            return VW_PB_FK_MSG_REP;
        return oneof ? VW_PB_FK_MSG_ONEOF : VW_PB_FK_MSG;
    }
    if (f->type == PROTOBUF_C_TYPE_BYTES && f->label == PROTOBUF_C_LABEL_NONE)
        return oneof ? VW_PB_FK_BYTES_ONEOF : VW_PB_FK_BYTES;
    if (f->label != PROTOBUF_C_LABEL_NONE || oneof)
        return VW_PB_FK_GENERIC; /* proto2 labels, repeated and oneof scalars */
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_ENUM:
        return VW_PB_FK_V32;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
        return VW_PB_FK_V64;
    case PROTOBUF_C_TYPE_BOOL:
        return VW_PB_FK_BOOL;
    case PROTOBUF_C_TYPE_SINT32:
        return VW_PB_FK_S32;
    case PROTOBUF_C_TYPE_SINT64:
        return VW_PB_FK_S64;
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return little_endian() ? VW_PB_FK_F32 : VW_PB_FK_GENERIC;
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return little_endian() ? VW_PB_FK_F64 : VW_PB_FK_GENERIC;
    case PROTOBUF_C_TYPE_STRING:
        return VW_PB_FK_STRING;
    default:
        return VW_PB_FK_GENERIC;
    }
}

static void emit_type(FILE *o, unsigned ti)
{
    const ProtobufCMessageDescriptor *d = types[ti];
    unsigned n = 0;
    if (d->magic != PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC) {
        fprintf(stderr, "vw-gen-fast: bad descriptor\n");
        exit(1);
    }
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].id >= 1 && d->fields[i].id <= 15 && (d->fields[i].id << 3 | 7) + 1 > n)
            n = (d->fields[i].id << 3 | 7) + 1;
    fprintf(o, "/* %s */\n", d->name);
    if (n == 0) {
        fprintf(o, "#define E%u NULL\n#define N%u 0u\n\n", ti, ti);
        return;
    }
    fprintf(o, "static const struct vw_pb_fent E%u[%u] = {\n", ti, n);
    for (unsigned t = 0; t < n; t++) {
        const ProtobufCFieldDescriptor *f = NULL;
        unsigned fi = 0;
        for (unsigned i = 0; i < d->n_fields; i++)
            if (d->fields[i].id == t >> 3 && t >> 3 != 0) {
                f = &d->fields[i];
                fi = i;
            }
        enum vw_pb_fast_kind k = f ? kind_of(f, (int)(t & 7)) : VW_PB_FK_GENERIC;
        if (k == VW_PB_FK_GENERIC || fi > 0xff)
            continue; /* zero-initialised: VW_PB_FK_GENERIC */
        if (f->type == PROTOBUF_C_TYPE_MESSAGE)
            fprintf(o, "    [%u] = { &T[%u], %u, %u, %d, %u, 0 }, /* %s */\n", t,
                    type_index(f->descriptor), f->offset, f->quantifier_offset, (int)k, fi,
                    f->name);
        else
            fprintf(o, "    [%u] = { NULL, %u, %u, %d, %u, 0 }, /* %s */\n", t, f->offset,
                    f->quantifier_offset, (int)k, fi, f->name);
    }
    fprintf(o, "};\n#define N%u %uu\n\n", ti, n);
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
    if (argc != 2) {
        fprintf(stderr, "usage: vw-gen-fast OUTPUT.c\n");
        return 2;
    }
    FILE *o = fopen(argv[1], "w");
    if (!o) {
        perror(argv[1]);
        return 1;
    }
    for (unsigned i = 0; i < sizeof roots / sizeof roots[0]; i++)
        type_index(roots[i]);
    /* Find every reachable type first: the table array is declared with its size. */
    for (unsigned ti = 0; ti < n_types; ti++)
        for (unsigned i = 0; i < types[ti]->n_fields; i++)
            if (types[ti]->fields[i].type == PROTOBUF_C_TYPE_MESSAGE)
                type_index(types[ti]->fields[i].descriptor);
    fprintf(o, "/* Generated by vw-gen-fast (src/pb/gen_fast.c) from protoc-c's descriptors.\n"
               " * Do not edit; never committed. */\n"
               "#include <stddef.h>\n\n#include \"pb/fast.h\"\n\n"
               "static const struct vw_pb_ftab T[%u];\n\n",
            n_types);
    for (unsigned ti = 0; ti < n_types; ti++)
        emit_type(o, ti);
    fprintf(o, "static const struct vw_pb_ftab T[%u] = {\n", n_types);
    for (unsigned ti = 0; ti < n_types; ti++)
        fprintf(o, "    { E%u, N%u, %zu },\n", ti, ti,
                (types[ti]->sizeof_message + VW_ARENA_ALIGN - 1) & ~(size_t)(VW_ARENA_ALIGN - 1));
    fprintf(o, "};\n\n"
               "const struct vw_pb_ftab *const vw_pb__fast_crosvm[2][4] = {\n"
               "    { &T[0], &T[1], &T[2], &T[3] },\n"
               "    { &T[4], &T[5], &T[6], &T[7] },\n"
               "};\n"
               "const struct vw_pb_ftab *const vw_pb__fast_serial[2] = { &T[8], &T[9] };\n");
    if (fclose(o) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
