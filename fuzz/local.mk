# fuzz/: fuzz targets, their seed corpora, and the smoke/campaign/coverage runs.
# See fuzz/README.md. Each target fuzz/fuzz_<name> is built from
# fuzz/fuzz_<name>.c, which defines LLVMFuzzerTestOneInput and checks
# properties (round trips, size bounds, chunking invariance, differential
# agreement), not only the absence of crashes.
#
#  - `configure --enable-fuzzing` (clang): the targets are libFuzzer binaries
#    (noinst, built by `make`), linked with $(LIB_FUZZING_ENGINE);
#    `make fuzz-smoke` runs each for FUZZ_SMOKE_SECONDS.
#  - any other build: the same sources plus fuzz/main.c are check programs;
#    `make check` replays the generated seed corpus (fuzz/corpus/<name>/ in
#    the build tree) and the committed reproducers (fuzz/regressions/<name>/).
#  - AFL++: scripts/fuzz-build-afl, then scripts/fuzz-campaign (`make fuzz`).
FUZZ_TARGETS =

# Targets link libvmwire statically (-static: libtool's "no shared libtool
# libraries"), so each is one real binary that libFuzzer can re-exec and
# llvm-cov can read.
FUZZ_LDADD = libvmwire.la $(PROTOBUF_C_LIBS) $(LIB_FUZZING_ENGINE)
FUZZ_LINKFLAGS = $(AM_LDFLAGS) -static

if FUZZING
FUZZ_DRIVER =
else
FUZZ_DRIVER = fuzz/main.c
endif

