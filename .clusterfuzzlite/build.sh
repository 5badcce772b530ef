#!/bin/bash -eu
# ClusterFuzzLite entry point: the OSS-Fuzz build script of the tree.
exec "$SRC/vmwire/fuzz/oss-fuzz/build.sh"
