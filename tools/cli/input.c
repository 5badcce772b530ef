/* The vmwire command: reading bytes in the spellings people paste, hex
 * dumps with a marked byte, colour, and what the vectors say about errors. */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "common/vwt.h"

const char *cli_c(const struct cli_style *st, const char *sgr)
{
    static char buf[8][16];
    static int next;
    if (!st || !st->color)
        return "";
    char *b = buf[next++ & 7];
    snprintf(b, sizeof buf[0], "\033[%sm", sgr);
    return b;
}

/* ---- hex text -------------------------------------------------------------- */

static int nib(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_sep(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == ':' || c == ',' || c == '-' || c == ';' || c == '[' ||
           c == ']' || c == '{' || c == '}' || c == '(' || c == ')' || c == '"' || c == '\'';
}

/* Parse the hex of one line [s, e) into out (capacity checked by caller:
 * at most (e - s) / 2 + 1 bytes are added). */
static int parse_span(const char *text, size_t s, size_t e, uint8_t *out, size_t *len, size_t *bad)
{
    size_t i = s;
    while (i < e) {
        unsigned char c = (unsigned char)text[i];
        if (is_sep(c)) {
            i++;
            continue;
        }
        /* a token: optional prefixes, then hex digits */
        if (c == '0' && i + 1 < e && (text[i + 1] == 'x' || text[i + 1] == 'X') && i + 2 < e &&
            nib((unsigned char)text[i + 2]) >= 0) {
            i += 2;
            size_t j = i;
            while (j < e && nib((unsigned char)text[j]) >= 0)
                j++;
            size_t nd = j - i;
            if (nd % 2) { /* "0xa" is one byte */
                out[(*len)++] = (uint8_t)nib((unsigned char)text[i]);
                i++;
            }
            for (; i + 1 < j + 1 && i < j; i += 2)
                out[(*len)++] = (uint8_t)(nib((unsigned char)text[i]) << 4 | nib((unsigned char)text[i + 1]));
            if (j < e && !is_sep((unsigned char)text[j]) && text[j] != '\\') {
                *bad = j;
                return -1;
            }
            continue;
        }
        if (c == '\\' && i + 1 < e && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
            if (i + 3 < e && nib((unsigned char)text[i + 2]) >= 0 &&
                nib((unsigned char)text[i + 3]) >= 0) {
                out[(*len)++] = (uint8_t)(nib((unsigned char)text[i + 2]) << 4 | nib((unsigned char)text[i + 3]));
                i += 4;
                continue;
            }
            *bad = i;
            return -1;
        }
        size_t j = i;
        while (j < e && nib((unsigned char)text[j]) >= 0)
            j++;
        if (j == i || (j < e && !is_sep((unsigned char)text[j]) && text[j] != '\\')) {
            *bad = j;
            return -1;
        }
        if ((j - i) % 2) {
            *bad = j;
            return -1;
        }
        for (; i < j; i += 2)
            out[(*len)++] = (uint8_t)(nib((unsigned char)text[i]) << 4 | nib((unsigned char)text[i + 1]));
    }
    return 0;
}

int cli_hex_parse(const char *text, size_t n, uint8_t **out, size_t *len, size_t *bad)
{
    uint8_t *buf = malloc(n / 2 + 2);
    if (!buf) {
        vwt_nomem();
        *bad = 0;
        return -1;
    }
    *len = 0;
    int dump = 0; /* seen a hexdump -C line */
    size_t ls = 0;
    while (ls <= n) {
        size_t le = ls;
        while (le < n && text[le] != '\n')
            le++;
        size_t s = ls, e = le;
        /* comments */
        for (size_t k = s; k < e; k++)
            if (text[k] == '#') {
                e = k;
                break;
            }
        while (s < e && isspace((unsigned char)text[s]))
            s++;
        /* the offset column of xxd: 4 or more hex digits and a colon */
        size_t k = s;
        while (k < e && nib((unsigned char)text[k]) >= 0)
            k++;
        if (k - s >= 4 && k < e && text[k] == ':') {
            s = k + 1;
            if (s < e && text[s] == ' ')
                s++;
            /* the ASCII column starts after two spaces */
            for (size_t m = s; m + 1 < e; m++)
                if (text[m] == ' ' && text[m + 1] == ' ') {
                    e = m;
                    break;
                }
        } else {
            const char *bar = memchr(text + s, '|', e - s);
            if (bar && k - s >= 6 && k < e && (text[k] == ' ' || text[k] == '\t')) {
                /* hexdump -C: offset, bytes, |ascii| */
                dump = 1;
                s = k;
                e = (size_t)(bar - text);
            } else if (dump && k - s >= 6 && k == e) {
                s = e; /* the final offset line of hexdump -C */
            }
        }
        if (parse_span(text, s, e, buf, len, bad)) {
            free(buf);
            return -1;
        }
        ls = le + 1;
    }
    *out = buf;
    return 0;
}

/* ---- reading --------------------------------------------------------------- */

int cli_read_stream(FILE *f, uint8_t **out, size_t *len)
{
    size_t cap = 4096, n = 0, r;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        vwt_nomem();
        return -1;
    }
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                vwt_nomem();
                free(buf);
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (ferror(f)) {
        free(buf);
        return -1;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}

int cli_read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int rc = cli_read_stream(f, out, len);
    fclose(f);
    return rc;
}

