/* --expected-failures: a vendor's list of cases known to fail. One case id or
 * glob (fnmatch: *, ?, [...]) per line; '#' starts a comment (whole line or
 * after the entry); blank lines are ignored. A listed case that fails is an
 * expected failure (xfail, does not fail the run); a listed case that passes
 * is an unexpected pass (XPASS, fails the run so that the list shrinks). */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conformance/runner.h"

int vwc_xfails_load(struct vwc_xfails *x, const char *path)
{
    struct stat st;
    FILE *f = stat(path, &st) == 0 && !S_ISDIR(st.st_mode) ? fopen(path, "r") : NULL;
    if (!f) {
        fprintf(stderr, "vmwire-conformance: %s %s: cannot read%s\n", x->option ? x->option : "--expected-failures",
                path, stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? " (a directory, not a list)" : "");
        return -1;
    }
    x->path = path;
    char *line = NULL;
    size_t cap = 0, ecap = 0;
    unsigned no = 0;
    int rc = 0;
    while ((errno = 0, getline(&line, &cap, f)) >= 0) {
        no++;
        char *h = strchr(line, '#');
        if (h)
            *h = 0;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        char *end = p + strlen(p);
        while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
            *--end = 0;
        if (!*p)
            continue;
        if (strpbrk(p, " \t")) {
            fprintf(stderr, "vmwire-conformance: %s:%u: one case id or glob per line (a comment starts with #)\n",
                    path, no);
            rc = -1;
            break;
        }
        if (x->n == ecap) {
            ecap = ecap ? ecap * 2 : 32;
            struct vwc_xfail *ne = realloc(x->e, ecap * sizeof *ne);
            if (!ne) {
                vwt_nomem();
                rc = -1;
                break;
            }
            x->e = ne;
        }
        x->e[x->n].pattern = strdup(p);
        x->e[x->n].line = no;
        x->e[x->n].matched = 0;
        if (!x->e[x->n].pattern) {
            vwt_nomem();
            rc = -1;
            break;
        }
        x->n++;
    }
    if (!rc && errno == ENOMEM) { /* getline() could not grow the line */
        vwt_nomem();
        fprintf(stderr, "vmwire-conformance: %s: out of memory\n", path);
        rc = -1;
    } else if (ferror(f)) {
        fprintf(stderr, "vmwire-conformance: %s: read error\n", path);
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}

void vwc_xfails_free(struct vwc_xfails *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->e[i].pattern);
    free(x->e);
    x->e = NULL;
    x->n = 0;
}

bool vwc_xfails_matches(struct vwc_xfails *x, const char *id)
{
    bool any = false;
    for (size_t j = 0; j < x->n; j++) {
        if (fnmatch(x->e[j].pattern, id, 0) == 0) {
            any = true;
            x->e[j].matched++;
        }
    }
    return any;
}

void vwc_xfails_mark(struct vwc_xfails *x, struct vwc_suite *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (vwc_xfails_matches(x, s->cases[i].id))
            s->cases[i].listed = true;
}
