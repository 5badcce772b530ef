# src/ic: Hyper-V Integration Components (spec/ic.md).
libvmwire_la_SOURCES += \
	src/ic/internal.h \
	src/ic/wire.c \
	src/ic/rules.c \
	src/ic/profiles.c \
	src/ic/guest.c \
	src/ic/host.c
vmwireinc_HEADERS += include/vmwire/ic.h

# cmocka tests (one line each, see tests/local.mk)
CMOCKA_TESTS += tests/test_ic_wire
CMOCKA_TESTS += tests/test_ic_guest
CMOCKA_TESTS += tests/test_ic_host
