#!/bin/sh
# Smoke test of vmwire-bench: every case's self-check (decode really succeeds,
# encoders write the reference bytes) plus a few iterations, as TAP.
exec "${top_builddir:-.}/bench/vmwire-bench" --smoke
