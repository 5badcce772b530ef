/* Fuzz target: the runner's handling of what a testee prints, from reply
 * lines to finished reports (tools/conformance: vwc_parse_answer, vwc_judge,
 * vwc_json_diff, vwc_stderr_text, the JUnit, JSON and human reports).
 *
 * Input: u16le n, then n bytes of "stdout" (split into lines, each one
 * answering the next case of a small built-in suite whose names hold markup
 * characters), then the rest as the testee's "stderr".
 *
 * Properties: the JUnit file is well-formed XML 1.0 (checked by a strict
 * checker below: UTF-8, XML characters only, balanced tags, quoted
 * attributes, only the five entities and character references); the JSON
 * report loads with jansson (which refuses invalid UTF-8); the human report
 * holds no control character but newlines and no invalid UTF-8; every
 * reason (detail) is one printable line; vwc_escape and vwc_clean keep their
 * promises on the raw bytes. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance/runner.h"
#include "fuzz.h"

static const char DOC[] =
    "{\"protocol\":\"ic\",\"spec\":\"spec/rt&<>.md\",\"version\":1,\"groups\":["
    "{\"operation\":\"decode\",\"message\":\"ic.R&D<\\\"x'>\",\"cases\":["
    "{\"id\":\"a.b:c_d-e\",\"rules\":[\"RT-ECHO-1\",\"R&D-<1>\"],\"comment\":\"c\",\"input\":\"0102\","
    "\"result\":\"valid\",\"output\":{\"length\":2,\"k\":[1,{\"x\":\"<&>\"}]}},"
    "{\"id\":\"inv\",\"rules\":[\"RT-ECHO-2\"],\"comment\":\"c\",\"input\":\"\",\"result\":\"invalid\","
    "\"error\":\"truncated\"},"
    "{\"id\":\"acc\",\"rules\":[\"RT-ECHO-3\"],\"comment\":\"c\",\"input\":\"01\",\"result\":\"acceptable\"}]},"
    "{\"operation\":\"session\",\"message\":\"ic.rt_echo\",\"role\":\"guest\",\"cases\":["
    "{\"id\":\"ses\",\"rules\":[\"RT-SESS-1\"],\"comment\":\"c\",\"steps\":["
    "{\"input\":\"01\",\"result\":\"valid\",\"output\":{\"length\":1}},"
    "{\"input\":\"\",\"result\":\"invalid\",\"error\":\"truncated\"}]}]}]}";

/* ---- a strict XML 1.0 well-formedness checker (for what the runner writes) */

struct xp {
    const unsigned char *p;
    size_t n, i;
};

static bool name_start(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
}

