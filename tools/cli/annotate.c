/* The vmwire command's dissector (--annotate): one line per field with its
 * offset, length, raw bytes and meaning; every input byte is on exactly one
 * line, unknown fields and padding included.
 *
 * Protobuf kinds (crosvm.*, serial.GuestMessage, serial.VmmConfig) are
 * walked at the wire level with the protobuf-c descriptors the library
 * exposes (vw_crosvm_descriptor, vw_serial_descriptor). IC kinds are walked
 * with the layouts of spec/ic.md sections 1 to 8. Whether the message is
 * valid is the library's verdict, printed by the caller; this walk only
 * shows where the bytes are. */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include <protobuf-c/protobuf-c.h>

#include "cli/cli.h"
#include "vmwire/vmwire.h"

struct ann {
    FILE *f;
    const struct cli_style *st;
    const uint8_t *p;
    size_t len;
    size_t base;
};

void cli_annotate_header(FILE *f, const struct cli_style *st)
{
    fprintf(f, "%s%6s %5s  %-26s %s%s\n", cli_c(st, CLI_BOLD), "offset", "len", "bytes", "field",
            cli_c(st, CLI_RESET));
}

/* One line: offset, length, up to 8 raw bytes, indented meaning. */
static void line(struct ann *a, size_t off, size_t n, int depth, const char *color, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

static void line(struct ann *a, size_t off, size_t n, int depth, const char *color, const char *fmt, ...)
{
    char bytes[32] = "";
    size_t k = 0;
    for (size_t i = 0; i < n && i < 8; i++)
        k += (size_t)snprintf(bytes + k, sizeof bytes - k, i ? " %02x" : "%02x", a->p[off + i]);
    if (n > 8)
        snprintf(bytes + k, sizeof bytes - k, " ..");
    fprintf(a->f, "%6zu %5zu  %s%-26s%s %*s", a->base + off, n, cli_c(a->st, CLI_DIM), bytes,
            cli_c(a->st, CLI_RESET), 2 * depth, "");
    fputs(cli_c(a->st, color), a->f);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(a->f, fmt, ap);
    va_end(ap);
    fputs(cli_c(a->st, CLI_RESET), a->f);
    fputc('\n', a->f);
}

/* Length of the valid UTF-8 sequence at p (shortest form, no surrogates), or 0. */
static int utf8_seq(const uint8_t *p, size_t n)
{
    int l = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
    if (n < (size_t)l)
        return 0;
    for (int i = 1; i < l; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (l == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
        return 0;
    if (l == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)))
        return 0;
    return l;
}

static void quoted(char *out, size_t cap, const uint8_t *p, size_t n)
{
    size_t k = 0;
    if (cap < 8)
        return;
    out[k++] = '"';
    for (size_t i = 0; i < n && k + 8 < cap; i++) {
        if (p[i] == '"' || p[i] == '\\')
            k += (size_t)snprintf(out + k, cap - k, "\\%c", p[i]);
        else if (p[i] >= 0x20 && p[i] < 0x7f)
            out[k++] = (char)p[i];
        else if (p[i] >= 0xc2 && p[i] <= 0xf4 && utf8_seq(p + i, n - i) > 0) {
            size_t sl = (size_t)utf8_seq(p + i, n - i);
            memcpy(out + k, p + i, sl);
            k += sl;
            i += sl - 1;
        }
        else
            k += (size_t)snprintf(out + k, cap - k, "\\x%02x", p[i]);
        if (k + 8 >= cap && i + 1 < n) {
            k += (size_t)snprintf(out + k, cap - k, "...");
            break;
        }
    }
    out[k++] = '"';
    out[k] = 0;
}

/* ======================================================================= */
/* Protobuf                                                                  */
/* ======================================================================= */

static const char *const wire_names[8] = { "VARINT", "I64", "LEN", "SGROUP", "EGROUP", "I32", "wire type 6",
                                           "wire type 7" };

static int varint(const uint8_t *p, size_t end, size_t pos, uint64_t *v, size_t *n)
{
    uint64_t x = 0;
    for (size_t i = 0; i < 10; i++) {
        if (pos + i >= end)
            return -1; /* runs off the end */
        x |= (uint64_t)(p[pos + i] & 0x7f) << (7 * i);
        if (!(p[pos + i] & 0x80)) {
            *v = x;
            *n = i + 1;
            return 0;
        }
    }
    return -2; /* more than 10 bytes */
}

static const char *type_name(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32: return "int32";
    case PROTOBUF_C_TYPE_SINT32: return "sint32";
    case PROTOBUF_C_TYPE_SFIXED32: return "sfixed32";
    case PROTOBUF_C_TYPE_INT64: return "int64";
    case PROTOBUF_C_TYPE_SINT64: return "sint64";
    case PROTOBUF_C_TYPE_SFIXED64: return "sfixed64";
    case PROTOBUF_C_TYPE_UINT32: return "uint32";
    case PROTOBUF_C_TYPE_FIXED32: return "fixed32";
    case PROTOBUF_C_TYPE_UINT64: return "uint64";
    case PROTOBUF_C_TYPE_FIXED64: return "fixed64";
    case PROTOBUF_C_TYPE_FLOAT: return "float";
    case PROTOBUF_C_TYPE_DOUBLE: return "double";
    case PROTOBUF_C_TYPE_BOOL: return "bool";
    case PROTOBUF_C_TYPE_ENUM: return "enum";
    case PROTOBUF_C_TYPE_STRING: return "string";
    case PROTOBUF_C_TYPE_BYTES: return "bytes";
    case PROTOBUF_C_TYPE_MESSAGE: return "message";
    }
    return "?";
}

