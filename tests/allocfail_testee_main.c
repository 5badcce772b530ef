/* vmwire-testee's main() under another name, for tests/test_allocfail_runner
 * (see tests/allocfail_mains.c). */
int vwt_testee_main(int argc, char **argv);
#define main vwt_testee_main
#include "testee/main.c"
#undef main