static bool name_char(unsigned char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static size_t xml_name(struct xp *x)
{
    size_t s = x->i;
    if (x->i < x->n && name_start(x->p[x->i]))
        for (x->i++; x->i < x->n && name_char(x->p[x->i]); x->i++)
            ;
    return x->i - s;
}

/* A reference after '&': the five entities or &#N; / &#xN; of an XML character. */
static bool xml_ref(struct xp *x)
{
    static const char *const ents[] = { "amp;", "lt;", "gt;", "quot;", "apos;" };
    for (size_t k = 0; k < 5; k++) {
        size_t l = strlen(ents[k]);
        if (x->n - x->i >= l && !memcmp(x->p + x->i, ents[k], l)) {
            x->i += l;
            return true;
        }
    }
    if (x->i < x->n && x->p[x->i] == '#') {
        x->i++;
        bool hex = x->i < x->n && x->p[x->i] == 'x';
        x->i += hex;
        unsigned long v = 0;
        size_t digits = 0;
        for (; x->i < x->n && x->p[x->i] != ';'; x->i++, digits++) {
            unsigned c = x->p[x->i];
            int d = c >= '0' && c <= '9' ? (int)(c - '0') : hex && c >= 'a' && c <= 'f' ? (int)(c - 'a' + 10) : -1;
            if (d < 0 || digits > 7)
                return false;
            v = v * (hex ? 16 : 10) + (unsigned long)d;
        }
        if (!digits || x->i == x->n || !vwc_xml_char(v))
            return false;
        x->i++;
        return true;
    }
    return false;
}

/* Character data up to '<' (or, in an attribute, the closing quote). */
static bool xml_chars(struct xp *x, unsigned char quote)
{
    while (x->i < x->n && x->p[x->i] != '<' && (!quote || x->p[x->i] != quote)) {
        unsigned long cp;
        size_t l = vwc_utf8_next(x->p + x->i, x->n - x->i, &cp);
        if (!l || !vwc_xml_char(cp))
            return false;
        if (cp == '&') {
            x->i++;
            if (!xml_ref(x))
                return false;
            continue;
        }
        if (cp == '>' && x->i >= 2 && x->p[x->i - 1] == ']' && x->p[x->i - 2] == ']')
            return false;
        x->i += l;
    }
    return true;
}

static void xml_space(struct xp *x)
{
    while (x->i < x->n && (x->p[x->i] == ' ' || x->p[x->i] == '\n' || x->p[x->i] == '\t' || x->p[x->i] == '\r'))
        x->i++;
}

static bool xml_wellformed(const unsigned char *p, size_t n)
{
    struct xp x = { p, n, 0 };
    static const char decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    if (n < sizeof decl - 1 || memcmp(p, decl, sizeof decl - 1))
        return false;
    x.i = sizeof decl - 1;
    const unsigned char *stack[64];
    size_t slen[64], depth = 0;
    bool root_done = false;
    while (x.i < x.n) {
        if (depth == 0) {
            xml_space(&x);
            if (x.i == x.n)
                break;
        } else if (!xml_chars(&x, 0)) {
            return false;
        }
        if (x.i == x.n)
            break;
        if (x.p[x.i] != '<' || root_done)
            return false;
        x.i++;
        bool close = x.i < x.n && x.p[x.i] == '/';
        x.i += close;
        size_t ns = x.i, nl = xml_name(&x);
        if (!nl)
            return false;
        if (close) {
            if (!depth || slen[depth - 1] != nl || memcmp(stack[depth - 1], x.p + ns, nl))
                return false;
            depth--;
            xml_space(&x);
            if (x.i == x.n || x.p[x.i] != '>')
                return false;
            x.i++;
            root_done = depth == 0;
            continue;
        }
        /* attributes, each name="value" once (a tiny duplicate check) */
        const unsigned char *an[32];
        size_t al[32], na = 0;
        for (;;) {
            size_t before = x.i;
            xml_space(&x);
            if (x.i < x.n && (x.p[x.i] == '>' || x.p[x.i] == '/'))
                break;
            if (x.i == before)
                return false; /* attributes need blanks between them */
            size_t as = x.i, l = xml_name(&x);
            if (!l || x.i >= x.n || x.p[x.i] != '=')
                return false;
            for (size_t k = 0; k < na; k++)
                if (al[k] == l && !memcmp(an[k], x.p + as, l))
                    return false;
            if (na < 32) {
                an[na] = x.p + as;
                al[na++] = l;
            }
            x.i++;
            if (x.i >= x.n || (x.p[x.i] != '"' && x.p[x.i] != '\''))
                return false;
            unsigned char q = x.p[x.i++];
            if (!xml_chars(&x, q) || x.i >= x.n || x.p[x.i] != q)
                return false;
            x.i++;
        }
        if (x.p[x.i] == '/') {
            if (x.i + 1 >= x.n || x.p[x.i + 1] != '>')
                return false;
            x.i += 2;
            root_done = depth == 0;
            continue;
        }
        x.i++;
        if (depth == 64)
            return false;
        stack[depth] = x.p + ns;
        slen[depth++] = nl;
    }
    return depth == 0 && root_done;
}

/* ---- helpers ------------------------------------------------------------ */

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    unsigned char *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            unsigned char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    *n = len;
    return b;
}

static bool printable_line(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned long cp;
        size_t l = vwc_utf8_next(p + i, n - i, &cp);
        if (!l || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || !vwc_xml_char(cp))
            return false;
        i += l;
    }
    return true;
}

static bool clean_text(const char *s, bool newlines_ok)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned long cp;
        size_t l = vwc_utf8_next(p + i, n - i, &cp);
        if (!l || ((cp < 0x20 && !(newlines_ok && cp == '\n')) || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)))
            return false;
        i += l;
    }
    return true;
}

static char dir[64];

static void remove_dir(void)
{
    char f[128];
    snprintf(f, sizeof f, "%s/r.xml", dir);
    unlink(f);
    snprintf(f, sizeof f, "%s/r.json", dir);
    unlink(f);
    rmdir(dir);
}

