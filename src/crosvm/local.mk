# src/crosvm: the crosvm plugin protocol (rules: spec/crosvm.md).
#
# The two schema revisions live in proto/crosvm/{seed,final}/plugin.proto and
# are compiled by protoc-c at build time into the build tree:
#   $(builddir)/proto/crosvm/<rev>/plugin.pb-c.{c,h}
# (found through -I$(top_builddir)/proto as "crosvm/<rev>/plugin.pb-c.h").
# The generated code is never committed. The public header vmwire/crosvm.h
# does not include it (it speaks ProtobufCMessage plus a kind); the generated
# headers are installed under $(includedir)/vmwire/proto/crosvm/<rev>/ for
# callers that want typed access to decoded messages.
CROSVM_PROTOS = \
	proto/crosvm/seed/plugin.proto \
	proto/crosvm/final/plugin.proto
CROSVM_PB_C = \
	proto/crosvm/seed/plugin.pb-c.c \
	proto/crosvm/final/plugin.pb-c.c
CROSVM_PB_H = \
	proto/crosvm/seed/plugin.pb-c.h \
	proto/crosvm/final/plugin.pb-c.h

EXTRA_DIST += $(CROSVM_PROTOS)
BUILT_SOURCES += $(CROSVM_PB_C) $(CROSVM_PB_H)
CLEANFILES += $(CROSVM_PB_C) $(CROSVM_PB_H)
nodist_libvmwire_pbc_la_SOURCES += $(CROSVM_PB_C) $(CROSVM_PB_H)

crosvmseedincdir = $(includedir)/vmwire/proto/crosvm/seed
nodist_crosvmseedinc_HEADERS = proto/crosvm/seed/plugin.pb-c.h
crosvmfinalincdir = $(includedir)/vmwire/proto/crosvm/final
nodist_crosvmfinalinc_HEADERS = proto/crosvm/final/plugin.pb-c.h

# One protoc-c run writes both files of a revision; the header depends on
# the .c so that parallel make runs protoc-c once.
proto/crosvm/seed/plugin.pb-c.h: proto/crosvm/seed/plugin.pb-c.c
proto/crosvm/seed/plugin.pb-c.c: $(srcdir)/proto/crosvm/seed/plugin.proto
	$(AM_V_GEN)$(MKDIR_P) proto && \
	$(PROTOC_C) --proto_path=$(srcdir)/proto --c_out=proto crosvm/seed/plugin.proto
proto/crosvm/final/plugin.pb-c.h: proto/crosvm/final/plugin.pb-c.c
proto/crosvm/final/plugin.pb-c.c: $(srcdir)/proto/crosvm/final/plugin.proto
	$(AM_V_GEN)$(MKDIR_P) proto && \
	$(PROTOC_C) --proto_path=$(srcdir)/proto --c_out=proto crosvm/final/plugin.proto

libvmwire_la_SOURCES += \
	src/crosvm/internal.h \
	src/crosvm/wire.c \
	src/crosvm/rules.c \
	src/crosvm/main_session.c \
	src/crosvm/vcpu_session.c \
	src/crosvm/boundaries.c
vmwireinc_HEADERS += include/vmwire/crosvm.h
if IO_ADAPTERS
libvmwire_la_SOURCES += src/crosvm/io_unix.c
endif

# cmocka tests (one line each, see tests/local.mk)
CMOCKA_TESTS += tests/test_crosvm_wire
CMOCKA_TESTS += tests/test_crosvm_session
CMOCKA_TESTS += tests/test_crosvm_boundaries
if IO_ADAPTERS
CMOCKA_TESTS += tests/test_crosvm_socket
endif

# The adapter against a hostile peer (SECURITY.md, "The socket adapter").
if IO_ADAPTERS
CMOCKA_TESTS += tests/test_crosvm_io_hostile
endif

# Differential test against Google's protobuf (tests/pb_differential.py, from
# the protobuf engine's tests) over both crosvm schemas. Its decoder is the
# engine's line front end linked with the crosvm descriptors.
check_PROGRAMS += tests/crosvm_decode_json
tests_crosvm_decode_json_SOURCES = tests/pb_decode_json.c tests/crosvm_pbdj_roots.c
nodist_tests_crosvm_decode_json_SOURCES = $(CROSVM_PB_C) $(CROSVM_PB_H)
tests_crosvm_decode_json_CFLAGS = $(TESTS_CFLAGS)
tests_crosvm_decode_json_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_crosvm_decode_json_LDADD = tools/libvwtools.la $(TESTS_LDADD) $(JANSSON_LIBS)
TESTS += tests/crosvm_differential.sh
dist_check_SCRIPTS += tests/crosvm_differential.sh
