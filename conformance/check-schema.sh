#!/bin/sh
# TAP: every vector file is valid against conformance/vectors.schema.json.
exec "${PYTHON3:-python3}" "${top_srcdir:-.}/conformance/check_schema.py"
