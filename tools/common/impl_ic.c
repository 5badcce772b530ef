/* Built-in implementation of the ic message kinds behind the testee interface. */
#include "common/vwt.h"

json_t *vwt_impl_ic(const char *operation, const char *message, const json_t *req)
{
    (void)operation;
    (void)message;
    (void)req;
    return NULL; /* not implemented yet: every ic case is reported as skipped */
}
