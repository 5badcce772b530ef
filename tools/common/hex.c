#include <stdlib.h>
#include <string.h>

#include "common/vwt.h"

static int nibble(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int vwt_hex_decode(const char *hex, uint8_t **out, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2)
        return -1;
    uint8_t *buf = malloc(n / 2 + 1);
    if (!buf) {
        vwt_nomem();
        return -1;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = nibble((unsigned char)hex[2 * i]), lo = nibble((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(buf);
            return -1;
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    *out = buf;
    *len = n / 2;
    return 0;
}

int vwt_json_hex(const json_t *v, uint8_t **out, size_t *len)
{
    if (!json_is_string(v))
        return -1;
    return vwt_hex_decode(json_string_value(v), out, len);
}

json_t *vwt_hex_json(const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * len + 1);
    if (!s) {
        vwt_nomem();
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[2 * len] = 0;
    json_t *j = json_stringn(s, 2 * len);
    free(s);
    return j;
}

int vwt_parse_u64_hex(const char *s, uint64_t *out)
{
    if (!s) /* e.g. a member missing from an answer */
        return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (!*s || strlen(s) > 16)
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        int d = nibble((unsigned char)*s);
        if (d < 0)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}
