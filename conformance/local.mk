# conformance/: golden vectors, their schema, and the tests that run them.
vectorsdir = $(pkgdatadir)/conformance/vectors
dist_vectors_DATA = $(sort $(wildcard $(srcdir)/conformance/vectors/*.json))
conformancedir = $(pkgdatadir)/conformance
dist_conformance_DATA = conformance/FORMAT.md conformance/README.md conformance/vectors.schema.json
specdir = $(pkgdatadir)/spec
dist_spec_DATA = $(sort $(wildcard $(srcdir)/spec/*.md))

# Every vector file is checked against the JSON Schema, then every case runs
# against the built-in implementation, error names compared.
TESTS += conformance/check-schema.sh conformance/run-vectors.sh
dist_check_SCRIPTS += conformance/check-schema.sh conformance/run-vectors.sh
EXTRA_DIST += conformance/check_schema.py
