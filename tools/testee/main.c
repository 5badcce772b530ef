/* vmwire-testee: the built-in implementation behind the JSON Lines testee
 * interface (conformance/README.md). One request object per input line, one
 * answer object per output line, in order, flushed after each; it exits when
 * its input ends. vmwire-conformance --testee vmwire-testee must give the same
 * verdicts as vmwire-conformance alone, which runs the same handlers in
 * process: that tests the interface itself end to end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/vwt.h"
#include "config.h"
#include "vmwire/version.h"

static int answer(json_t *resp)
{
    char *s = json_dumps(resp, JSON_COMPACT);
    json_decref(resp);
    if (!s)
        return -1;
    int rc = fputs(s, stdout) < 0 || fputc('\n', stdout) == EOF || fflush(stdout) ? -1 : 0;
    free(s);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: vmwire-testee\n"
               "Reads conformance requests as JSON Lines on stdin and answers each\n"
               "with the built-in libvmwire implementation on stdout (see the\n"
               "conformance suite's README). Run it with:\n"
               "  vmwire-conformance --testee vmwire-testee\n");
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("vmwire-testee %s (libvmwire %s)\n", PACKAGE_VERSION, vw_version());
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "vmwire-testee: unknown argument %s (try --help)\n", argv[1]);
        return 2;
    }
    vwt_nomem_watch();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    for (;;) {
        errno = 0;
        if ((n = getline(&line, &cap, stdin)) < 0) {
            if (errno == ENOMEM)
                vwt_nomem();
            else if (ferror(stdin))
                rc = 1;
            break;
        }
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
            len--;
        if (len == 0)
            continue;
        json_error_t jerr;
        json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
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
        if (vwt_nomem_seen()) {
            /* this answer may lack a member or be a skip for want of memory:
             * it is not sent, and no later request is answered */
            json_decref(resp);
            break;
        }
        if (answer(resp)) {
            rc = 1; /* the runner went away */
            break;
        }
    }
    free(line);
    if (vwt_nomem_seen()) {
        fprintf(stderr, "vmwire-testee: out of memory\n");
        rc = 3;
    }
    return rc;
}