static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && !S_ISDIR(sb.st_mode);
}

static int text_to_bytes(const char *what, const uint8_t *raw, size_t n, uint8_t **out, size_t *len)
{
    size_t bad;
    if (memchr(raw, 0, n) || cli_hex_parse((const char *)raw, n, out, len, &bad)) {
        if (memchr(raw, 0, n))
            bad = (size_t)((const uint8_t *)memchr(raw, 0, n) - raw);
        fprintf(stderr, "vmwire: %s is not hex: bad character at offset %zu", what, bad);
        if (bad < n && raw[bad] >= 0x20 && raw[bad] < 0x7f)
            fprintf(stderr, " ('%c')", raw[bad]);
        else if (bad < n)
            fprintf(stderr, " (byte 0x%02x; give --binary for raw bytes)", raw[bad]);
        fputc('\n', stderr);
        return -1;
    }
    return 0;
}

int cli_input_bytes(const char *arg, int binary, uint8_t **out, size_t *len)
{
    uint8_t *raw;
    size_t n;
    const char *what;
    if (!arg || !strcmp(arg, "-")) {
        if (cli_read_stream(stdin, &raw, &n)) {
            fprintf(stderr, "vmwire: cannot read standard input\n");
            return -1;
        }
        what = "standard input";
    } else {
        size_t bad;
        if (!binary && cli_hex_parse(arg, strlen(arg), out, len, &bad) == 0)
            return 0;
        if (!is_file(arg)) {
            if (binary)
                fprintf(stderr, "vmwire: %s: no such file\n", arg);
            else
                return text_to_bytes("input", (const uint8_t *)arg, strlen(arg), out, len);
            return -1;
        }
        if (cli_read_file(arg, &raw, &n)) {
            fprintf(stderr, "vmwire: cannot read %s\n", arg);
            return -1;
        }
        what = arg;
    }
    if (binary) {
        *out = raw;
        *len = n;
        return 0;
    }
    int rc = text_to_bytes(what, raw, n, out, len);
    free(raw);
    return rc;
}

char *cli_input_text(const char *arg)
{
    uint8_t *raw;
    size_t n;
    if (!arg || !strcmp(arg, "-")) {
        if (cli_read_stream(stdin, &raw, &n))
            return NULL;
        return (char *)raw;
    }
    if (arg[0] != '{' && arg[0] != '[' && is_file(arg)) {
        if (cli_read_file(arg, &raw, &n))
            return NULL;
        return (char *)raw;
    }
    char *t = strdup(arg);
    if (!t)
        vwt_nomem();
    return t;
}

/* ---- hex dump ---------------------------------------------------------------- */