static void init_dir(void)
{
    if (dir[0])
        return;
    /* the reports go to files: in memory when the system has a tmpfs there */
    struct stat st;
    snprintf(dir, sizeof dir, "%s/vwc-fuzz-XXXXXX", stat("/dev/shm", &st) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir))
        abort();
    atexit(remove_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    init_dir();
    size_t n = (size_t)data[0] | (size_t)data[1] << 8;
    const uint8_t *out = data + 2;
    if (n > size - 2)
        n = size - 2;
    const uint8_t *err = out + n;
    size_t en = size - 2 - n;

    /* What the runner promises of its text helpers, on raw bytes. */
    char *e = vwc_escape((const char *)out, n, (size_t)(data[0] & 0x3f) * 8);
    FUZZ_CHECK(e && printable_line(e));
    free(e);
    char *c = vwc_clean((const char *)err, en);
    FUZZ_CHECK(c);
    for (size_t i = 0, l = strlen(c); i < l;) {
        unsigned long cp;
        size_t k = vwc_utf8_next((const unsigned char *)c + i, l - i, &cp);
        FUZZ_CHECK(k && vwc_xml_char(cp));
        i += k;
    }
    free(c);

    struct vwc_suite s = { 0 };
    int rc = vwc_load_buffer(&s, "dir&<x>/v\"1'.json", DOC, sizeof DOC - 1);
    FUZZ_CHECK(rc == 0 && s.n == 4);
    struct vwc_options o = { .testee = "fuzz <testee> & \"x\" \x1b[2J", .timeout = 1, .data_dir = "d&<",
                             .strict_errors = data[0] & 1 };
    struct vwc_specs sp = { 0 };
    struct vwc_run run = { .opt = &o, .suite = &s, .specs = &sp, .nselected = s.n };
    snprintf(run.started, sizeof run.started, "2026-01-01T00:00:00Z");

    /* Each case takes the next non-blank line of stdout as its answer. */
    size_t pos = 0;
    for (size_t k = 0; k < s.n; k++) {
        struct vwc_case *cs = &s.cases[k];
        cs->selected = true;
        const uint8_t *line = NULL;
        size_t ll = 0;
        while (pos < n) {
            const uint8_t *nl = memchr(out + pos, '\n', n - pos);
            size_t end = nl ? (size_t)(nl - out) : n;
            line = out + pos;
            ll = end - pos;
            pos = end + 1;
            if (ll && line[ll - 1] == '\r')
                ll--;
            size_t b = 0;
            while (b < ll && (line[b] == ' ' || line[b] == '\t'))
                b++;
            if (b < ll)
                break;
            line = NULL;
        }
        if (!line) {
            cs->verdict = VWC_FAIL;
            cs->fault = VWC_FAULT_TIMEOUT;
            vwc_set_detail(cs, "no answer");
        } else {
            enum vwc_fault f = VWC_FAULT_NONE;
            char why[1024];
            json_t *resp = vwc_parse_answer((const char *)line, ll, 4096, &f, why, sizeof why);
            if (resp) {
                vwc_judge(cs, resp, o.strict_errors);
                cs->got = resp;
            } else {
                FUZZ_CHECK(f == VWC_FAULT_GARBAGE || f == VWC_FAULT_TOO_LONG);
                cs->verdict = VWC_FAIL;
                cs->fault = f;
                vwc_set_detail(cs, "%s", why);
            }
        }
        if (k == 1)
            cs->listed = true, cs->verdict = cs->verdict == VWC_FAIL ? VWC_XFAIL : cs->verdict;
        size_t keep = en > 64 && (data[0] & 2) ? 64 : en;
        cs->stderr_text = en ? vwc_stderr_text((const char *)err + en - keep, keep, en) : NULL;
        cs->seconds = 0.5;
        FUZZ_CHECK(!cs->detail || printable_line(cs->detail));
        run.tot[cs->verdict]++;
    }
    run.exit_status = run.tot[VWC_FAIL] || run.tot[VWC_XPASS] || vwc_judged(&run) == 0;

    char xml[128], js[128];
    snprintf(xml, sizeof xml, "%s/r.xml", dir);
    snprintf(js, sizeof js, "%s/r.json", dir);
    FUZZ_CHECK(vwc_report_junit(&run, xml) == 0);
    size_t xn;
    unsigned char *xb = slurp(xml, &xn);
    FUZZ_CHECK(xb);
    if (!xml_wellformed(xb, xn)) {
        fwrite(xb, 1, xn, stderr);
        FUZZ_FAIL("the JUnit report is not well-formed XML");
    }
    free(xb);
    FUZZ_CHECK(vwc_report_json(&run, js) == 0);
    json_error_t jerr;
    json_t *doc = json_load_file(js, JSON_REJECT_DUPLICATES, &jerr);
    FUZZ_CHECK(doc && json_array_size(json_object_get(doc, "cases")) == s.n);
    json_decref(doc);

    char *hb = NULL;
    size_t hn = 0;
    FILE *m = open_memstream(&hb, &hn);
    FUZZ_CHECK(m);
    vwc_report_human(&run, m, NULL);
    fclose(m);
    FUZZ_CHECK(hb && strlen(hb) == hn && clean_text(hb, true));
    free(hb);

    vwc_suite_free(&s);
    return 0;
}