# ---- targets -----------------------------------------------------------
FUZZ_TARGETS += fuzz/fuzz_bridge_dispatch
fuzz_fuzz_bridge_dispatch_SOURCES = fuzz/fuzz_bridge_dispatch.c $(FUZZ_DRIVER)
fuzz_fuzz_bridge_dispatch_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_bridge_dispatch_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_bridge_packet
fuzz_fuzz_bridge_packet_SOURCES = fuzz/fuzz_bridge_packet.c $(FUZZ_DRIVER)
fuzz_fuzz_bridge_packet_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_bridge_packet_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_crosvm_final_main_request
fuzz_fuzz_crosvm_final_main_request_SOURCES = fuzz/fuzz_crosvm_final_main_request.c $(FUZZ_DRIVER)
fuzz_fuzz_crosvm_final_main_request_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_crosvm_final_main_request_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_crosvm_final_main_response
fuzz_fuzz_crosvm_final_main_response_SOURCES = fuzz/fuzz_crosvm_final_main_response.c $(FUZZ_DRIVER)
fuzz_fuzz_crosvm_final_main_response_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_crosvm_final_main_response_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_crosvm_final_vcpu_request
fuzz_fuzz_crosvm_final_vcpu_request_SOURCES = fuzz/fuzz_crosvm_final_vcpu_request.c $(FUZZ_DRIVER)
fuzz_fuzz_crosvm_final_vcpu_request_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_crosvm_final_vcpu_request_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_crosvm_final_vcpu_response
fuzz_fuzz_crosvm_final_vcpu_response_SOURCES = fuzz/fuzz_crosvm_final_vcpu_response.c $(FUZZ_DRIVER)
fuzz_fuzz_crosvm_final_vcpu_response_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_crosvm_final_vcpu_response_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_crosvm_main
fuzz_fuzz_crosvm_main_SOURCES = fuzz/fuzz_crosvm_main.c $(FUZZ_DRIVER)
fuzz_fuzz_crosvm_main_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_crosvm_main_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_crosvm_seed_main_request
fuzz_fuzz_crosvm_seed_main_request_SOURCES = fuzz/fuzz_crosvm_seed_main_request.c $(FUZZ_DRIVER)
fuzz_fuzz_crosvm_seed_main_request_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_crosvm_seed_main_request_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_crosvm_seed_main_response
fuzz_fuzz_crosvm_seed_main_response_SOURCES = fuzz/fuzz_crosvm_seed_main_response.c $(FUZZ_DRIVER)
fuzz_fuzz_crosvm_seed_main_response_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_crosvm_seed_main_response_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_crosvm_seed_vcpu_request
fuzz_fuzz_crosvm_seed_vcpu_request_SOURCES = fuzz/fuzz_crosvm_seed_vcpu_request.c $(FUZZ_DRIVER)
fuzz_fuzz_crosvm_seed_vcpu_request_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_crosvm_seed_vcpu_request_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_crosvm_seed_vcpu_response
fuzz_fuzz_crosvm_seed_vcpu_response_SOURCES = fuzz/fuzz_crosvm_seed_vcpu_response.c $(FUZZ_DRIVER)
fuzz_fuzz_crosvm_seed_vcpu_response_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_crosvm_seed_vcpu_response_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_crosvm_splitter
fuzz_fuzz_crosvm_splitter_SOURCES = fuzz/fuzz_crosvm_splitter.c $(FUZZ_DRIVER)
fuzz_fuzz_crosvm_splitter_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_crosvm_splitter_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_crosvm_vcpu
fuzz_fuzz_crosvm_vcpu_SOURCES = fuzz/fuzz_crosvm_vcpu.c $(FUZZ_DRIVER)
fuzz_fuzz_crosvm_vcpu_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_crosvm_vcpu_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_ic_body
fuzz_fuzz_ic_body_SOURCES = fuzz/fuzz_ic_body.c $(FUZZ_DRIVER)
fuzz_fuzz_ic_body_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_ic_body_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_ic_guest
fuzz_fuzz_ic_guest_SOURCES = fuzz/fuzz_ic_guest.c $(FUZZ_DRIVER)
fuzz_fuzz_ic_guest_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_ic_guest_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_ic_host
fuzz_fuzz_ic_host_SOURCES = fuzz/fuzz_ic_host.c $(FUZZ_DRIVER)
fuzz_fuzz_ic_host_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_ic_host_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_ic_kvp
fuzz_fuzz_ic_kvp_SOURCES = fuzz/fuzz_ic_kvp.c $(FUZZ_DRIVER)
fuzz_fuzz_ic_kvp_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_ic_kvp_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_ic_message
fuzz_fuzz_ic_message_SOURCES = fuzz/fuzz_ic_message.c $(FUZZ_DRIVER)
fuzz_fuzz_ic_message_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_ic_message_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_ic_negotiate
fuzz_fuzz_ic_negotiate_SOURCES = fuzz/fuzz_ic_negotiate.c $(FUZZ_DRIVER)
fuzz_fuzz_ic_negotiate_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_ic_negotiate_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_ic_packet
fuzz_fuzz_ic_packet_SOURCES = fuzz/fuzz_ic_packet.c $(FUZZ_DRIVER)
fuzz_fuzz_ic_packet_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_ic_packet_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_ic_vss
fuzz_fuzz_ic_vss_SOURCES = fuzz/fuzz_ic_vss.c $(FUZZ_DRIVER)
fuzz_fuzz_ic_vss_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_ic_vss_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_pb_fast
fuzz_fuzz_pb_fast_SOURCES = fuzz/fuzz_pb_fast.c fuzz/pb_fast_diff.h $(FUZZ_DRIVER)
fuzz_fuzz_pb_fast_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_pb_fast_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_serial_deframe
fuzz_fuzz_serial_deframe_SOURCES = fuzz/fuzz_serial_deframe.c $(FUZZ_DRIVER)
fuzz_fuzz_serial_deframe_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_serial_deframe_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_serial_frame
fuzz_fuzz_serial_frame_SOURCES = fuzz/fuzz_serial_frame.c $(FUZZ_DRIVER)
fuzz_fuzz_serial_frame_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_serial_frame_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_serial_guest_message
fuzz_fuzz_serial_guest_message_SOURCES = fuzz/fuzz_serial_guest_message.c $(FUZZ_DRIVER)
fuzz_fuzz_serial_guest_message_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_serial_guest_message_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_serial_vmm_config
fuzz_fuzz_serial_vmm_config_SOURCES = fuzz/fuzz_serial_vmm_config.c $(FUZZ_DRIVER)
fuzz_fuzz_serial_vmm_config_LDADD = $(FUZZ_LDADD)
fuzz_fuzz_serial_vmm_config_LDFLAGS = $(FUZZ_LINKFLAGS)
# The tools' JSON mapping (tools/common), not the library: links libvwtools.
FUZZ_TARGETS += fuzz/fuzz_tools_json
fuzz_fuzz_tools_json_SOURCES = fuzz/fuzz_tools_json.c $(FUZZ_DRIVER)
nodist_fuzz_fuzz_tools_json_SOURCES = $(PB_TEST_GEN)
fuzz_fuzz_tools_json_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -I$(top_builddir)/tests
fuzz_fuzz_tools_json_CFLAGS = $(TOOLS_CFLAGS)
fuzz_fuzz_tools_json_LDADD = tools/libvwtools.la $(FUZZ_LDADD) $(JANSSON_LIBS)
fuzz_fuzz_tools_json_LDFLAGS = $(FUZZ_LINKFLAGS)