void cli_hexdump(FILE *f, const struct cli_style *st, const uint8_t *p, size_t len, size_t mark)
{
    size_t rows = (len + 15) / 16;
    if (rows == 0 || (mark == len && len % 16 == 0))
        rows++; /* a row for the end-of-input mark */
    size_t first = 0, last = rows;
    if (mark != SIZE_MAX && rows > 8) { /* show the rows around the mark */
        size_t mr = mark / 16;
        first = mr > 3 ? mr - 3 : 0;
        last = mr + 4 < rows ? mr + 4 : rows;
    }
    if (first > 0)
        fprintf(f, "  ...\n");
    for (size_t r = first; r < last; r++) {
        size_t o = r * 16;
        fprintf(f, "  %08zx ", o);
        for (size_t i = o; i < o + 16; i++) {
            if (i < len) {
                if (i == mark)
                    fprintf(f, " %s%02x%s", cli_c(st, CLI_MARK), p[i], cli_c(st, CLI_RESET));
                else
                    fprintf(f, " %02x", p[i]);
            } else if (i == mark) {
                fprintf(f, " %s..%s", cli_c(st, CLI_MARK), cli_c(st, CLI_RESET));
            } else {
                fprintf(f, "   ");
            }
        }
        fprintf(f, "  |");
        for (size_t i = o; i < o + 16 && i < len; i++)
            fputc(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.', f);
        fprintf(f, "|\n");
        if (mark != SIZE_MAX && mark >= o && mark < o + 16)
            fprintf(f, "  %8s  %*s^^ %s\n", "", (int)(3 * (mark - o)), "",
                    mark == len ? "end of input" : "here");
    }
    if (last < rows)
        fprintf(f, "  ...\n");
}

/* ---- rules from the vectors ------------------------------------------------- */

static int has_dir(const char *d)
{
    struct stat sb;
    return stat(d, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static const char *vectors_dir(char *buf, size_t cap)
{
    const char *env = getenv("VMWIRE_DATA_DIR");
    if (env && *env) {
        snprintf(buf, cap, "%s/conformance/vectors", env);
        if (has_dir(buf))
            return buf;
    }
    snprintf(buf, cap, "%s/conformance/vectors", VW_SRCDIR);
    if (has_dir(buf))
        return buf;
    snprintf(buf, cap, "%s/conformance/vectors", VW_PKGDATADIR);
    if (has_dir(buf))
        return buf;
    return NULL;
}

static void add_rule(char *buf, size_t cap, const char *rule, int *count)
{
    /* skip duplicates */
    size_t rl = strlen(rule);
    const char *s = buf;
    while ((s = strstr(s, rule))) {
        if ((s == buf || s[-1] == ' ') && (s[rl] == ',' || s[rl] == 0))
            return;
        s += rl;
    }
    if (*count >= 4)
        return;
    size_t l = strlen(buf);
    snprintf(buf + l, cap - l, "%s%s", l ? ", " : "", rule);
    (*count)++;
}

void cli_rules_for(const char *kind, const char *operation, const char *status, char *buf, size_t cap)
{
    char dir[4096];
    buf[0] = 0;
    if (!kind || !status || !vectors_dir(dir, sizeof dir))
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    int count = 0;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".json"))
            continue;
        /* vector files are named after their protocol (ic-*.json, bridge.json) */
        const char *dot = strchr(kind, '.');
        size_t pl = dot ? (size_t)(dot - kind) : strlen(kind);
        if (strncmp(de->d_name, kind, pl) || (de->d_name[pl] != '-' && de->d_name[pl] != '.'))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        json_t *root = json_load_file(path, JSON_ALLOW_NUL, NULL);
        size_t gi, ci;
        json_t *g, *c;
        json_array_foreach(json_object_get(root, "groups"), gi, g)
        {
            const char *gm = json_string_value(json_object_get(g, "message"));
            const char *go = json_string_value(json_object_get(g, "operation"));
            json_array_foreach(json_object_get(g, "cases"), ci, c)
            {
                const char *m = json_string_value(json_object_get(c, "message"));
                const char *o = json_string_value(json_object_get(c, "operation"));
                const char *e = json_string_value(json_object_get(c, "error"));
                m = m ? m : gm;
                o = o ? o : go;
                if (!m || !o || !e || strcmp(m, kind) || strcmp(o, operation) || strcmp(e, status))
                    continue;
                /* the first rule a case names is the one it is about */
                const char *r = json_string_value(json_array_get(json_object_get(c, "rules"), 0));
                if (r)
                    add_rule(buf, cap, r, &count);
            }
        }
        json_decref(root);
    }
    closedir(d);
}
