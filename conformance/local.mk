# conformance/: golden vectors, their schema, the vendor guide and example
# testee, and the tests that run them (and test the runner itself).
vectorsdir = $(pkgdatadir)/conformance/vectors
dist_vectors_DATA = $(sort $(wildcard $(srcdir)/conformance/vectors/*.json))
conformancedir = $(pkgdatadir)/conformance
dist_conformance_DATA = conformance/FORMAT.md conformance/README.md conformance/vectors.schema.json
conformanceexamplesdir = $(pkgdatadir)/conformance/examples
dist_conformanceexamples_DATA = conformance/examples/testee_example.py
specdir = $(pkgdatadir)/spec
dist_spec_DATA = $(sort $(wildcard $(srcdir)/spec/*.md))

# Every vector file is checked against the JSON Schema, then every case runs
# against the built-in implementation, error names compared.
TESTS += conformance/check-schema.sh conformance/run-vectors.sh
dist_check_SCRIPTS += conformance/check-schema.sh conformance/run-vectors.sh
EXTRA_DIST += conformance/check_schema.py

# Tests of vmwire-conformance itself (TAP scripts): a deliberately broken
# testee, a testee skipping a whole protocol, expected-failure lists, vector
# and usage errors, the example testee, and in-process vs vmwire-testee.
RUNNER_TESTS = \
	tests/runner_broken.py \
	tests/runner_skipped.py \
	tests/runner_xfail.py \
	tests/runner_errors.py \
	tests/runner_example.py \
	tests/runner_builtin.py \
	tests/runner_faults.py \
	tests/runner_fuzz.py \
	tests/runner_offset.py \
	tests/runner_planted.py \
	tests/mutation_tool.py
TESTS += $(RUNNER_TESTS)
EXTRA_DIST += $(RUNNER_TESTS) tests/runner_lib.py tests/broken_testee.py tests/oracle.py \
	tests/runner-vectors/spec/rt.md \
	tests/runner-vectors/hostile_testee.py tests/runner-vectors/junit.xsd \
	tests/runner-vectors/planted_testee.py \
	$(sort $(wildcard $(srcdir)/tests/runner-vectors/*.json)) \
	$(sort $(wildcard $(srcdir)/tests/runner-vectors/bad/*.json))

# Mutation score of the vectors over src/ (scripts/mutation, see
# conformance/README.md "Mutation score"): `make mutation` runs every mutant,
# `make mutation MUTATION_FLAGS="--n 200 --seed 1"` a sample.
MUTATION_FLAGS =
mutation:
	$(PYTHON3) $(srcdir)/scripts/mutation --source $(abs_top_srcdir) $(MUTATION_FLAGS)
.PHONY: mutation
EXTRA_DIST += scripts/mutation conformance/mutation-exclusions.txt
