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
# cmocka tests, one line each (see tests/local.mk):
CMOCKA_TESTS += tests/test_bridge_regs
CMOCKA_TESTS += tests/test_bridge_dispatch
CMOCKA_TESTS += tests/test_bridge_status
CMOCKA_TESTS += tests/test_bridge_guest

TESTS += tests/bridge_guest_compile.sh
dist_check_SCRIPTS += tests/bridge_guest_compile.sh
EXTRA_DIST += tests/bridge_guest_prog.c
