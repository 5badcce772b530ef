# bench/: vmwire-bench, the benchmark of the hot paths against peer
# implementations (see bench/README.md).
#
#   make bench       wall-clock run: table with peer ratios, bench-results.json,
#                    and the change against bench/baseline.json
#   make bench-ir    the same cases under callgrind: instructions per operation
#                    in bench-ir.json, and the change against bench/baseline-ir.json
#
# The program is a check program (built by `make check`, not `make all`); the
# smoke test runs every case's self-check and a few iterations, so the
# benchmark cannot rot unnoticed (it also fails if a vmwire row calls malloc).
# BENCH_ARGS / BENCH_IR_ARGS pass options to vmwire-bench (e.g.
# BENCH_ARGS='--filter crosvm/final'); BENCH_COMPARE_ARGS / BENCH_IR_COMPARE_ARGS
# to compare.py.

check_PROGRAMS += bench/vmwire-bench
bench_vmwire_bench_SOURCES = \
	bench/bench.h \
	bench/vmwire-bench.c \
	bench/alloc_count.c \
	bench/bench_crosvm.c \
	bench/crosvm_rev.h \
	bench/floor_a.h \
	bench/bench_pbc.h \
	bench/bench_pbc.c \
	bench/bench_serial.c \
	bench/bench_ic.c \
	bench/bench_bridge.c
nodist_bench_vmwire_bench_SOURCES =
bench_vmwire_bench_CPPFLAGS = $(AM_CPPFLAGS) -DVW_BENCH_CFLAGS='"$(CFLAGS)"'
bench_vmwire_bench_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
# Static linking: the crosvm cases build protoc-c structs, which needs the
# descriptors that libvmwire.so does not export; and with protobuf-c also
# taken from its static archive (nanopb only has one) every implementation
# runs as non-PIC code without PLT calls, so none is favoured.
bench_vmwire_bench_LDFLAGS = -static
bench_vmwire_bench_LDADD = libvmwire.la $(PROTOBUF_C_LIBS) -lm

# nanopb peer: code generated at build time from the same .proto files, with
# fixed sizes from bench/crosvm.options (never committed).
BENCH_NANOPB_GEN = \
	bench/nanopb/crosvm/seed/plugin.pb.c \
	bench/nanopb/crosvm/seed/plugin.pb.h \
	bench/nanopb/crosvm/final/plugin.pb.c \
	bench/nanopb/crosvm/final/plugin.pb.h
if HAVE_NANOPB
nodist_bench_vmwire_bench_SOURCES += $(BENCH_NANOPB_GEN)
bench_vmwire_bench_CPPFLAGS += -I$(top_builddir)/bench/nanopb -DVW_BENCH_NANOPB
bench_vmwire_bench_LDADD += -lprotobuf-nanopb
CLEANFILES += $(BENCH_NANOPB_GEN)
bench/vmwire_bench-bench_crosvm.$(OBJEXT): $(BENCH_NANOPB_GEN)

bench/nanopb/crosvm/seed/plugin.pb.h: bench/nanopb/crosvm/seed/plugin.pb.c
bench/nanopb/crosvm/seed/plugin.pb.c: $(srcdir)/proto/crosvm/seed/plugin.proto $(srcdir)/bench/crosvm.options
	$(AM_V_GEN)$(MKDIR_P) bench/nanopb && \
	$(NANOPB_GENERATOR) -q -I $(srcdir)/proto -D bench/nanopb -f $(srcdir)/bench/crosvm.options \
		crosvm/seed/plugin.proto
bench/nanopb/crosvm/final/plugin.pb.h: bench/nanopb/crosvm/final/plugin.pb.c
bench/nanopb/crosvm/final/plugin.pb.c: $(srcdir)/proto/crosvm/final/plugin.proto $(srcdir)/bench/crosvm.options
	$(AM_V_GEN)$(MKDIR_P) bench/nanopb && \
	$(NANOPB_GENERATOR) -q -I $(srcdir)/proto -D bench/nanopb -f $(srcdir)/bench/crosvm.options \
		crosvm/final/plugin.proto
endif

# upb peer (configure --with-upb=PREFIX, see bench/README.md): upb's C API
# and mini-tables generated at build time from the same .proto files by the
# generators in PREFIX (never committed), libupb.a from PREFIX.
BENCH_UPB_GEN = \
	bench/upb/crosvm/seed/plugin.upb.h \
	bench/upb/crosvm/seed/plugin.upb_minitable.h \
	bench/upb/crosvm/seed/plugin.upb_minitable.c \
	bench/upb/crosvm/final/plugin.upb.h \
	bench/upb/crosvm/final/plugin.upb_minitable.h \
	bench/upb/crosvm/final/plugin.upb_minitable.c \
	bench/upb/serial/guest.upb.h \
	bench/upb/serial/guest.upb_minitable.h \
	bench/upb/serial/guest.upb_minitable.c
if HAVE_UPB
BENCH_UPB_COMPARE = yes
bench_vmwire_bench_SOURCES += bench/bench_upb.h bench/bench_upb.c
nodist_bench_vmwire_bench_SOURCES += $(BENCH_UPB_GEN)
bench_vmwire_bench_CPPFLAGS += -I$(top_builddir)/bench/upb $(UPB_CPPFLAGS) -DVW_BENCH_UPB \
	-DVW_BENCH_UPB_PARSER='"$(UPB_PARSER)"' -DVW_BENCH_UPB_VERSION='"$(UPB_VERSION)"'