/* The wire type a declared type is normally sent with. */
static unsigned wire_of(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return 5;
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_FIXED64:
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

/* Meaning of a scalar value read with wire type wt. */
static void scalar_text(const ProtobufCFieldDescriptor *fd, unsigned wt, uint64_t v, char *out, size_t cap)
{
    if (!fd) {
        if (wt == 0)
            snprintf(out, cap, "%" PRIu64, v);
        else
            snprintf(out, cap, "0x%0*" PRIx64, wt == 5 ? 8 : 16, v);
        return;
    }
    switch (fd->type) {
    case PROTOBUF_C_TYPE_INT32:
        snprintf(out, cap, "%" PRId32, (int32_t)(uint32_t)v);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        snprintf(out, cap, "%" PRId64, (int64_t)v);
        break;
    case PROTOBUF_C_TYPE_SFIXED32:
        snprintf(out, cap, "%" PRId32, (int32_t)(uint32_t)v);
        break;
    case PROTOBUF_C_TYPE_SINT32:
        snprintf(out, cap, "%" PRId32, (int32_t)(((uint32_t)v >> 1) ^ (uint32_t)-(int32_t)(v & 1)));
        break;
    case PROTOBUF_C_TYPE_SINT64:
        snprintf(out, cap, "%" PRId64, (int64_t)((v >> 1) ^ (uint64_t)-(int64_t)(v & 1)));
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        snprintf(out, cap, "%" PRIu32, (uint32_t)v);
        break;
    case PROTOBUF_C_TYPE_FLOAT: {
        uint32_t u = (uint32_t)v;
        float fl;
        memcpy(&fl, &u, sizeof fl);
        snprintf(out, cap, "%g", (double)fl);
        break;
    }
    case PROTOBUF_C_TYPE_DOUBLE: {
        double d;
        memcpy(&d, &v, sizeof d);
        snprintf(out, cap, "%g", d);
        break;
    }
    case PROTOBUF_C_TYPE_BOOL:
        snprintf(out, cap, "%s", v ? "true" : "false");
        if (v > 1)
            snprintf(out, cap, "true (%" PRIu64 ")", v);
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *ev =
            fd->descriptor ? protobuf_c_enum_descriptor_get_value(fd->descriptor, (int)(int32_t)(uint32_t)v) : NULL;
        if (ev)
            snprintf(out, cap, "%s (%" PRId32 ")", ev->name, (int32_t)(uint32_t)v);
        else
            snprintf(out, cap, "%" PRId32 " (no name in the enum)", (int32_t)(uint32_t)v);
        break;
    }
    default:
        snprintf(out, cap, "%" PRIu64, v);
    }
}

static int pb_walk(struct ann *a, const ProtobufCMessageDescriptor *d, size_t pos, size_t end, int depth);

static int is_packable(ProtobufCType t)
{
    return t != PROTOBUF_C_TYPE_STRING && t != PROTOBUF_C_TYPE_BYTES && t != PROTOBUF_C_TYPE_MESSAGE;
}

/* Elements of a packed repeated field in [pos, end). */
static int pb_packed(struct ann *a, const ProtobufCFieldDescriptor *fd, size_t pos, size_t end, int depth)
{
    unsigned wt = wire_of(fd->type);
    for (size_t i = 0; pos < end; i++) {
        uint64_t v = 0;
        size_t n;
        char txt[96];
        if (wt == 0) {
            if (varint(a->p, end, pos, &v, &n)) {
                line(a, pos, end - pos, depth, CLI_RED, "[%zu] malformed varint (runs past the field)", i);
                return -1;
            }
        } else {
            n = wt == 5 ? 4 : 8;
            if (end - pos < n) {
                line(a, pos, end - pos, depth, CLI_RED, "[%zu] truncated: %zu of %zu bytes", i, end - pos, n);
                return -1;
            }
            for (size_t k = 0; k < n; k++)
                v |= (uint64_t)a->p[pos + k] << (8 * k);
        }
        scalar_text(fd, wt, v, txt, sizeof txt);
        line(a, pos, n, depth, "", "[%zu] = %s", i, txt);
        pos += n;
    }
    return 0;
}

/* The bytes of an enclosing message after a fault inside a field. */
static void after_fault(struct ann *a, size_t pos, size_t end, int depth)
{
    if (pos < end)
        line(a, pos, end - pos, depth, CLI_RED, "not decoded: the message stops at the fault above");
}