# The runner's own fuzz targets (tools/conformance): reply parsing and report
# writing, and the vector loader. They link the runner's modules and jansson.
FUZZ_RUNNER_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -I$(top_srcdir)/fuzz
FUZZ_RUNNER_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
FUZZ_RUNNER_LDADD = tools/libvwrunner.la $(JANSSON_LIBS) $(FUZZ_LDADD)
FUZZ_TARGETS += fuzz/fuzz_runner_reply
fuzz_fuzz_runner_reply_SOURCES = fuzz/fuzz_runner_reply.c $(FUZZ_DRIVER)
fuzz_fuzz_runner_reply_CPPFLAGS = $(FUZZ_RUNNER_CPPFLAGS)
fuzz_fuzz_runner_reply_CFLAGS = $(FUZZ_RUNNER_CFLAGS)
fuzz_fuzz_runner_reply_LDADD = $(FUZZ_RUNNER_LDADD)
fuzz_fuzz_runner_reply_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_TARGETS += fuzz/fuzz_runner_vectors
fuzz_fuzz_runner_vectors_SOURCES = fuzz/fuzz_runner_vectors.c $(FUZZ_DRIVER)
fuzz_fuzz_runner_vectors_CPPFLAGS = $(FUZZ_RUNNER_CPPFLAGS)
fuzz_fuzz_runner_vectors_CFLAGS = $(FUZZ_RUNNER_CFLAGS)
fuzz_fuzz_runner_vectors_LDADD = $(FUZZ_RUNNER_LDADD)
fuzz_fuzz_runner_vectors_LDFLAGS = $(FUZZ_LINKFLAGS)

# ---- registration ------------------------------------------------------
if FUZZING
noinst_PROGRAMS += $(FUZZ_TARGETS)
else
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += $(FUZZ_TARGETS)
endif

# ---- seed corpora (generated from the golden vectors, never committed) --
check_DATA += fuzz/corpus.stamp
fuzz/corpus.stamp: $(srcdir)/fuzz/make-corpus.py $(srcdir)/fuzz/local.mk $(dist_vectors_DATA)
	$(AM_V_GEN)rm -rf fuzz/corpus && $(MKDIR_P) fuzz && \
	$(PYTHON3) $(srcdir)/fuzz/make-corpus.py --vectors $(srcdir)/conformance/vectors \
		--out fuzz/corpus $(FUZZ_TARGETS:fuzz/%=%) && touch $@

clean-local: fuzz-clean-local
fuzz-clean-local:
	-rm -rf fuzz/corpus fuzz/smoke fuzz/findings fuzz/coverage fuzz/campaign
CLEANFILES += fuzz/corpus.stamp

