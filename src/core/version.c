#include "config.h"
#include "vmwire/version.h"

const char *vw_version(void)
{
    return PACKAGE_VERSION;
}
