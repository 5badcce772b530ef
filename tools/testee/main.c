/* vmwire-testee: the built-in implementation behind the JSON Lines testee
 * interface (see conformance/README.md). One request object per input line,
 * one response object per output line, in order, flushed after each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/vwt.h"

static void answer(json_t *resp)
{
    char *s = json_dumps(resp, JSON_COMPACT);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        fflush(stdout);
        free(s);
    }
    json_decref(resp);
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: vmwire-testee\n"
               "Reads conformance requests as JSON Lines on stdin and answers each\n"
               "with the built-in libvmwire implementation on stdout.\n");
        return 0;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        if (n == 0 || (n == 1 && line[0] == '\n'))
            continue;
        json_error_t jerr;
        json_t *req = json_loadb(line, (size_t)n, 0, &jerr);
        json_t *resp;
        if (!req || !json_is_object(req)) {
            resp = vwt_skipped("request is not a JSON object: %s", req ? "wrong type" : jerr.text);
            json_object_set_new(resp, "id", json_null());
        } else {
            resp = vwt_impl_handle(req);
            json_t *id = json_object_get(req, "id");
            json_object_set(resp, "id", id ? id : json_null());
        }
        json_decref(req);
        answer(resp);
    }
    free(line);
    return 0;
}