EXTRA_DIST += fuzz/README.md fuzz/make-corpus.py fuzz/afl_driver.c \
	fuzz/fuzz.h fuzz/engine_check.h fuzz/pb_scan.h fuzz/pb_diff.h fuzz/crosvm_msg.h fuzz/crosvm_session.h \
	fuzz/ic_common.h fuzz/serial_msg.h fuzz/bridge_common.h \
	fuzz/ic.dict fuzz/crosvm.dict fuzz/serial.dict fuzz/bridge.dict fuzz/tools.dict \
	fuzz/regressions fuzz/pending fuzz/oss-fuzz/build.sh \
	scripts/fuzz-smoke scripts/fuzz-campaign scripts/fuzz-build-afl scripts/fuzz-coverage \
	.clusterfuzzlite/project.yaml .clusterfuzzlite/Dockerfile .clusterfuzzlite/build.sh

# ---- runs --------------------------------------------------------------
# make fuzz-smoke: every target for FUZZ_SMOKE_SECONDS, FUZZ_SMOKE_JOBS at a
# time; prints automake-style "# PASS: N" / "# FAIL: N" (scripts/test-all
# counts them). In a build without --enable-fuzzing it only replays seeds.
FUZZ_SMOKE_SECONDS = 20
FUZZ_SMOKE_JOBS = 2
if FUZZING
FUZZ_ENGINE_MODE = libfuzzer
else
FUZZ_ENGINE_MODE = replay
endif
fuzz-smoke: $(FUZZ_TARGETS) fuzz/corpus.stamp
	@$(SHELL) $(srcdir)/scripts/fuzz-smoke --engine $(FUZZ_ENGINE_MODE) \
		--seconds $(FUZZ_SMOKE_SECONDS) --jobs $(FUZZ_SMOKE_JOBS) \
		--srcdir $(srcdir) --builddir . $(FUZZ_TARGETS:fuzz/%=%)

# make fuzz: a long campaign (AFL++ main + secondaries over all cores, crash
# minimisation, report in fuzz/campaign/REPORT.md). FUZZ_SECONDS per target.
FUZZ_SECONDS = 600
fuzz:
	$(SHELL) $(srcdir)/scripts/fuzz-campaign --seconds $(FUZZ_SECONDS) \
		--out $(abs_builddir)/fuzz/campaign $(FUZZ_TARGETS:fuzz/%=%)

# make fuzz-coverage: llvm-cov line and branch coverage of src/ reached by
# the seed corpora (and by any campaign queue in fuzz/campaign/).
fuzz-coverage:
	$(SHELL) $(srcdir)/scripts/fuzz-coverage --build $(abs_builddir)/fuzz/coverage \
		--extra $(abs_builddir)/fuzz/campaign

.PHONY: fuzz fuzz-smoke fuzz-coverage fuzz-clean-local

# The target names, for the scripts (scripts/fuzz-build-afl, fuzz-campaign).
fuzz-list:
	@echo $(FUZZ_TARGETS:fuzz/%=%)
.PHONY: fuzz-list

