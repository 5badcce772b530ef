#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for vmwire's fuzz targets.
#
# Contract (google/oss-fuzz new_project_guide): compile with $CC $CFLAGS,
# link with $LIB_FUZZING_ENGINE (never assume libFuzzer: the same targets are
# built for libFuzzer, AFL++, Honggfuzz), put statically linked binaries in
# $OUT with no extension, seeds in $OUT/<target>_seed_corpus.zip and the
# dictionary and options next to them. $SRC/vmwire (or the current directory)
# is the source tree. Needs: autoconf automake libtool pkg-config
# protobuf-c-compiler libprotobuf-c-dev libjansson-dev python3 zip.
SRCDIR=${VMWIRE_SRC:-$SRC/vmwire}
[ -d "$SRCDIR" ] || SRCDIR=$(pwd)
cd "$SRCDIR"
[ -x configure ] || autoreconf -fi

BUILD=${WORK:-/tmp}/vmwire-build
rm -rf "$BUILD" && mkdir -p "$BUILD" && cd "$BUILD"
# The library only, static, no I/O adapters; the sanitizer and coverage flags
# come from $CFLAGS (OSS-Fuzz sets -fsanitize=... and -fsanitize=fuzzer-no-link).
"$SRCDIR/configure" -q CC="$CC" CFLAGS="$CFLAGS" --disable-shared --enable-static \
  --disable-io-adapters
make -j"$(nproc)" libvmwire.la
# fuzz_tools_json also needs the tools' helper library and the test schema.
make -j"$(nproc)" tools/libvwtools.la tests/pb/test.pb-c.c

PBC_LIBDIR=$(pkg-config --variable=libdir libprotobuf-c)
PBC_STATIC=$PBC_LIBDIR/libprotobuf-c.a
[ -f "$PBC_STATIC" ] || PBC_STATIC="-lprotobuf-c"
JANSSON_STATIC=$(pkg-config --variable=libdir jansson)/libjansson.a
[ -f "$JANSSON_STATIC" ] || JANSSON_STATIC="-ljansson"
$CC $CFLAGS -std=c11 -I"$BUILD/tests" -c "$BUILD/tests/pb/test.pb-c.c" -o "$BUILD/vwtest.pb-c.o"

for src in "$SRCDIR"/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  # The runner's targets (fuzz_runner_*) test tools/conformance, not the
  # library: they need the tools build and jansson, which this library-only
  # build does not make. `make fuzz-smoke` and the AFL++ scripts build them.
  case $name in fuzz_runner_*) continue ;; esac
  extra_cflags=() extra_libs=()
  if [ "$name" = fuzz_tools_json ]; then
    extra_cflags=(-I"$SRCDIR/tools" -I"$BUILD/tests" $(pkg-config --cflags jansson))
    extra_libs=("$BUILD/vwtest.pb-c.o" tools/.libs/libvwtools.a)
  fi
  $CC $CFLAGS -std=c11 -I"$SRCDIR/include" -I"$SRCDIR/src" -I"$SRCDIR/fuzz" -I"$BUILD/proto" \
    -I"$BUILD" ${extra_cflags[@]+"${extra_cflags[@]}"} -c "$src" -o "$BUILD/$name.o"
  $CC $CFLAGS "$BUILD/$name.o" -o "$OUT/$name" ${extra_libs[@]+"${extra_libs[@]}"} .libs/libvmwire.a "$PBC_STATIC" \
    "$JANSSON_STATIC" $LIB_FUZZING_ENGINE
  proto=${name#fuzz_}; proto=${proto%%_*}
  [ -f "$SRCDIR/fuzz/$proto.dict" ] && cp "$SRCDIR/fuzz/$proto.dict" "$OUT/$name.dict"
  printf '[libfuzzer]\nmax_len = 65536\n' > "$OUT/$name.options"
done

# Seed corpora from the golden vectors plus the committed reproducers.
python3 "$SRCDIR/fuzz/make-corpus.py" --vectors "$SRCDIR/conformance/vectors" --out "$BUILD/corpus" \
  $(cd "$SRCDIR/fuzz" && ls fuzz_*.c | sed 's/\.c$//')
for d in "$BUILD"/corpus/*/; do
  name=$(basename "$d")
  [ -d "$SRCDIR/fuzz/regressions/$name" ] && cp "$SRCDIR/fuzz/regressions/$name"/* "$d" 2>/dev/null || true
  (cd "$d" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
done
