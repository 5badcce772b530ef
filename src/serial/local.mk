# src/serial: the serial guest protocol (rules: spec/serial.md).
#
# proto/serial/guest.proto is compiled by protoc-c at build time into the
# build tree ($(builddir)/proto/serial/guest.pb-c.{c,h}, found through
# -I$(top_builddir)/proto as "serial/guest.pb-c.h"); the generated code is
# never committed. The freestanding guest codec (guest.c, serial_guest.h)
# does not use it.
SERIAL_PROTOS = proto/serial/guest.proto
SERIAL_PB_C = proto/serial/guest.pb-c.c
SERIAL_PB_H = proto/serial/guest.pb-c.h

EXTRA_DIST += $(SERIAL_PROTOS)
BUILT_SOURCES += $(SERIAL_PB_C) $(SERIAL_PB_H)
CLEANFILES += $(SERIAL_PB_C) $(SERIAL_PB_H)
nodist_libvmwire_pbc_la_SOURCES += $(SERIAL_PB_C) $(SERIAL_PB_H)

libvmwire_la_SOURCES += \
	src/serial/guest.c \
	src/serial/frame.c \
	src/serial/deframer.c \
	src/serial/messages.c \
	src/serial/internal.h

vmwireinc_HEADERS += include/vmwire/serial.h include/vmwire/serial_guest.h
serialprotoincdir = $(includedir)/vmwire/proto/serial
nodist_serialprotoinc_HEADERS = proto/serial/guest.pb-c.h

# One protoc-c run writes both files; the header depends on the .c so that
# parallel make runs protoc-c once.
proto/serial/guest.pb-c.h: proto/serial/guest.pb-c.c
proto/serial/guest.pb-c.c: $(srcdir)/proto/serial/guest.proto
	$(AM_V_GEN)$(MKDIR_P) proto && \
	$(PROTOC_C) --proto_path=$(srcdir)/proto --c_out=proto serial/guest.proto

# ---- tests -----------------------------------------------------------------
# cmocka tests (one line each, see tests/local.mk)
CMOCKA_TESTS += tests/test_serial_guest
CMOCKA_TESTS += tests/test_serial_frame
CMOCKA_TESTS += tests/test_serial_messages

# script tests: the freestanding build of the guest codec, the pipe demo
TESTS += tests/serial_freestanding.sh tests/serial_demo.sh
dist_check_SCRIPTS += tests/serial_freestanding.sh tests/serial_demo.sh
EXTRA_DIST += tests/serial_freestanding_prog.c

# differential test against Google's protobuf (python3-protobuf)
check_PROGRAMS += tests/serial_decode_json tests/serial_pbdj
tests_serial_decode_json_SOURCES = tests/serial_decode_json.c
tests_serial_decode_json_CFLAGS = $(TESTS_CFLAGS) $(JANSSON_CFLAGS)
tests_serial_decode_json_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_serial_decode_json_LDADD = tools/libvwtools.la $(TESTS_LDADD) $(JANSSON_LIBS)
tests_serial_pbdj_SOURCES = tests/pb_decode_json.c tests/serial_pbdj_roots.c
nodist_tests_serial_pbdj_SOURCES = $(SERIAL_PB_C) $(SERIAL_PB_H)
tests_serial_pbdj_CFLAGS = $(TESTS_CFLAGS) $(JANSSON_CFLAGS)
tests_serial_pbdj_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_serial_pbdj_LDADD = tools/libvwtools.la $(TESTS_LDADD) $(JANSSON_LIBS)
TESTS += tests/serial_differential.sh
dist_check_SCRIPTS += tests/serial_differential.sh
EXTRA_DIST += tests/serial_differential.py