static int pb_walk(struct ann *a, const ProtobufCMessageDescriptor *d, size_t pos, size_t end, int depth)
{
    int groups = 0;
    while (pos < end) {
        uint64_t tag;
        size_t n;
        int vr = varint(a->p, end, pos, &tag, &n);
        if (vr) {
            line(a, pos, end - pos, depth, CLI_RED, "malformed tag: %s",
                 vr == -1 ? "the varint runs past the end" : "the varint is longer than 10 bytes");
            return -1;
        }
        uint64_t fnum = tag >> 3;
        unsigned wt = (unsigned)(tag & 7);
        const ProtobufCFieldDescriptor *fd =
            d && fnum <= 0x1fffffff ? protobuf_c_message_descriptor_get_field(d, (unsigned)fnum) : NULL;
        char what[160];
        if (fd)
            snprintf(what, sizeof what, "%s%s%s: field %" PRIu64 ", %s, %s%s%s", cli_c(a->st, CLI_CYAN), fd->name,
                     cli_c(a->st, CLI_RESET), fnum, wire_names[wt],
                     fd->label == PROTOBUF_C_LABEL_REPEATED ? "repeated " : "", type_name(fd->type),
                     (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ? " (oneof member)" : "");
        else
            snprintf(what, sizeof what, "%sunknown field %" PRIu64 "%s, %s (kept by protobuf as an unknown field)",
                     cli_c(a->st, CLI_YELLOW), fnum, cli_c(a->st, CLI_RESET), wire_names[wt]);
        if (fnum == 0) {
            line(a, pos, n, depth, CLI_RED, "tag with field number 0 (invalid)");
            if (pos + n < end)
                line(a, pos + n, end - pos - n, depth, CLI_RED, "not decoded after the invalid tag");
            return -1;
        }
        line(a, pos, n, depth, "", "tag %s", what);
        if (fd && wt != wire_of(fd->type) && !(wt == 2 && fd->label == PROTOBUF_C_LABEL_REPEATED &&
                                               is_packable(fd->type)))
            line(a, pos, 0, depth + 1, CLI_YELLOW, "(declared %s, normally %s on the wire)", type_name(fd->type),
                 wire_names[wire_of(fd->type)]);
        pos += n;
        const ProtobufCFieldDescriptor *vfd =
            fd && wt == wire_of(fd->type) ? fd : NULL; /* interpret only with the expected wire type */
        switch (wt) {
        case 0: {
            uint64_t v;
            vr = varint(a->p, end, pos, &v, &n);
            if (vr) {
                line(a, pos, end - pos, depth + 1, CLI_RED, "malformed varint value: %s",
                     vr == -1 ? "runs past the end" : "longer than 10 bytes");
                return -1;
            }
            char txt[128];
            scalar_text(vfd, 0, v, txt, sizeof txt);
            line(a, pos, n, depth + 1, CLI_GREEN, "= %s", txt);
            pos += n;
            break;
        }
        case 1:
        case 5: {
            size_t w = wt == 1 ? 8 : 4;
            if (end - pos < w) {
                line(a, pos, end - pos, depth + 1, CLI_RED, "truncated %s value: %zu of %zu bytes", wire_names[wt],
                     end - pos, w);
                return -1;
            }
            uint64_t v = 0;
            for (size_t k = 0; k < w; k++)
                v |= (uint64_t)a->p[pos + k] << (8 * k);
            char txt[128];
            scalar_text(vfd, wt, v, txt, sizeof txt);
            line(a, pos, w, depth + 1, CLI_GREEN, "= %s", txt);
            pos += w;
            break;
        }
        case 2: {
            uint64_t l;
            vr = varint(a->p, end, pos, &l, &n);
            if (vr) {
                line(a, pos, end - pos, depth + 1, CLI_RED, "malformed length: %s",
                     vr == -1 ? "runs past the end" : "longer than 10 bytes");
                return -1;
            }
            line(a, pos, n, depth + 1, "", "length %" PRIu64, l);
            pos += n;
            if (l > end - pos) {
                if (pos < end)
                    line(a, pos, end - pos, depth + 1, CLI_RED, "truncated: length %" PRIu64 " but %zu bytes left",
                         l, end - pos);
                else
                    line(a, pos, 0, depth + 1, CLI_RED, "truncated: length %" PRIu64 " but no bytes left", l);
                return -1;
            }
            size_t pend = pos + (size_t)l;
            if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (l == 0)
                    line(a, pos, 0, depth + 1, "", "(empty %s)", ((const ProtobufCMessageDescriptor *)fd->descriptor)->short_name);
                if (pb_walk(a, fd->descriptor, pos, pend, depth + 1)) {
                    after_fault(a, pend, end, depth);
                    return -1;
                }
            } else if (fd && fd->type == PROTOBUF_C_TYPE_STRING) {
                char q[200];
                quoted(q, sizeof q, a->p + pos, (size_t)l);
                line(a, pos, (size_t)l, depth + 1, CLI_GREEN, "= %s (%" PRIu64 " bytes of text)", q, l);
            } else if (fd && fd->type == PROTOBUF_C_TYPE_BYTES) {
                line(a, pos, (size_t)l, depth + 1, CLI_GREEN, "= %" PRIu64 " bytes", l);
            } else if (fd && fd->label == PROTOBUF_C_LABEL_REPEATED && is_packable(fd->type)) {
                if (l == 0)
                    line(a, pos, 0, depth + 1, "", "(no packed elements)");
                if (pb_packed(a, fd, pos, pend, depth + 1)) {
                    after_fault(a, pend, end, depth);
                    return -1;
                }
            } else if (l > 0) {
                line(a, pos, (size_t)l, depth + 1, fd ? CLI_YELLOW : "", "%" PRIu64 " bytes%s", l,
                     fd ? " (not this field's wire type)" : "");
            } else {
                line(a, pos, 0, depth + 1, "", "(no bytes)");
            }
            pos = pend;
            break;
        }
        case 3:
            groups++;
            depth++;
            break;
        case 4:
            if (groups == 0) {
                line(a, pos, 0, depth, CLI_RED, "(end of a group that was not started)");
                if (pos < end)
                    line(a, pos, end - pos, depth, CLI_RED, "not decoded after the unmatched group end");
                return -1;
            }
            groups--;
            depth--;
            break;
        default:
            if (pos < end)
                line(a, pos, end - pos, depth, CLI_RED, "not decoded after the invalid wire type %u", wt);
            return -1;
        }
    }
    return 0;
}

