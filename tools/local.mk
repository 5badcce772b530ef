# tools/: vmwire-conformance (runner), vmwire-testee (built-in testee), and
# the shared helper library they and the tests link (JSON, hex, built-in impl).
TOOLS_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -D_DEFAULT_SOURCE \
	-DVW_PKGDATADIR='"$(pkgdatadir)"' -DVW_SRCDIR='"$(abs_top_srcdir)"'
TOOLS_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(PROTOBUF_C_CFLAGS)

noinst_LTLIBRARIES += tools/libvwtools.la
tools_libvwtools_la_SOURCES = \
	tools/common/vwt.h \
	tools/common/hex.c \
	tools/common/impl.c \
	tools/common/impl_ic.c \
	tools/common/impl_crosvm.c \
	tools/common/impl_crosvm_stream.c \
	tools/common/impl_serial.c \
	tools/common/impl_bridge.c \
	tools/common/nomem.c \
	tools/common/pbjson.h \
	tools/common/pbjson.c \
	tools/common/operations.h \
	tools/common/session.h \
	tools/common/session.c \
	tools/common/engines.c
tools_libvwtools_la_CPPFLAGS = $(TOOLS_CPPFLAGS)
tools_libvwtools_la_CFLAGS = $(TOOLS_CFLAGS)
tools_libvwtools_la_LIBADD = libvmwire.la $(JANSSON_LIBS) $(PROTOBUF_C_LIBS)

bin_PROGRAMS += tools/vmwire-testee tools/vmwire-conformance
tools_vmwire_testee_SOURCES = tools/testee/main.c
tools_vmwire_testee_CPPFLAGS = $(TOOLS_CPPFLAGS)
tools_vmwire_testee_CFLAGS = $(TOOLS_CFLAGS)
tools_vmwire_testee_LDADD = tools/libvwtools.la

# The runner's modules are a library too, so that the fuzz targets of its
# reply parsing, report writing and vector loading (fuzz/fuzz_runner_*.c) link them.
noinst_LTLIBRARIES += tools/libvwrunner.la
tools_libvwrunner_la_SOURCES = \
	tools/conformance/runner.h \
	tools/conformance/vectors.c \
	tools/conformance/spec.c \
	tools/conformance/expect.c \
	tools/conformance/backend.c \
	tools/conformance/judge.c \
	tools/conformance/diff.c \
	tools/conformance/text.c \
	tools/conformance/report.c \
	tools/conformance/output.c \
	tools/conformance/fuzz.c \
	tools/conformance/fuzzgen.h \
	tools/conformance/fuzzgen.c
tools_libvwrunner_la_CPPFLAGS = $(TOOLS_CPPFLAGS)
tools_libvwrunner_la_CFLAGS = $(TOOLS_CFLAGS)
tools_libvwrunner_la_LIBADD = tools/libvwtools.la

tools_vmwire_conformance_SOURCES = tools/conformance/main.c
tools_vmwire_conformance_CPPFLAGS = $(TOOLS_CPPFLAGS) -DVW_BUILDDIR='"$(abs_top_builddir)"'
tools_vmwire_conformance_CFLAGS = $(TOOLS_CFLAGS)
tools_vmwire_conformance_LDADD = tools/libvwrunner.la

bin_PROGRAMS += tools/vmwire
tools_vmwire_SOURCES = \
	tools/cli/cli.h \
	tools/cli/main.c \
	tools/cli/input.c \
	tools/cli/verdict.c \
	tools/cli/annotate.c \
	tools/cli/cmds.c
tools_vmwire_CPPFLAGS = $(TOOLS_CPPFLAGS)
tools_vmwire_CFLAGS = $(TOOLS_CFLAGS)
tools_vmwire_LDADD = tools/libvwtools.la

# The vmwire command's argument handling and exit codes.
TESTS += tests/cli.sh
dist_check_SCRIPTS += tests/cli.sh
# Every golden vector through the vmwire command (decode/encode round trip,
# --annotate byte coverage, validate).
TESTS += tests/cli_vectors.py
dist_check_SCRIPTS += tests/cli_vectors.py
# The README's CLI tour, run as written.
TESTS += tests/readme_tour.sh
dist_check_SCRIPTS += tests/readme_tour.sh
