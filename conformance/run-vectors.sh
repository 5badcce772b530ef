#!/bin/sh
# TAP: every golden vector against the built-in implementation, error names
# compared (--strict-errors), one TAP test per case.
exec "${top_builddir:-.}/tools/vmwire-conformance" --tap --strict-errors --data-dir "${top_srcdir:-.}"