# ---- structure-aware custom mutators (fuzz/mutate.h) ---------------------
# The differential fuzzer's generators (tools/conformance/fuzzgen.c, one
# source) drive the targets as custom mutators: fuzz/fuzz_<name>_sm is
# fuzz_<name> plus LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver
# (fuzz/mutator_libfuzzer.c). With --enable-fuzzing they are libFuzzer
# binaries next to the plain ones (fuzz/README.md compares the two); in any
# other build they are check programs that smoke-test the hooks
# (fuzz/mutator_smoke.c), and fuzz/.libs/vmwire_afl_mutator.so, the AFL++
# custom mutator library, is built and loaded by fuzz/mutator_afl_smoke.
# The mutators themselves are built without the fuzzing instrumentation,
# so that they add no coverage of their own.
noinst_LTLIBRARIES += fuzz/libfzm.la
fuzz_libfzm_la_SOURCES = fuzz/mutate.h fuzz/mutate.c tools/conformance/fuzzgen.h tools/conformance/fuzzgen.c
fuzz_libfzm_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools
fuzz_libfzm_la_CFLAGS = -std=c11 $(WARN_CFLAGS) $(SAN_CFLAGS) $(COV_CFLAGS) $(PROTOBUF_C_CFLAGS)
FUZZ_SM_TARGETS =
if FUZZING
FUZZ_SM_DRIVER =
else
FUZZ_SM_DRIVER = fuzz/mutator_smoke.c
endif
FUZZ_SM_LDADD = fuzz/libfzm.la $(FUZZ_LDADD)
FUZZ_SM_TARGETS += fuzz/fuzz_crosvm_seed_main_request_sm
fuzz_fuzz_crosvm_seed_main_request_sm_SOURCES = fuzz/fuzz_crosvm_seed_main_request.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_crosvm_seed_main_request_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_crosvm_seed_main_request"'
fuzz_fuzz_crosvm_seed_main_request_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_crosvm_seed_main_request_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_crosvm_seed_main_response_sm
fuzz_fuzz_crosvm_seed_main_response_sm_SOURCES = fuzz/fuzz_crosvm_seed_main_response.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_crosvm_seed_main_response_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_crosvm_seed_main_response"'
fuzz_fuzz_crosvm_seed_main_response_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_crosvm_seed_main_response_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_crosvm_seed_vcpu_request_sm
fuzz_fuzz_crosvm_seed_vcpu_request_sm_SOURCES = fuzz/fuzz_crosvm_seed_vcpu_request.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_crosvm_seed_vcpu_request_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_crosvm_seed_vcpu_request"'
fuzz_fuzz_crosvm_seed_vcpu_request_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_crosvm_seed_vcpu_request_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_crosvm_seed_vcpu_response_sm
fuzz_fuzz_crosvm_seed_vcpu_response_sm_SOURCES = fuzz/fuzz_crosvm_seed_vcpu_response.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_crosvm_seed_vcpu_response_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_crosvm_seed_vcpu_response"'
fuzz_fuzz_crosvm_seed_vcpu_response_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_crosvm_seed_vcpu_response_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_crosvm_final_main_request_sm
fuzz_fuzz_crosvm_final_main_request_sm_SOURCES = fuzz/fuzz_crosvm_final_main_request.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_crosvm_final_main_request_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_crosvm_final_main_request"'
fuzz_fuzz_crosvm_final_main_request_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_crosvm_final_main_request_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_crosvm_final_main_response_sm
fuzz_fuzz_crosvm_final_main_response_sm_SOURCES = fuzz/fuzz_crosvm_final_main_response.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_crosvm_final_main_response_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_crosvm_final_main_response"'
fuzz_fuzz_crosvm_final_main_response_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_crosvm_final_main_response_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_crosvm_final_vcpu_request_sm
fuzz_fuzz_crosvm_final_vcpu_request_sm_SOURCES = fuzz/fuzz_crosvm_final_vcpu_request.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_crosvm_final_vcpu_request_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_crosvm_final_vcpu_request"'
fuzz_fuzz_crosvm_final_vcpu_request_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_crosvm_final_vcpu_request_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_crosvm_final_vcpu_response_sm
fuzz_fuzz_crosvm_final_vcpu_response_sm_SOURCES = fuzz/fuzz_crosvm_final_vcpu_response.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_crosvm_final_vcpu_response_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_crosvm_final_vcpu_response"'
fuzz_fuzz_crosvm_final_vcpu_response_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_crosvm_final_vcpu_response_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_serial_guest_message_sm
fuzz_fuzz_serial_guest_message_sm_SOURCES = fuzz/fuzz_serial_guest_message.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_serial_guest_message_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_serial_guest_message"'
fuzz_fuzz_serial_guest_message_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_serial_guest_message_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_serial_vmm_config_sm
fuzz_fuzz_serial_vmm_config_sm_SOURCES = fuzz/fuzz_serial_vmm_config.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_serial_vmm_config_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_serial_vmm_config"'
fuzz_fuzz_serial_vmm_config_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_serial_vmm_config_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_ic_message_sm
fuzz_fuzz_ic_message_sm_SOURCES = fuzz/fuzz_ic_message.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_ic_message_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_ic_message"'
fuzz_fuzz_ic_message_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_ic_message_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_ic_packet_sm
fuzz_fuzz_ic_packet_sm_SOURCES = fuzz/fuzz_ic_packet.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_ic_packet_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_ic_packet"'
fuzz_fuzz_ic_packet_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_ic_packet_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_ic_guest_sm
fuzz_fuzz_ic_guest_sm_SOURCES = fuzz/fuzz_ic_guest.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_ic_guest_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_ic_guest"'
fuzz_fuzz_ic_guest_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_ic_guest_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_ic_host_sm
fuzz_fuzz_ic_host_sm_SOURCES = fuzz/fuzz_ic_host.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_ic_host_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_ic_host"'
fuzz_fuzz_ic_host_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_ic_host_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_crosvm_main_sm
fuzz_fuzz_crosvm_main_sm_SOURCES = fuzz/fuzz_crosvm_main.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_crosvm_main_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_crosvm_main"'
fuzz_fuzz_crosvm_main_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_crosvm_main_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
FUZZ_SM_TARGETS += fuzz/fuzz_serial_deframe_sm
fuzz_fuzz_serial_deframe_sm_SOURCES = fuzz/fuzz_serial_deframe.c fuzz/mutator_libfuzzer.c $(FUZZ_SM_DRIVER)
fuzz_fuzz_serial_deframe_sm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -DFZM_TARGET='"fuzz_serial_deframe"'
fuzz_fuzz_serial_deframe_sm_LDADD = $(FUZZ_SM_LDADD)
fuzz_fuzz_serial_deframe_sm_LDFLAGS = $(FUZZ_LINKFLAGS)
if FUZZING
noinst_PROGRAMS += $(FUZZ_SM_TARGETS)
else
check_PROGRAMS += $(FUZZ_SM_TARGETS)
TESTS += $(FUZZ_SM_TARGETS)
# The AFL++ library is a shared module (a build with shared libraries), linked
# with the shared libvmwire of the build tree.
check_LTLIBRARIES += fuzz/vmwire_afl_mutator.la
fuzz_vmwire_afl_mutator_la_SOURCES = fuzz/mutator_afl.c
fuzz_vmwire_afl_mutator_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools
fuzz_vmwire_afl_mutator_la_LIBADD = fuzz/libfzm.la libvmwire.la $(PROTOBUF_C_LIBS)
fuzz_vmwire_afl_mutator_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-rpath $(abs_builddir)/fuzz -Wl,-rpath,$(abs_top_builddir)/.libs
check_PROGRAMS += fuzz/mutator_afl_smoke
TESTS += fuzz/mutator_afl_smoke
fuzz_mutator_afl_smoke_SOURCES = fuzz/mutator_afl_smoke.c
fuzz_mutator_afl_smoke_LDADD = -ldl
endif
EXTRA_DIST += fuzz/mutator_smoke.c fuzz/state_probe.c fuzz/compare-mutators.sh

