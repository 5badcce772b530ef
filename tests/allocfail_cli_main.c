/* The vmwire command's main() under another name, for
 * tests/test_allocfail_runner (see tests/allocfail_mains.c); the rest of the
 * command (tools/cli/{input,verdict,annotate,cmds}.c) is linked as it is. */
int vwcli_main(int argc, char **argv);
#define main vwcli_main
#include "cli/main.c"
#undef main