/* ======================================================================= */
/* Hyper-V IC (spec/ic.md)                                                   */
/* ======================================================================= */

struct cur {
    struct ann *a;
    size_t pos, end;
    int depth;
    int trunc;
};

static uint64_t le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Reserve n bytes for a field; on a short input print what is left as
 * truncated and stop the walk. */
static int take(struct cur *c, size_t n, const char *name, size_t *off)
{
    if (c->trunc)
        return 0;
    if (c->end - c->pos < n) {
        if (c->end > c->pos)
            line(c->a, c->pos, c->end - c->pos, c->depth, CLI_RED, "%s: truncated, %zu of %zu bytes", name,
                 c->end - c->pos, n);
        else
            line(c->a, c->pos, 0, c->depth, CLI_RED, "%s: missing (%zu bytes needed)", name, n);
        c->pos = c->end;
        c->trunc = 1;
        return 0;
    }
    *off = c->pos;
    c->pos += n;
    return 1;
}

typedef const char *(*namer_fn)(uint64_t v);

static uint64_t f_uint(struct cur *c, size_t n, const char *name, namer_fn namer)
{
    size_t o;
    if (!take(c, n, name, &o))
        return 0;
    uint64_t v = le(c->a->p + o, n);
    const char *m = namer ? namer(v) : NULL;
    if (n >= 4)
        line(c->a, o, n, c->depth, "", "%s%s%s = %" PRIu64 " (0x%" PRIx64 ")%s%s", cli_c(c->a->st, CLI_CYAN), name,
             cli_c(c->a->st, CLI_RESET), v, v, m ? " " : "", m ? m : "");
    else
        line(c->a, o, n, c->depth, "", "%s%s%s = %" PRIu64 "%s%s", cli_c(c->a->st, CLI_CYAN), name,
             cli_c(c->a->st, CLI_RESET), v, m ? " " : "", m ? m : "");
    return v;
}

