#!/bin/sh
# TAP: the serial demo (examples/serial_vmm driving examples/serial_guest over
# two pipes): the configuration reaches the guest, every message it sends
# arrives decoded, stray bytes are skipped by resynchronisation.
b=${top_builddir:-.}
vmm=$b/examples/serial_vmm
guest=$b/examples/serial_guest
echo "1..9"
if [ ! -x "$vmm" ] || [ ! -x "$guest" ]; then
    for i in 1 2 3 4 5 6 7 8 9; do echo "ok $i # SKIP examples not built"; done
    exit 0
fi
out=$(mktemp "${TMPDIR:-/tmp}/vwdemo.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT INT TERM
n=0
check() { # description, then a command whose success is the test
    n=$((n + 1))
    d=$1
    shift
    if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; sed 's/^/# /' "$out"; fi
}

"$vmm" --progress 25 "$guest" >"$out" 2>&1
rc=$?
check "clean run exits 0" test $rc -eq 0
check "init from the guest" grep -q '^INFO init stage=probe device=input address=0xd0000000$' "$out"
# input 512-byte sectors, output 4096 (from the VmmConfig): the guest used them
check "capacities use the configured sector sizes" sh -c \
    "grep -q '^INFO capacity device=input sectors=64 bytes=32768$' '$out' &&
     grep -q '^INFO capacity device=output sectors=64 bytes=262144$' '$out'"
# progress every 25 %: 25, 50, 75, 100
check "progress every configured 25 %" test "$(grep -c '^PROGRESS progress operation=copy' "$out")" -eq 4
# the 38-byte operation name was cut to its first 32 bytes by the builder
check "long string truncated to 32 bytes" grep -q '^ERROR error operation=read-with-a-rather-long-operatio device=input sector=7 status=1$' "$out"
check "complete, no frame rejected" sh -c \
    "grep -q '^COMPLETE complete operation=copy count=64 success=true$' '$out' &&
     grep -q '^frames 12 rejected 0 skipped 0 pending 0 guest-exit 0$' '$out'"

"$vmm" --progress 50 --no-output "$guest" --garbage >"$out" 2>&1
rc=$?
# without an output device the guest reports success=false: exit 1
check "no output device: completion without success" sh -c \
    "test $rc -eq 1 && grep -q '^COMPLETE complete operation=copy count=64 success=false$' '$out'"
# candidate headers ff ff, ff ff, ff 18 (the first frame's length is 0x18):
# all over 600, so three bytes are skipped one by one
check "three stray bytes skipped by resync" sh -c \
    "test \$(grep -c '^bad frame: too_long, 1 byte(s) skipped$' '$out') -eq 3 &&
     grep -q ' rejected 3 skipped 3 pending 0 ' '$out'"
check "frames after the stray bytes all decoded" sh -c \
    "grep -q '^frames 8 ' '$out' && ! grep -q undecodable '$out'"
