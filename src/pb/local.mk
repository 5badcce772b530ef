# src/pb: vmwire's protobuf engine (decoder and canonical encoder over
# protobuf-c descriptors), its test schema and tests. See src/pb/README.md.
libvmwire_la_SOURCES += \
	src/pb/internal.h \
	src/pb/decode.c \
	src/pb/encode.c
libvmwire_la_SOURCES += src/pb/api.c


# The protoc-c generated code of the protocols (nodist_libvmwire_pbc_la_SOURCES,
# filled in by src/crosvm and src/serial) is compiled in a convenience library
# of its own, linked into libvmwire, so that it alone gets PBC_CFLAGS
# (configure.ac: no `rep stos` in protoc-c's message_init()).
noinst_LTLIBRARIES += libvmwire_pbc.la
libvmwire_pbc_la_SOURCES =
nodist_libvmwire_pbc_la_SOURCES =
libvmwire_pbc_la_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS) $(PBC_CFLAGS)
libvmwire_la_LIBADD += libvmwire_pbc.la

# The decoders of the crosvm and serial schemas generated at build time by
# vw-gen-fast (src/pb/gen_fast.c), a build-tree program that links the
# schemas' protoc-c code and walks their descriptors, and their run-time
# helpers (src/pb/fast.c). The generator is built with plain flags (no
# sanitizer or fuzzer instrumentation: it only runs during the build); its
# output src/pb/fast_gen.c is never committed and is compiled in
# libvmwire_pbc.la, with PBC_CFLAGS, since it copies protoc-c's INIT
# templates.
libvmwire_la_SOURCES += src/pb/fast.h src/pb/fast.c src/pb/roots.h
nodist_libvmwire_pbc_la_SOURCES += src/pb/fast_gen.c
noinst_PROGRAMS += src/pb/vw-gen-fast
src_pb_vw_gen_fast_SOURCES = src/pb/gen_fast.c
nodist_src_pb_vw_gen_fast_SOURCES = $(CROSVM_PB_C) $(CROSVM_PB_H) $(SERIAL_PB_C) $(SERIAL_PB_H)
src_pb_vw_gen_fast_CFLAGS = -std=c11 $(WARN_CFLAGS) $(PROTOBUF_C_CFLAGS)
src_pb_vw_gen_fast_LDFLAGS =
src_pb_vw_gen_fast_LDADD = $(PROTOBUF_C_LIBS)
src/pb/src_pb_vw_gen_fast-gen_fast.$(OBJEXT): $(CROSVM_PB_H) $(SERIAL_PB_H)
src/pb/fast_gen.c: src/pb/vw-gen-fast$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) src/pb && src/pb/vw-gen-fast$(EXEEXT) $@.tmp && mv $@.tmp $@
CLEANFILES += src/pb/fast_gen.c src/pb/fast_gen.c.tmp

EXTRA_DIST += src/pb/README.md tests/pb/test.proto tests/pb_differential.py

# The test schema, compiled by protoc-c into the build tree (never committed).
PB_TEST_GEN = tests/pb/test.pb-c.c tests/pb/test.pb-c.h
tests/pb/test.pb-c.c: $(top_srcdir)/tests/pb/test.proto
	$(AM_V_GEN)$(MKDIR_P) tests/pb && \
	$(PROTOC_C) --proto_path=$(top_srcdir)/tests/pb --c_out=tests/pb $(top_srcdir)/tests/pb/test.proto
tests/pb/test.pb-c.h: tests/pb/test.pb-c.c
	@test -f $@ || { rm -f tests/pb/test.pb-c.c; $(MAKE) $(AM_MAKEFLAGS) tests/pb/test.pb-c.c; }
BUILT_SOURCES += $(PB_TEST_GEN)
CLEANFILES += $(PB_TEST_GEN)

PB_TEST_CPPFLAGS = $(TESTS_CPPFLAGS) -I$(top_builddir)/tests

# Line-oriented decoder/encoder used by tests/pb_differential.py. Another
# schema reuses tests/pb_decode_json.c with its own descriptor list file.
check_PROGRAMS += tests/pb_decode_json
tests_pb_decode_json_SOURCES = tests/pb_decode_json.c tests/pb_decode_json_vwtest.c
nodist_tests_pb_decode_json_SOURCES = $(PB_TEST_GEN)
tests_pb_decode_json_CFLAGS = $(TESTS_CFLAGS)
tests_pb_decode_json_CPPFLAGS = $(PB_TEST_CPPFLAGS)
tests_pb_decode_json_LDADD = tools/libvwtools.la $(TESTS_LDADD) $(JANSSON_LIBS)

if HAVE_CMOCKA
check_PROGRAMS += tests/test_pb_decode tests/test_pb_encode
TESTS += tests/test_pb_decode tests/test_pb_encode
tests_test_pb_decode_SOURCES = tests/test_pb_decode.c
nodist_tests_test_pb_decode_SOURCES = $(PB_TEST_GEN)
tests_test_pb_decode_CFLAGS = $(TESTS_CFLAGS)
tests_test_pb_decode_CPPFLAGS = $(PB_TEST_CPPFLAGS)
tests_test_pb_decode_LDADD = $(TESTS_LDADD)
tests_test_pb_encode_SOURCES = tests/test_pb_encode.c
nodist_tests_test_pb_encode_SOURCES = $(PB_TEST_GEN)
tests_test_pb_encode_CFLAGS = $(TESTS_CFLAGS)
tests_test_pb_encode_CPPFLAGS = $(PB_TEST_CPPFLAGS)
tests_test_pb_encode_LDADD = $(TESTS_LDADD)
endif

# The generated-table decoder against the generic one (fuzz/pb_fast_diff.h);
# static, for the internal vw_pb__fast_crosvm and vw_pb__fast_serial.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_pb_fast
TESTS += tests/test_pb_fast
tests_test_pb_fast_SOURCES = tests/test_pb_fast.c fuzz/pb_fast_diff.h
tests_test_pb_fast_CFLAGS = $(TESTS_CFLAGS)
tests_test_pb_fast_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_test_pb_fast_LDFLAGS = $(AM_LDFLAGS) -static
tests_test_pb_fast_LDADD = $(TESTS_LDADD) $(JANSSON_LIBS)
endif

# Differential test against Google's protobuf (skips without python3-protobuf/protoc).
TESTS += tests/pb_differential.py
