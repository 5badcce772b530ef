/* vmwire: command-line access to the built-in implementation, for people
 * poking at bytes by hand. Every command builds the same request a
 * conformance testee gets and prints the answer, so the CLI, the testee and
 * the suite can never disagree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/vwt.h"
#include "vmwire/vmwire.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vmwire COMMAND ARGS\n"
            "\n"
            "  vmwire decode KIND HEX        decode bytes, print JSON (e.g. KIND ic.message)\n"
            "  vmwire validate KIND HEX      apply the protocol's rules to a message\n"
            "  vmwire encode KIND JSON       encode a message given as JSON, print hex\n"
            "  vmwire deframe KIND HEX...    feed stream chunks to a deframer (serial.stream)\n"
            "  vmwire request JSON           answer one raw testee request (conformance/README.md)\n"
            "  vmwire status NAME|NUMBER     explain a vw_status\n"
            "  vmwire version                print the library version\n"
            "\n"
            "An argument '-' is read from standard input. Exit status: 0 valid,\n"
            "1 invalid (the error is printed on stderr), 2 usage error or not supported.\n");
}

static char *slurp_stdin(void)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
    }
    buf[len] = 0;
    /* strip trailing whitespace */
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
        buf[--len] = 0;
    return buf;
}

static int print_answer(json_t *resp)
{
    const char *r = json_string_value(json_object_get(resp, "result"));
    int rc = 2;
    if (r && !strcmp(r, "valid")) {
        json_t *out = json_object_get(resp, "output");
        if (json_is_string(out)) {
            puts(json_string_value(out));
        } else {
            char *s = json_dumps(out, JSON_INDENT(2) | JSON_ENCODE_ANY);
            if (s) {
                puts(s);
                free(s);
            }
        }
        rc = 0;
    } else if (r && !strcmp(r, "invalid")) {
        const char *e = json_string_value(json_object_get(resp, "error"));
        vw_status st = VW_E_INVALID_ARG;
        vw_status_from_name(e, &st);
        fprintf(stderr, "invalid: %s (%s)\n", e ? e : "?", vw_status_str(st));
        json_t *out = json_object_get(resp, "output");
        if (out) {
            char *s = json_dumps(out, JSON_ENCODE_ANY);
            if (s) {
                printf("%s\n", s);
                free(s);
            }
        }
        rc = 1;
    } else {
        const char *why = json_string_value(json_object_get(resp, "reason"));
        fprintf(stderr, "not supported: %s\n", why ? why : "?");
    }
    json_decref(resp);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("vmwire %s\n", vw_version());
        return 0;
    }
    if (!strcmp(cmd, "status") && argc == 3) {
        vw_status s;
        char *end;
        long v = strtol(argv[2], &end, 0);
        if (argv[2][0] != 0 && *end == 0)
            s = (vw_status)v;
        else if (!vw_status_from_name(argv[2], &s)) {
            fprintf(stderr, "vmwire: unknown status %s\n", argv[2]);
            return 2;
        }
        if (!strcmp(vw_status_name(s), "unknown")) {
            fprintf(stderr, "vmwire: unknown status %s\n", argv[2]);
            return 2;
        }
        printf("%d %s: %s\n", (int)s, vw_status_name(s), vw_status_str(s));
        return 0;
    }

    json_t *req = NULL;
    char *in = NULL;
    if (!strcmp(cmd, "request") && argc == 3) {
        in = !strcmp(argv[2], "-") ? slurp_stdin() : strdup(argv[2]);
        json_error_t jerr;
        req = in ? json_loads(in, 0, &jerr) : NULL;
        if (!json_is_object(req)) {
            fprintf(stderr, "vmwire: request is not a JSON object\n");
            free(in);
            json_decref(req);
            return 2;
        }
    } else if ((!strcmp(cmd, "decode") || !strcmp(cmd, "validate") || !strcmp(cmd, "encode")) && argc == 4) {
        in = !strcmp(argv[3], "-") ? slurp_stdin() : strdup(argv[3]);
        if (!in)
            return 2;
        req = json_object();
        json_object_set_new(req, "id", json_string("cli"));
        json_object_set_new(req, "operation", json_string(cmd));
        json_t *kind = json_string(argv[2]);
        if (!kind) {
            fprintf(stderr, "vmwire: message kind is not valid UTF-8 text\n");
            free(in);
            json_decref(req);
            return 2;
        }
        json_object_set_new(req, "message", kind);
        if (!strcmp(cmd, "encode")) {
            json_error_t jerr;
            json_t *msg = json_loads(in, JSON_DECODE_ANY, &jerr);
            if (!msg) {
                fprintf(stderr, "vmwire: input is not JSON: %s\n", jerr.text);
                free(in);
                json_decref(req);
                return 2;
            }
            json_object_set_new(req, "input", msg);
        } else {
            json_t *hex = json_string(in);
            if (!hex) {
                fprintf(stderr, "vmwire: input is not valid UTF-8 text\n");
                free(in);
                json_decref(req);
                return 2;
            }
            json_object_set_new(req, "input", hex);
        }
    } else if (!strcmp(cmd, "deframe") && argc >= 3) {
        req = json_object();
        json_object_set_new(req, "id", json_string("cli"));
        json_object_set_new(req, "operation", json_string("deframe"));
        json_t *kind = json_string(argv[2]);
        if (!kind) {
            fprintf(stderr, "vmwire: message kind is not valid UTF-8 text\n");
            json_decref(req);
            return 2;
        }
        json_object_set_new(req, "message", kind);
        json_t *chunks = json_array();
        for (int i = 3; i < argc; i++) {
            json_t *chunk = json_string(argv[i]);
            if (!chunk || json_array_append_new(chunks, chunk)) {
                fprintf(stderr, "vmwire: argument %d is not valid UTF-8 text\n", i);
                json_decref(chunks);
                json_decref(req);
                return 2;
            }
        }
        json_object_set_new(req, "input", chunks);
    } else {
        usage(stderr);
        return 2;
    }
    json_t *resp = vwt_impl_handle(req);
    json_decref(req);
    free(in);
    return print_answer(resp);
}
