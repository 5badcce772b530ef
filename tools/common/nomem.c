/* Out of memory in the tools (the library never allocates): a process-wide
 * note that some allocation failed, so that a tool whose output may have
 * lost a member, a line or a verdict never ends as a success. The tools'
 * own allocation failures are noted where they are handled (vwt_nomem(),
 * and every vwt_skipped() answer whose reason ends in "out of memory");
 * jansson's, which its callers mostly cannot tell from other errors, are
 * noted by the allocator vwt_nomem_watch() installs. */
#include <stdbool.h>
#include <stdlib.h>

#include "common/vwt.h"

static bool nomem_seen;

static void *watch_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        nomem_seen = true;
    return p;
}

static void watch_free(void *p)
{
    free(p);
}

void vwt_nomem_watch(void)
{
    nomem_seen = false;
    json_set_alloc_funcs(watch_malloc, watch_free);
}

void vwt_nomem(void)
{
    nomem_seen = true;
}

bool vwt_nomem_seen(void)
{
    return nomem_seen;
}
