# examples: small programs showing libvmwire in use; built with `make` and
# run by tests in `make check`. List each binary in .gitignore.

# Serial guest protocol: a guest and a VMM talking over two pipes
# (tests/serial_demo.sh runs them).
noinst_PROGRAMS += examples/serial_guest examples/serial_vmm
examples_serial_guest_SOURCES = examples/serial_guest.c
examples_serial_guest_CPPFLAGS = $(AM_CPPFLAGS) -D_DEFAULT_SOURCE
examples_serial_guest_LDADD = libvmwire.la
examples_serial_vmm_SOURCES = examples/serial_vmm.c
examples_serial_vmm_CPPFLAGS = $(AM_CPPFLAGS) -D_DEFAULT_SOURCE
examples_serial_vmm_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
examples_serial_vmm_LDADD = libvmwire.la $(PROTOBUF_C_LIBS)
