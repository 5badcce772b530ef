/* Text hygiene for whatever a testee (or a vector file) hands the runner:
 * strict UTF-8 decoding, one-line escaping for the terminal and the reports'
 * reason strings, and replacement of anything XML 1.0 or JSON cannot carry. */
#include <stdlib.h>
#include <string.h>

#include "conformance/runner.h"

size_t vwc_utf8_next(const unsigned char *p, size_t n, unsigned long *cp)
{
    if (!n)
        return 0;
    unsigned c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    unsigned long v, min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, or F5..FF */
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0; /* overlong, beyond Unicode, or a surrogate */
    *cp = v;
    return len;
}

bool vwc_xml_char(unsigned long cp)
{
    return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
           (cp >= 0x10000 && cp <= 0x10ffff);
}

/* A growing string. */
struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
};

static void sb_add(struct sbuf *b, const void *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 64;
        while (ncap < b->n + n + 1)
            ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np) {
            vwt_nomem();
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

char *vwc_escape(const char *s, size_t n, size_t max)
{
    struct sbuf b = { 0 };
    const unsigned char *p = (const unsigned char *)s;
    sb_add(&b, "", 0);
    for (size_t i = 0; i < n && !b.oom;) {
        if (max && b.n >= max) {
            sb_add(&b, "...", 3);
            break;
        }
        unsigned long cp;
        size_t l = vwc_utf8_next(p + i, n - i, &cp);
        char tmp[32];
        if (l == 0) {
            snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
            sb_add(&b, tmp, strlen(tmp));
            i++;
            continue;
        }
        if (cp == '\n') {
            sb_add(&b, "\\n", 2);
        } else if (cp == '\r') {
            sb_add(&b, "\\r", 2);
        } else if (cp == '\t') {
            sb_add(&b, "\\t", 2);
        } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || !vwc_xml_char(cp) ||
                   (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
            /* C0 and C1 controls, DEL, bidirectional overrides and what XML
             * cannot carry (U+FFFE, U+FFFF) are shown as escapes */
            if (cp < 0x100)
                snprintf(tmp, sizeof tmp, "\\x%02lx", cp);
            else
                snprintf(tmp, sizeof tmp, "\\u%04lx", cp);
            sb_add(&b, tmp, strlen(tmp));
        } else {
            sb_add(&b, p + i, l);
        }
        i += l;
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *vwc_clean(const char *s, size_t n)
{
    struct sbuf b = { 0 };
    const unsigned char *p = (const unsigned char *)s;
    sb_add(&b, "", 0);
    for (size_t i = 0; i < n && !b.oom;) {
        unsigned long cp;
        size_t l = vwc_utf8_next(p + i, n - i, &cp);
        if (l == 0 || !vwc_xml_char(cp)) {
            sb_add(&b, "\xef\xbf\xbd", 3); /* U+FFFD REPLACEMENT CHARACTER */
            i += l ? l : 1;
            continue;
        }
        sb_add(&b, p + i, l);
        i += l;
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

void vwc_fputs_escaped(FILE *f, const char *s)
{
    char *e = vwc_escape(s ? s : "", s ? strlen(s) : 0, 0);
    fputs(e ? e : "?", f);
    free(e);
}

void vwc_escape_into(char *out, size_t outlen, const char *s)
{
    /* vwc_escape stops once it has max bytes, after at most one more escape
     * or character (6 bytes) and "...": 9 bytes of room keep the cut out of
     * the middle of a UTF-8 sequence */
    char *e = vwc_escape(s ? s : "", s ? strlen(s) : 0, outlen > 9 ? outlen - 9 : 1);
    snprintf(out, outlen, "%s", e ? e : "?");
    free(e);
}