bench_vmwire_bench_LDADD += $(UPB_LIBS)
# protoc-gen-upb also writes an empty *.upb.c next to each *.upb.h.
CLEANFILES += $(BENCH_UPB_GEN) bench/upb/crosvm/seed/plugin.upb.c bench/upb/crosvm/final/plugin.upb.c \
	bench/upb/serial/guest.upb.c
bench/vmwire_bench-bench_upb.$(OBJEXT): $(BENCH_UPB_GEN)
BENCH_UPB_PROTOC = $(UPB_PREFIX)/bin/protoc -I $(srcdir)/proto \
	--plugin=protoc-gen-upb=$(UPB_PREFIX)/bin/protoc-gen-upb \
	--plugin=protoc-gen-upb_minitable=$(UPB_PREFIX)/bin/protoc-gen-upb_minitable \
	--upb_out=bench/upb --upb_minitable_out=bench/upb

bench/upb/crosvm/seed/plugin.upb.h bench/upb/crosvm/seed/plugin.upb_minitable.h: bench/upb/crosvm/seed/plugin.upb_minitable.c
bench/upb/crosvm/seed/plugin.upb_minitable.c: $(srcdir)/proto/crosvm/seed/plugin.proto
	$(AM_V_GEN)$(MKDIR_P) bench/upb && $(BENCH_UPB_PROTOC) crosvm/seed/plugin.proto
bench/upb/crosvm/final/plugin.upb.h bench/upb/crosvm/final/plugin.upb_minitable.h: bench/upb/crosvm/final/plugin.upb_minitable.c
bench/upb/crosvm/final/plugin.upb_minitable.c: $(srcdir)/proto/crosvm/final/plugin.proto
	$(AM_V_GEN)$(MKDIR_P) bench/upb && $(BENCH_UPB_PROTOC) crosvm/final/plugin.proto
bench/upb/serial/guest.upb.h bench/upb/serial/guest.upb_minitable.h: bench/upb/serial/guest.upb_minitable.c
bench/upb/serial/guest.upb_minitable.c: $(srcdir)/proto/serial/guest.proto
	$(AM_V_GEN)$(MKDIR_P) bench/upb && $(BENCH_UPB_PROTOC) serial/guest.proto
endif

TESTS += bench/smoke.sh
dist_check_SCRIPTS += bench/smoke.sh
EXTRA_DIST += \
	bench/README.md \
	bench/crosvm.options \
	bench/compare.py \
	bench/baseline.json \
	bench/baseline-ir.json \
	bench/baseline-upb.json \
	bench/baseline-upb-ir.json \
	scripts/build-upb

BENCH_ARGS =
BENCH_IR_ARGS =
BENCH_IR_ITERS = 2000
# e.g. BENCH_IR_COMPARE_ARGS='--fail-above 2' to fail on an instruction-count regression
BENCH_COMPARE_ARGS =
BENCH_IR_COMPARE_ARGS =

bench: bench/vmwire-bench$(EXEEXT)
	bench/vmwire-bench$(EXEEXT) --json bench-results.json $(BENCH_ARGS)
	@echo; echo "Change against $(srcdir)/bench/baseline.json (median CPU time; noisy on a shared machine):"
	$(PYTHON3) $(srcdir)/bench/compare.py $(srcdir)/bench/baseline.json bench-results.json $(BENCH_COMPARE_ARGS)
	@if test -n "$(BENCH_UPB_COMPARE)" && test -f $(srcdir)/bench/baseline-upb.json; then \
	  echo; echo "upb rows against $(srcdir)/bench/baseline-upb.json:"; \
	  $(PYTHON3) $(srcdir)/bench/compare.py $(srcdir)/bench/baseline-upb.json bench-results.json --filter /upb; fi
	@echo; $(PYTHON3) $(srcdir)/bench/compare.py ratios bench-results.json

bench-ir: bench/vmwire-bench$(EXEEXT)
	@test -n "$(VALGRIND)" || { echo "bench-ir: valgrind not found by configure"; exit 1; }
	rm -rf bench-ir.d && $(MKDIR_P) bench-ir.d
	$(LIBTOOL) --mode=execute $(VALGRIND) -q --tool=callgrind --collect-atstart=no \
		--callgrind-out-file=bench-ir.d/callgrind.out \
		bench/vmwire-bench$(EXEEXT) --ir $(BENCH_IR_ITERS) --json bench-ir.d/manifest.json $(BENCH_IR_ARGS)
	$(PYTHON3) $(srcdir)/bench/compare.py ir-collect bench-ir.d -o bench-ir.json
	@echo; echo "Change against $(srcdir)/bench/baseline-ir.json (instructions per operation):"
	$(PYTHON3) $(srcdir)/bench/compare.py $(srcdir)/bench/baseline-ir.json bench-ir.json $(BENCH_IR_COMPARE_ARGS)
	@if test -n "$(BENCH_UPB_COMPARE)" && test -f $(srcdir)/bench/baseline-upb-ir.json; then \
	  echo; echo "upb rows against $(srcdir)/bench/baseline-upb-ir.json:"; \
	  $(PYTHON3) $(srcdir)/bench/compare.py $(srcdir)/bench/baseline-upb-ir.json bench-ir.json --filter /upb; fi
	@echo; $(PYTHON3) $(srcdir)/bench/compare.py ratios bench-ir.json

clean-local: bench-clean-local
bench-clean-local:
	rm -rf bench-ir.d bench-ir.json bench-results.json
.PHONY: bench bench-ir bench-clean-local
