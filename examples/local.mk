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

# The engine contract's loop, as the template for a new protocol: an IC
# guest (OpenVMM shutdown) driven only by feed, output and state, against the
# host engine in the same process; run by make check.
check_PROGRAMS += examples/ic_guest_loop
TESTS += examples/ic_guest_loop
examples_ic_guest_loop_SOURCES = examples/ic_guest_loop.c
examples_ic_guest_loop_LDADD = libvmwire.la

# The same loop over the crosvm main channel (plugin and host ends).
check_PROGRAMS += examples/crosvm_plugin_loop
TESTS += examples/crosvm_plugin_loop
examples_crosvm_plugin_loop_SOURCES = examples/crosvm_plugin_loop.c
examples_crosvm_plugin_loop_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
examples_crosvm_plugin_loop_LDADD = libvmwire.la $(PROTOBUF_C_LIBS)
