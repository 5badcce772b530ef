#!/bin/sh
# Link-level check of SECURITY.md's promises "no heap allocation" and "no
# abort, exit or printing" in libvmwire: the library's objects must not call
# malloc & co., abort/exit, or stdio. The optional POSIX I/O adapters
# (src/crosvm/io_unix.c) may call the socket and pipe system calls, nothing
# more. vmwire's own objects must not call protobuf-c's allocating unpack or
# free either. protoc-c's generated code (*.pb-c.o: descriptors, plus pack and
# unpack wrappers that vmwire never calls and does not export) is left out.
# Prints TAP.
set -u
lib=${top_builddir:-.}/.libs/libvmwire.a
if [ ! -f "$lib" ]; then
  echo "1..0 # SKIP no static libvmwire.a in this build"
  exit 0
fi
NM=${NM:-nm}
bad='^(malloc|calloc|realloc|reallocarray|free|strdup|strndup|aligned_alloc|posix_memalign|memalign|valloc|alloca|abort|exit|_exit|_Exit|__assert_fail|assert|printf|fprintf|vfprintf|puts|fputs|putchar|perror|setjmp|longjmp|protobuf_c_message_unpack|protobuf_c_message_free_unpacked)$'
objs=$(cd "$(dirname "$lib")" && ar t "$(basename "$lib")" | grep -v '\.pb-c\.o$')
n=0
for o in $objs; do n=$((n + 1)); done
echo "1..$n"
i=0
status=0
for o in $objs; do
  i=$((i + 1))
  calls=$($NM -u "$lib" 2>/dev/null | awk -v obj="$o:" '
      /:$/ { cur = $0; next } cur == obj && NF >= 2 { print $2 }' | sed 's/@.*//' | grep -E "$bad" | tr '\n' ' ')
  if [ -n "$calls" ]; then
    echo "not ok $i - $o calls $calls"
    status=1
  else
    echo "ok $i - $o: no allocation, abort, exit or stdio"
  fi
done
exit $status