# The custom-mutator targets' names (scripts, fuzz/README.md's comparison).
fuzz-list-sm:
	@echo $(FUZZ_SM_TARGETS:fuzz/%=%)
.PHONY: fuzz-list-sm

# ---- link-level check: no allocation, abort, exit or stdio in libvmwire --
TESTS += fuzz/check-no-alloc.sh
dist_check_SCRIPTS += fuzz/check-no-alloc.sh

# ---- allocation-failure tests (tests/test_allocfail_*.c) -----------------
# The tools' own allocations go through --wrap'd malloc & co so that each can
# be made to fail in turn; jansson's through json_set_alloc_funcs().
if HAVE_CMOCKA
check_PROGRAMS += tests/test_allocfail_tools
TESTS += tests/test_allocfail_tools
tests_test_allocfail_tools_SOURCES = tests/test_allocfail_tools.c
tests_test_allocfail_tools_CFLAGS = $(TESTS_CFLAGS)
tests_test_allocfail_tools_CPPFLAGS = $(TESTS_CPPFLAGS)
tests_test_allocfail_tools_LDADD = tools/libvwtools.la $(TESTS_LDADD) $(JANSSON_LIBS)
tests_test_allocfail_tools_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=malloc -Wl,--wrap=calloc \
	-Wl,--wrap=realloc -Wl,--wrap=free -Wl,--wrap=strdup
endif
