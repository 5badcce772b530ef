/* The main() of vmwire-conformance and of vmwire-testee, compiled under other
 * names into tests/test_allocfail_runner so that their allocations are made
 * to fail in turn as those of the library code they call. The sources are
 * included unchanged; each becomes a function taking argc and argv. */
int vwc_runner_main(int argc, char **argv);
#define main vwc_runner_main
#include "conformance/main.c"
#undef main
