# doc/: `make doc` builds the Doxygen HTML reference of include/vmwire/;
# Doxyfile sets WARN_AS_ERROR, so an undocumented public item fails it.
EXTRA_DIST += Doxyfile.in doc/mainpage.md doc/CONVENTIONS.md CHANGELOG.md CONTRIBUTING.md

if HAVE_DOXYGEN
doc: Doxyfile
	$(AM_V_GEN)rm -rf doc/html && $(MKDIR_P) doc && $(DOXYGEN) Doxyfile
else
doc:
	@echo "doxygen not found: run scripts/install-deps and configure again" >&2; exit 1
endif
.PHONY: doc

clean-local: clean-doc
clean-doc:
	-rm -rf doc/html
.PHONY: clean-doc

# Man pages (roff, no generator needed): installed by make install, rendered
# with `man -l` without warnings in make check (tests/man.sh).
dist_man1_MANS = doc/man/vmwire.1 doc/man/vmwire-conformance.1 doc/man/vmwire-testee.1
TESTS += tests/man.sh
dist_check_SCRIPTS += tests/man.sh
