# doc/: `make doc` builds the Doxygen HTML reference of include/vmwire/;
# Doxyfile sets WARN_AS_ERROR, so an undocumented public item fails it.
EXTRA_DIST += Doxyfile.in doc/mainpage.md doc/CONVENTIONS.md CHANGELOG.md CONTRIBUTING.md

# The specs and guides become pages of the reference: copies under
# doc/pages/ whose first heading gets the page label (SOURCE:LABEL) that the
# protocol pages and the main page refer to; links to other files and
# GitHub-style anchors become their plain text (Doxygen cannot resolve them).
DOC_PAGES = spec/ic.md:spec_ic spec/crosvm.md:spec_crosvm spec/serial.md:spec_serial \
	spec/bridge.md:spec_bridge conformance/README.md:conformance_guide \
	conformance/FORMAT.md:vector_format doc/CONVENTIONS.md:conventions
EXTRA_DIST += doc/page_ic.md doc/page_crosvm.md doc/page_serial.md doc/page_bridge.md \
	doc/examples/ic_heartbeat.c doc/examples/crosvm_decode.c doc/examples/serial_frames.c \
	doc/examples/bridge_serve.c

doc-pages:
	$(AM_V_GEN)rm -rf doc/pages && $(MKDIR_P) doc/pages && \
	for pair in $(DOC_PAGES); do \
	  src=$${pair%%:*}; id=$${pair##*:}; \
	  sed -e '1s/$$/ {#'"$$id"'}/' \
	      -e 's/\[\([^]]*\)\](\([^h)][^)]*\))/\1/g' \
	      $(srcdir)/$$src > doc/pages/$$id.md || exit 1; \
	done
.PHONY: doc-pages

if HAVE_DOXYGEN
doc: Doxyfile doc-pages
	$(AM_V_GEN)rm -rf doc/html && $(MKDIR_P) doc && $(DOXYGEN) Doxyfile
else
doc:
	@echo "doxygen not found: run scripts/install-deps and configure again" >&2; exit 1
endif
.PHONY: doc

clean-local: clean-doc
clean-doc:
	-rm -rf doc/html doc/pages
.PHONY: clean-doc

# Man pages (roff, no generator needed): installed by make install, rendered
# with `man -l` without warnings in make check (tests/man.sh).
dist_man1_MANS = doc/man/vmwire.1 doc/man/vmwire-conformance.1 doc/man/vmwire-testee.1
TESTS += tests/man.sh
dist_check_SCRIPTS += tests/man.sh

# The examples of the API reference's protocol pages (doc/*.md include them
# with \include): built and run in make check so that they stay correct.
DOC_EXAMPLES = doc/examples/ic_heartbeat doc/examples/crosvm_decode \
	doc/examples/serial_frames doc/examples/bridge_serve
check_PROGRAMS += $(DOC_EXAMPLES)
doc_examples_ic_heartbeat_SOURCES = doc/examples/ic_heartbeat.c
doc_examples_ic_heartbeat_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
doc_examples_ic_heartbeat_LDADD = libvmwire.la $(PROTOBUF_C_LIBS)
doc_examples_crosvm_decode_SOURCES = doc/examples/crosvm_decode.c
doc_examples_crosvm_decode_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
doc_examples_crosvm_decode_LDADD = libvmwire.la $(PROTOBUF_C_LIBS)
doc_examples_serial_frames_SOURCES = doc/examples/serial_frames.c
doc_examples_serial_frames_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
doc_examples_serial_frames_LDADD = libvmwire.la $(PROTOBUF_C_LIBS)
doc_examples_bridge_serve_SOURCES = doc/examples/bridge_serve.c
doc_examples_bridge_serve_CFLAGS = $(AM_CFLAGS) $(PROTOBUF_C_CFLAGS)
doc_examples_bridge_serve_LDADD = libvmwire.la $(PROTOBUF_C_LIBS)
TESTS += tests/doc_examples.sh
dist_check_SCRIPTS += tests/doc_examples.sh
