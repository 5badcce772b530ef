#!/bin/sh
# The hostile-peer test of the crosvm socket adapter (tests/test_crosvm_io_hostile)
# under valgrind: no memory error, no leak, and no file descriptor the test itself
# opened still open at exit (SECURITY.md A1). TAP output. Skipped without valgrind
# and in the sanitizer build (valgrind cannot run AddressSanitizer binaries).
b="${top_builddir:-.}"
prog="$b/tests/test_crosvm_io_hostile"
if [ -z "$VALGRIND" ]; then
    echo "1..0 # SKIP valgrind not found by configure"
    exit 0
fi
if [ "$VW_SANITIZERS" = yes ]; then
    echo "1..0 # SKIP sanitizer build (valgrind cannot run ASan binaries)"
    exit 0
fi
if [ ! -x "$prog" ]; then
    echo "1..0 # SKIP $prog not built (no cmocka)"
    exit 0
fi
log=$(mktemp "${TMPDIR:-/tmp}/vw-valgrind.XXXXXX") || exit 99
trap 'rm -f "$log"' EXIT
echo "1..2"
CMOCKA_MESSAGE_OUTPUT=STDOUT "$b/libtool" --mode=execute "$VALGRIND" -q --track-fds=yes \
    --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
    "$prog" >"$log" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
    echo "ok 1 - test_crosvm_io_hostile passes under valgrind (no memory error, no leak)"
else
    echo "not ok 1 - test_crosvm_io_hostile under valgrind exited $rc"
    sed 's/^/# /' "$log"
fi
# valgrind lists each fd open at exit (stdin/out/err aside) with where it came
# from; an fd the test's parent passed in says "<inherited from parent>".
leaked=$(awk '/Open (file descriptor|AF_UNIX socket) [0-9]+/ { fd = $0; getline; if ($0 !~ /inherited from parent/) print fd }' "$log")
if grep -q "FILE DESCRIPTORS:" "$log" && [ -z "$leaked" ]; then
    echo "ok 2 - no descriptor the test opened is open at exit"
elif [ -n "$leaked" ]; then
    echo "not ok 2 - descriptors open at exit:"
    printf '%s\n' "$leaked" | sed 's/^/# /'
else
    echo "not ok 2 - valgrind printed no descriptor report"
fi
