# src/bridge: VMI bridge packets in AMD64 registers (rules: spec/bridge.md).
libvmwire_la_SOURCES += \
	src/bridge/internal.h \
	src/bridge/regs.c \
	src/bridge/dispatch.c \
	src/bridge/status_word.c

vmwireinc_HEADERS += \
	include/vmwire/bridge.h \
	include/vmwire/bridge_guest.h

# tests/: unit tests (one program per module) and the freestanding guest
# build. (The benchmark of read + dispatch + write is bench/bench_bridge.c.)
if HAVE_CMOCKA
BRIDGE_TESTS = tests/test_bridge_regs tests/test_bridge_dispatch tests/test_bridge_status \
	tests/test_bridge_guest
check_PROGRAMS += $(BRIDGE_TESTS)
TESTS += $(BRIDGE_TESTS)
tests_test_bridge_regs_SOURCES = tests/test_bridge_regs.c
tests_test_bridge_regs_CFLAGS = $(TESTS_CFLAGS)
tests_test_bridge_regs_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_test_bridge_regs_LDADD = $(TESTS_LDADD)
tests_test_bridge_dispatch_SOURCES = tests/test_bridge_dispatch.c
tests_test_bridge_dispatch_CFLAGS = $(TESTS_CFLAGS)
tests_test_bridge_dispatch_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_test_bridge_dispatch_LDADD = $(TESTS_LDADD)
tests_test_bridge_status_SOURCES = tests/test_bridge_status.c
tests_test_bridge_status_CFLAGS = $(TESTS_CFLAGS)
tests_test_bridge_status_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_test_bridge_status_LDADD = $(TESTS_LDADD)
tests_test_bridge_guest_SOURCES = tests/test_bridge_guest.c
tests_test_bridge_guest_CFLAGS = $(TESTS_CFLAGS)
tests_test_bridge_guest_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_test_bridge_guest_LDADD = $(TESTS_LDADD)
endif

TESTS += tests/bridge_guest_compile.sh
dist_check_SCRIPTS += tests/bridge_guest_compile.sh
EXTRA_DIST += tests/bridge_guest_prog.c