static uint32_t f_version(struct cur *c, const char *name)
{
    size_t o;
    if (!take(c, 4, name, &o))
        return 0;
    unsigned ma = (unsigned)le(c->a->p + o, 2), mi = (unsigned)le(c->a->p + o + 2, 2);
    line(c->a, o, 4, c->depth, "", "%s%s%s = %u.%u (major u16, minor u16)", cli_c(c->a->st, CLI_CYAN), name,
         cli_c(c->a->st, CLI_RESET), ma, mi);
    return (uint32_t)(ma << 16 | mi);
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* Reserved or padding bytes: shown, with whether they are zero. */
static void f_reserved(struct cur *c, size_t n, const char *name)
{
    size_t o;
    if (n == 0 || !take(c, n, name, &o))
        return;
    int z = all_zero(c->a->p + o, n);
    line(c->a, o, n, c->depth, z ? "" : CLI_YELLOW, "%s (%zu bytes, %s)", name, n, z ? "zero" : "NOT zero");
}

static void f_blob(struct cur *c, size_t n, const char *name, const char *note)
{
    size_t o;
    if (n == 0 || !take(c, n, name, &o))
        return;
    size_t used = n;
    while (used && c->a->p[o + used - 1] == 0)
        used--;
    line(c->a, o, n, c->depth, "", "%s%s%s (%zu bytes, %zu before trailing zeros)%s%s", cli_c(c->a->st, CLI_CYAN),
         name, cli_c(c->a->st, CLI_RESET), n, used, note ? " " : "", note ? note : "");
}

static void utf16_text(const uint8_t *p, size_t n, char *out, size_t cap)
{
    char tmp[4096];
    size_t w;
    vw_status s = vw_ic_utf16_to_utf8(p, n, tmp, sizeof tmp - 1, &w);
    if (s != VW_OK) {
        snprintf(out, cap, "(not UTF-16 text: %s)", vw_status_name(s));
        return;
    }
    quoted(out, cap, (const uint8_t *)tmp, w);
}

/* A UTF-16LE string field of capacity cap holding `size` bytes (NUL
 * included); the rest of the field is shown apart. */
static void f_utf16_sized(struct cur *c, size_t cap, size_t size, const char *name)
{
    size_t o;
    if (!take(c, cap, name, &o))
        return;
    if (size > cap) {
        line(c->a, o, cap, c->depth, CLI_YELLOW, "%s%s%s: size %zu exceeds the %zu-byte field", cli_c(c->a->st, CLI_CYAN),
             name, cli_c(c->a->st, CLI_RESET), size, cap);
        return;
    }
    if (size > 0) {
        size_t tl = size;
        if (tl >= 2 && c->a->p[o + tl - 2] == 0 && c->a->p[o + tl - 1] == 0)
            tl -= 2;
        char txt[300];
        utf16_text(c->a->p + o, tl, txt, sizeof txt);
        line(c->a, o, size, c->depth, CLI_GREEN, "%s%s%s = %s (UTF-16LE, %zu bytes with NUL)", cli_c(c->a->st, CLI_CYAN),
             name, cli_c(c->a->st, CLI_RESET), txt, size);
    }
    if (cap > size) {
        int z = all_zero(c->a->p + o + size, cap - size);
        line(c->a, o + size, cap - size, c->depth, "", "%s: unused rest of the field (%zu bytes, %s)", name, cap - size,
             z ? "zero" : "NOT zero");
    }
}

/* A NUL-terminated UTF-16LE field of capacity cap. */
static void f_utf16z(struct cur *c, size_t cap, const char *name)
{
    size_t o;
    if (!take(c, cap, name, &o))
        return;
    size_t i = 0;
    while (i + 1 < cap && (c->a->p[o + i] || c->a->p[o + i + 1]))
        i += 2;
    if (i + 1 >= cap) {
        line(c->a, o, cap, c->depth, CLI_YELLOW, "%s%s%s: no NUL unit within the field", cli_c(c->a->st, CLI_CYAN), name,
             cli_c(c->a->st, CLI_RESET));
        return;
    }
    char txt[300];
    utf16_text(c->a->p + o, i, txt, sizeof txt);
    line(c->a, o, i + 2, c->depth, CLI_GREEN, "%s%s%s = %s (UTF-16LE, NUL-terminated)", cli_c(c->a->st, CLI_CYAN), name,
         cli_c(c->a->st, CLI_RESET), txt);
    if (cap > i + 2) {
        int z = all_zero(c->a->p + o + i + 2, cap - i - 2);
        line(c->a, o + i + 2, cap - i - 2, c->depth, "", "%s: unused rest of the field (%zu bytes, %s)", name,
             cap - i - 2, z ? "zero" : "NOT zero");
    }
}

static void f_guid(struct cur *c, const char *name)
{
    size_t o;
    if (!take(c, 16, name, &o))
        return;
    const uint8_t *g = c->a->p + o;
    line(c->a, o, 16, c->depth, "",
         "%s%s%s = {%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%02x%02x-%02x%02x%02x%02x%02x%02x}",
         cli_c(c->a->st, CLI_CYAN), name, cli_c(c->a->st, CLI_RESET), le(g, 4), le(g + 4, 2), le(g + 6, 2), g[8], g[9],
         g[10], g[11], g[12], g[13], g[14], g[15]);
}

static void f_filetime(struct cur *c, const char *name)
{
    size_t o;
    if (!take(c, 8, name, &o))
        return;
    uint64_t ft = le(c->a->p + o, 8);
    char when[64] = "";
    const uint64_t epoch = 116444736000000000ull;
    if (ft >= epoch && (ft - epoch) / 10000000u < 253402300800ull) {
        time_t t = (time_t)((ft - epoch) / 10000000u);
        struct tm tm;
        if (gmtime_r(&t, &tm))
            strftime(when, sizeof when, " = %Y-%m-%dT%H:%M:%SZ", &tm);
    }
    line(c->a, o, 8, c->depth, "", "%s%s%s = %" PRIu64 " (100 ns since 1601)%s", cli_c(c->a->st, CLI_CYAN), name,
         cli_c(c->a->st, CLI_RESET), ft, when);
}

/* ---- names ---- */

static const char *n_pipe_type(uint64_t v)
{
    switch (v) {
    case 1: return "(data)";
    case 2: return "(partial)";
    case 3: return "(GPA-direct setup)";
    case 4: return "(GPA-direct teardown)";
    default: return "(not a pipe packet type)";
    }
}

static const char *n_msg_type(uint64_t v)
{
    static const char *const n[] = { "(version negotiation)", "(heartbeat)", "(KVP)", "(shutdown)", "(time sync)",
                                     "(VSS)", "(RDV, no body defined)", "(FCOPY / guest interface, no body defined)",
                                     "(VM session, no body defined)" };
    return v < 9 ? n[v] : "(unknown service)";
}

static const char *n_status(uint64_t v)
{
    switch (v) {
    case 0: return "(success)";
    case 0x80004005u: return "(E_FAIL)";
    case 0x80070103u: return "(no more items; Linux: HV_S_CONT)";
    case 0x80070032u: return "(not supported)";
    case 0x80041002u: return "(not found)";
    case 0x800704F7u: return "(machine locked, Linux)";
    case 0x8007048Fu: return "(device not connected, Linux)";
    case 0x80070057u: return "(invalid argument, Linux)";
    case 0x80070050u: return "(already exists, Linux)";
    case 0x80070070u: return "(disk full, Linux)";
    default: return "(not a known status)";
    }
}

static const char *n_hdr_flags(uint64_t v)
{
    static char b[96];
    static const char *const bits[] = { "TRANSACTION", "REQUEST", "RESPONSE" };
    size_t k = 0;
    b[k++] = '(';
    for (int i = 0; i < 3; i++)
        if (v & (1u << i))
            k += (size_t)snprintf(b + k, sizeof b - k, "%s%s", k > 1 ? " " : "", bits[i]);
    if (v & ~7ull)
        k += (size_t)snprintf(b + k, sizeof b - k, "%sreserved bits set", k > 1 ? " " : "");
    if (k == 1)
        k += (size_t)snprintf(b + k, sizeof b - k, "none");
    snprintf(b + k, sizeof b - k, ")");
    return b;
}

static const char *n_app_state(uint64_t v)
{
    static const char *const n[] = { "(unknown)", "(healthy)", "(critical)", "(stopped)" };
    return v < 4 ? n[v] : "(not a defined state)";
}

static const char *n_sd_flags(uint64_t v)
{
    static char b[96];
    const char *action = v & 2 ? "restart" : v & 4 ? "hibernate" : "power off";
    snprintf(b, sizeof b, "(%s%s%s)", action, v & 1 ? ", forced" : "", v & ~7ull ? ", reserved bits set" : "");
    return b;
}

static const char *n_ts_flags(uint64_t v)
{
    switch (v) {
    case 0: return "(probe)";
    case 1: return "(SYNC)";
    case 2: return "(SAMPLE)";
    default: return "(not a defined combination)";
    }
}

static const char *n_kvp_op(uint64_t v)
{
    static const char *const n[] = { "(GET)", "(SET)", "(DELETE)", "(ENUMERATE)", "(GET_IP_INFO)", "(SET_IP_INFO)" };
    return v < 6 ? n[v] : "(not a KVP operation)";
}

static const char *n_kvp_pool(uint64_t v)
{
    static const char *const n[] = { "(external)", "(guest)", "(auto)", "(auto-external)", "(auto-internal, linux)" };
    return v < 5 ? n[v] : "(not a pool)";
}

static const char *n_value_type(uint64_t v)
{
    switch (v) {
    case 1: return "(string)";
    case 2: return "(expandable string, openvmm)";
    case 4: return "(u32)";
    case 8: return "(u64, linux)";
    case 11: return "(u64, openvmm)";
    default: return "(not a value type)";
    }
}

static const char *n_family(uint64_t v)
{
    static const char *const n[] = { "(none)", "(IPv4)", "(IPv6)", "(both, openvmm)" };
    return v < 4 ? n[v] : "(not a family)";
}

static const char *n_vss_op(uint64_t v)
{
    static const char *const n[] = { "(CREATE)", "(DELETE)", "(HOT_BACKUP)", "(GET_DM_INFO)", "(BU_COMPLETE, 4.0)",
                                     "(FREEZE, 5.0)", "(THAW, 5.0)", "(AUTO_RECOVER, 5.0)",
                                     "(CLUSTER_INFO, openvmm 6.0)" };
    return v < 9 ? n[v] : "(not a VSS operation)";
}

/* ---- bodies ---- */

static void value_record(struct cur *c)
{
    uint64_t type = f_uint(c, 4, "value_type", n_value_type);
    uint64_t ks = f_uint(c, 4, "key_size", NULL);
    uint64_t vs = f_uint(c, 4, "value_size", NULL);
    f_utf16_sized(c, 512, (size_t)(ks > 512 ? 513 : ks), "key");
    if ((type == 4 && vs == 4) || ((type == 8 || type == 11) && vs == 8)) {
        size_t before = c->pos;
        f_uint(c, (size_t)vs, "value", NULL);
        if (!c->trunc)
            f_reserved(c, 2048 - (c->pos - before), "value: unused rest of the field");
    } else {
        f_utf16_sized(c, 2048, (size_t)(vs > 2048 ? 2049 : vs), "value");
    }
}

static void ip_string(struct cur *c)
{
    f_utf16z(c, 256, "adapter_id");
    f_uint(c, 1, "address_family", n_family);
    f_uint(c, 1, "dhcp_enabled", NULL);
    f_utf16z(c, 2048, "ip_address");
    f_utf16z(c, 2048, "subnet");
    f_utf16z(c, 1024, "gateway");
    f_utf16z(c, 2048, "dns");
}

static void ip_binary(struct cur *c)
{
    static const char *const counts[6] = { "ipv4_address_count", "ipv6_address_count", "ipv4_gateway_count",
                                           "ipv6_gateway_count", "ipv4_dns_count", "ipv6_dns_count" };
    for (int i = 0; i < 6; i++)
        f_uint(c, 4, counts[i], NULL);
    f_utf16z(c, 256, "adapter_id");
    f_uint(c, 1, "address_family", n_family);
    f_uint(c, 1, "dhcp_enabled", NULL);
    f_reserved(c, 2, "reserved");
    f_blob(c, 4 * 64, "ipv4_addresses", "(network byte order)");
    f_blob(c, 16 * 64, "ipv6_addresses", NULL);
    f_blob(c, 4 * 64, "ipv4_subnets", NULL);
    f_blob(c, 4 * 64, "ipv6_prefix_lengths", "(u32 each)");
    f_blob(c, 4 * 5, "ipv4_gateways", NULL);
    f_blob(c, 16 * 5, "ipv6_gateways", NULL);
    f_blob(c, 4 * 64, "ipv4_dns", NULL);
    f_blob(c, 16 * 64, "ipv6_dns", NULL);
    f_blob(c, 2 * 128, "address_origins", "(u16 each: 0 unknown, 1 other, 2 static)");
}

static void kvp_body(struct cur *c, uint32_t mver)
{
    uint64_t op = f_uint(c, 1, "operation", n_kvp_op);
    f_uint(c, 1, "pool", n_kvp_pool);
    int v5 = (mver >> 16) >= 5;
    if ((op == 4 || op == 5) && !v5) {
        ip_string(c);
        return;
    }
    f_reserved(c, 2, "pad");
    switch (op) {
    case 0:
    case 1:
        value_record(c);
        break;
    case 2: {
        uint64_t ks = f_uint(c, 4, "key_size", NULL);
        f_utf16_sized(c, 512, (size_t)(ks > 512 ? 513 : ks), "key");
        break;
    }
    case 3:
        f_uint(c, 4, "index", NULL);
        value_record(c);
        break;
    case 4:
    case 5:
        ip_binary(c);
        break;
    default:
        break; /* the rest is shown as undecoded body */
    }
}

static void lun(struct cur *c, size_t i, const char *what)
{
    char b[64];
    snprintf(b, sizeof b, "%s[%zu].bus_type", what, i);
    f_uint(c, 1, b, NULL);
    snprintf(b, sizeof b, "%s[%zu].reserved", what, i);
    f_reserved(c, 3, b);
    snprintf(b, sizeof b, "%s[%zu].controller", what, i);
    f_guid(c, b);
    snprintf(b, sizeof b, "%s[%zu].port", what, i);
    f_uint(c, 1, b, NULL);
    snprintf(b, sizeof b, "%s[%zu].target", what, i);
    f_uint(c, 1, b, NULL);
    snprintf(b, sizeof b, "%s[%zu].lun", what, i);
    f_uint(c, 1, b, NULL);
    snprintf(b, sizeof b, "%s[%zu].reserved2", what, i);
    f_reserved(c, 1, b);
}

static void luns(struct cur *c, uint64_t count, const char *what)
{
    size_t n = count > 260 ? 260 : (size_t)count;
    for (size_t i = 0; i < n && !c->trunc; i++)
        lun(c, i, what);
    if (n < 260) {
        char b[64];
        snprintf(b, sizeof b, "%s[%zu..259]: unused records", what, n);
        f_reserved(c, 24 * (260 - n), b);
    }
}

static void vss_body(struct cur *c, size_t size)
{
    f_uint(c, 1, "operation", n_vss_op);
    f_reserved(c, 7, "reserved");
    switch (size) {
    case 12:
        f_uint(c, 4, "flags", NULL);
        break;
    case 39:
        f_uint(c, 4, "flags", NULL);
        f_blob(c, 27, "tail", "(openvmm basic form)");
        break;
    case 6260:
    case 12500: {
        f_uint(c, 4, "backup_type", NULL);
        f_uint(c, 4, "flags", NULL);
        uint64_t n = f_uint(c, 4, "lun_count", NULL);
        luns(c, n, "luns");
        if (size == 12500)
            luns(c, n, "shadow_luns");
        break;
    }
    case 7312:
    case 7320: {
        f_guid(c, "cluster_id");
        f_uint(c, 4, "cluster_size", NULL);
        uint64_t n = f_uint(c, 4, "lun_count", NULL);
        luns(c, n, "luns");
        f_blob(c, 4 * 260, "lun_statuses", "(u32 each)");
        if (size == 7320)
            f_uint(c, 8, "last_move_time", NULL);
        break;
    }
    default:
        break;
    }
}

static void ic_body(struct cur *c, unsigned type, uint32_t mver, size_t size)
{
    switch (type) {
    case 0: {
        uint64_t fc = f_uint(c, 2, "framework_count", NULL);
        uint64_t mc = f_uint(c, 2, "message_count", NULL);
        f_reserved(c, 4, "reserved");
        char b[48];
        for (uint64_t i = 0; i < fc && !c->trunc && i < 65535; i++) {
            snprintf(b, sizeof b, "framework_versions[%" PRIu64 "]", i);
            f_version(c, b);
        }
        for (uint64_t i = 0; i < mc && !c->trunc && i < 65535; i++) {
            snprintf(b, sizeof b, "message_versions[%" PRIu64 "]", i);
            f_version(c, b);
        }
        break;
    }
    case 1:
        f_uint(c, 8, "sequence_number", NULL);
        if (size == 40) {
            f_reserved(c, 32, "reserved (linux 40-byte form)");
        } else if (size == 16) {
            f_uint(c, 4, "application_state", n_app_state);
            f_reserved(c, 4, "reserved");
        }
        break;
    case 2:
        kvp_body(c, mver);
        break;
    case 3:
        f_uint(c, 4, "reason_code", NULL);
        f_uint(c, 4, "timeout_secs", NULL);
        f_uint(c, 4, "flags", n_sd_flags);
        f_blob(c, 2048, "display_message", "(opaque)");
        break;
    case 4:
        f_filetime(c, "parent_time");
        if ((mver >> 16) >= 4) {
            f_uint(c, 8, "vm_reference_time", NULL);
            f_uint(c, 1, "flags", n_ts_flags);
            f_uint(c, 1, "leap_indicator", NULL);
            f_uint(c, 1, "stratum", NULL);
            f_reserved(c, size >= 24 ? 5 : 3, "reserved");
        } else {
            f_uint(c, 8, "child_time", NULL);
            f_uint(c, 8, "round_trip_time", NULL);
            f_uint(c, 1, "flags", n_ts_flags);
            if (size >= 28)
                f_reserved(c, 3, "reserved (openvmm)");
        }
        break;
    case 5:
        vss_body(c, size);
        break;
    default:
        break;
    }
}

/* An IC message in [pos, end) of the annotation's buffer. */
static void ic_message(struct ann *a, size_t pos, size_t end, int depth)
{
    struct cur c = { a, pos, end, depth, 0 };
    line(a, pos, 0, depth, CLI_BOLD, "IC header (20 bytes)");
    c.depth = depth + 1;
    f_version(&c, "framework_version");
    unsigned type = (unsigned)f_uint(&c, 2, "message_type", n_msg_type);
    uint32_t mver = f_version(&c, "message_version");
    size_t size = (size_t)f_uint(&c, 2, "message_size", NULL);
    f_uint(&c, 4, "status", n_status);
    f_uint(&c, 1, "transaction_id", NULL);
    f_uint(&c, 1, "flags", n_hdr_flags);
    f_reserved(&c, 2, "reserved");
    if (c.trunc)
        return;
    size_t body_end = pos + 20 + size;
    int short_body = body_end > end;
    if (short_body)
        body_end = end;
    if (size == 0) {
        line(a, c.pos, 0, depth, "", "(no body)");
    } else {
        line(a, c.pos, 0, depth, CLI_BOLD, "body (%zu bytes%s)", size, short_body ? ", truncated" : "");
        struct cur b = { a, c.pos, body_end, depth + 1, 0 };
        ic_body(&b, type, mver, size);
        if (b.pos < body_end) {
            int z = all_zero(a->p + b.pos, body_end - b.pos);
            line(a, b.pos, body_end - b.pos, depth + 1, z ? "" : CLI_YELLOW, "%s (%zu bytes, %s)",
                 type > 5 ? "body, kept as raw bytes" : b.trunc ? "rest of the body" : "padding after the structure (IC-HDR-9)",
                 body_end - b.pos, z ? "zero" : "NOT zero");
        }
        if (short_body)
            line(a, body_end, 0, depth, CLI_RED, "message_size says %zu body bytes, %zu present", size,
                 body_end - c.pos);
    }
    if (body_end < end)
        line(a, body_end, end - body_end, depth, CLI_YELLOW, "trailing bytes after message_size (IC-HDR-10)");
}

static void ic_packet(struct ann *a, size_t len)
{
    struct cur c = { a, 0, len, 0, 0 };
    line(a, 0, 0, 0, CLI_BOLD, "pipe header (8 bytes)");
    c.depth = 1;
    f_uint(&c, 4, "type", n_pipe_type);
    size_t size = (size_t)f_uint(&c, 4, "size", NULL);
    if (c.trunc)
        return;
    size_t mend = 8 + size;
    if (mend > len || mend < 8)
        mend = len;
    line(a, 8, 0, 0, CLI_BOLD, "IC message (%zu bytes)", size);
    ic_message(a, 8, mend, 1);
    if (8 + size > len)
        line(a, len, 0, 0, CLI_RED, "pipe size says %zu message bytes, %zu present", size, len - 8);
    if (mend < len)
        line(a, mend, len - mend, 0, "", "ring padding (%zu bytes)", len - mend);
}

/* ======================================================================= */

int cli_annotate(FILE *f, const struct cli_style *st, const char *kind, const uint8_t *p, size_t len, size_t base)
{
    struct ann a = { f, st, p, len, base };
    if (!strcmp(kind, "ic.packet")) {
        ic_packet(&a, len);
        return 0;
    }
    if (!strcmp(kind, "ic.message")) {
        ic_message(&a, 0, len, 0);
        return 0;
    }
    const ProtobufCMessageDescriptor *d = NULL;
    enum vw_crosvm_revision rev;
    enum vw_crosvm_kind ck;
    if (!strcmp(kind, "serial.GuestMessage"))
        d = vw_serial_descriptor(VW_SERIAL_GUEST_MESSAGE);
    else if (!strcmp(kind, "serial.VmmConfig"))
        d = vw_serial_descriptor(VW_SERIAL_VMM_CONFIG);
    else if (vw_crosvm_kind_parse(kind, &rev, &ck) == VW_OK)
        d = vw_crosvm_descriptor(rev, ck);
    if (!d)
        return -1;
    line(&a, 0, 0, 0, CLI_BOLD, "%s (protobuf, %zu bytes)", d->name, len);
    if (len == 0)
        line(&a, 0, 0, 1, "", "(no fields: every field has its default value)");
    pb_walk(&a, d, 0, len, 1);
    return 0;
}
