/* Line-oriented front end of vmwire's protobuf engine for differential tests
 * (tests/pb_differential.py). Reads lines from stdin:
 *
 *   <MessageFullName> <hex>          -> canonical JSON of vw_pb_decode(), or
 *                                       "invalid <status name> <offset>"
 *   encode <MessageFullName> <json>  -> hex of vw_pb_encode(), or "error <reason>"
 *
 * one output line per input line. The message types it knows are those of
 * the descriptor list it is linked with (vwt_pbdj_roots[], plus every message
 * type reachable from their fields): see tests/pb_decode_json_vwtest.c, and
 * copy that file to link the same main with another schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pbjson.h"
#include "common/vwt.h"

extern const ProtobufCMessageDescriptor *const vwt_pbdj_roots[];
extern const size_t vwt_pbdj_n_roots;

static void do_decode(const ProtobufCMessageDescriptor *d, const char *hex)
{
    uint8_t *buf;
    size_t len, off;
    if (vwt_hex_decode(hex, &buf, &len)) {
        printf("error bad hex\n");
        return;
    }
    size_t cap = 1024 + 16 * len;
    for (int attempt = 0; attempt < 2; attempt++) {
        void *mem = malloc(cap);
        struct vw_arena a;
        ProtobufCMessage *m;
        vw_arena_init(&a, mem, mem ? cap : 0);
        vw_status st = vw_pb_decode(d, buf, len, &a, &m, &off);
        if (st == VW_E_NOMEM && attempt == 0) {
            cap = vw_arena_needed(&a) + VW_ARENA_ALIGN;
            free(mem);
            continue;
        }
        if (st == VW_OK) {
            json_t *j = vwt_pb_to_json(m);
            char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
            printf("%s\n", s ? s : "error json");
            free(s);
            json_decref(j);
        } else {
            printf("invalid %s %zu\n", vw_status_name(st), off);
        }
        free(mem);
        break;
    }
    free(buf);
}

static void do_encode(const ProtobufCMessageDescriptor *d, const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j) {
        printf("error bad json: %s\n", jerr.text);
        return;
    }
    json_t *req = json_pack("{s:O}", "input", j);
    json_t *r = vwt_pb_encode_request(d, req);
    const char *res = json_string_value(json_object_get(r, "result"));
    if (res && !strcmp(res, "valid"))
        printf("%s\n", json_string_value(json_object_get(r, "output")));
    else
        printf("error %s\n", json_string_value(json_object_get(r, "reason")));
    json_decref(r);
    json_decref(req);
    json_decref(j);
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        int enc = !strncmp(line, "encode ", 7);
        char *name = enc ? line + 7 : line;
        char *sp = strchr(name, ' ');
        const char *arg = "";
        if (sp) {
            *sp = 0;
            arg = sp + 1;
        }
        const ProtobufCMessageDescriptor *d =
            vwt_pb_find_descriptor(vwt_pbdj_roots, vwt_pbdj_n_roots, name);
        if (!d)
            printf("error unknown message %s\n", name);
        else if (enc)
            do_encode(d, arg);
        else
            do_decode(d, arg);
        fflush(stdout);
    }
    free(line);
    return 0;
}
