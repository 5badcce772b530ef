# tests/: cmocka unit tests, one program per module, one group per program
# (so that TAP output has one plan per program).
TESTS_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(PROTOBUF_C_CFLAGS) $(JANSSON_CFLAGS)
TESTS_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -D_DEFAULT_SOURCE
TESTS_LDADD = libvmwire.la $(CMOCKA_LIBS) $(PROTOBUF_C_LIBS)

# A plain cmocka test is registered with ONE line, in the local.mk of its area:
#     CMOCKA_TESTS += tests/test_foo
# It is built from tests/test_foo.c (automake's default _SOURCES) with the
# global AM_CFLAGS/AM_CPPFLAGS (the library's flags; the line below adds the
# include paths of cmocka and protobuf-c, which every target using AM_CFLAGS
# then sees too: search paths only, no defines) and linked with the global LDADD.
# LDADD reaches no other program: everything outside tests/ (library, tools,
# fuzz, bench, examples, doc examples) sets its own _LDADD/_LIBADD. A test that
# needs other sources, tools/ headers, -D_DEFAULT_SOURCE, generated files or
# other libraries keeps its own _SOURCES/_CFLAGS/_CPPFLAGS/_LDADD lines (with
# TESTS_CFLAGS, TESTS_CPPFLAGS, TESTS_LDADD above). Without cmocka
# (HAVE_CMOCKA false) none of CMOCKA_TESTS is built or run.
AM_CFLAGS += $(CMOCKA_CFLAGS) $(PROTOBUF_C_CFLAGS)
LDADD = $(TESTS_LDADD)
if HAVE_CMOCKA
check_PROGRAMS += $(CMOCKA_TESTS)
TESTS += $(CMOCKA_TESTS)
endif

CMOCKA_TESTS += tests/test_core

# Linear decode time (SECURITY.md promise 11): plain C, TAP output.
check_PROGRAMS += tests/test_linear
TESTS += tests/test_linear
tests_test_linear_SOURCES = tests/test_linear.c
nodist_tests_test_linear_SOURCES = $(PB_TEST_GEN)
tests_test_linear_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
tests_test_linear_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/tests -D_POSIX_C_SOURCE=200809L
tests_test_linear_LDADD = libvmwire.la $(PROTOBUF_C_LIBS)

# Allocation failures in the conformance runner (library and main()) and the
# testee's main(); see tests/allocfail.h and tests/test_allocfail_tools.c.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_allocfail_runner
TESTS += tests/test_allocfail_runner
tests_test_allocfail_runner_SOURCES = tests/test_allocfail_runner.c tests/allocfail.h tests/vector_requests.h \
	tests/allocfail_mains.c tests/allocfail_testee_main.c tests/allocfail_cli_main.c \
	tools/cli/cli.h tools/cli/input.c tools/cli/verdict.c tools/cli/annotate.c tools/cli/cmds.c
tests_test_allocfail_runner_CFLAGS = $(TESTS_CFLAGS)
tests_test_allocfail_runner_CPPFLAGS = $(TESTS_CPPFLAGS) -DVW_PKGDATADIR='"$(pkgdatadir)"' \
	-DVW_SRCDIR='"$(abs_top_srcdir)"' -DVW_BUILDDIR='"$(abs_top_builddir)"'
tests_test_allocfail_runner_LDADD = tools/libvwrunner.la tools/libvwtools.la $(TESTS_LDADD) \
	$(JANSSON_LIBS)
tests_test_allocfail_runner_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=malloc -Wl,--wrap=calloc \
	-Wl,--wrap=realloc -Wl,--wrap=free -Wl,--wrap=strdup -Wl,--wrap=getline \
	-Wl,--wrap=strndup -Wl,--wrap=open_memstream -Wl,--wrap=json_load_file
endif

# Shared by the engine tests (state() against output(), the consumed rule).
EXTRA_DIST += tests/engine_state.h

# The tools' one session driver over the engine vtable (tools/common/session.c).
if HAVE_CMOCKA
check_PROGRAMS += tests/test_tools_session
TESTS += tests/test_tools_session
tests_test_tools_session_SOURCES = tests/test_tools_session.c
tests_test_tools_session_CFLAGS = $(TESTS_CFLAGS)
tests_test_tools_session_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_test_tools_session_LDADD = tools/libvwtools.la $(TESTS_LDADD) $(JANSSON_LIBS)
endif

# One source each for operations, status names and IC version tables, and
# the schema's copies of the first two (tests/single_sources.py).
TESTS += tests/single_sources.py
dist_check_SCRIPTS += tests/single_sources.py
