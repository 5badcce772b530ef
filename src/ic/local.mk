# src/ic: Hyper-V Integration Components (spec/ic.md).
libvmwire_la_SOURCES += \
	src/ic/internal.h \
	src/ic/wire.c \
	src/ic/rules.c \
	src/ic/profiles.c \
	src/ic/guest.c \
	src/ic/host.c
vmwireinc_HEADERS += include/vmwire/ic.h

if HAVE_CMOCKA
check_PROGRAMS += tests/test_ic_wire tests/test_ic_guest tests/test_ic_host
TESTS += tests/test_ic_wire tests/test_ic_guest tests/test_ic_host
tests_test_ic_wire_SOURCES = tests/test_ic_wire.c
tests_test_ic_wire_CFLAGS = $(TESTS_CFLAGS)
tests_test_ic_wire_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_test_ic_wire_LDADD = $(TESTS_LDADD)
tests_test_ic_guest_SOURCES = tests/test_ic_guest.c
tests_test_ic_guest_CFLAGS = $(TESTS_CFLAGS)
tests_test_ic_guest_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_test_ic_guest_LDADD = $(TESTS_LDADD)
tests_test_ic_host_SOURCES = tests/test_ic_host.c
tests_test_ic_host_CFLAGS = $(TESTS_CFLAGS)
tests_test_ic_host_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_test_ic_host_LDADD = $(TESTS_LDADD)
endif
