#!/bin/sh
# TAP: the examples of the API reference's protocol pages run and print
# what the pages say they print.
bld=${top_builddir:-.}
n=0
fails=0
echo "1..4"
ex() { # program, expected output
  n=$((n + 1))
  out=$("$bld/doc/examples/$1" 2>&1)
  rc=$?
  if [ $rc = 0 ] && [ "$out" = "$2" ]; then
    echo "ok $n - doc/examples/$1"
  else
    echo "not ok $n - doc/examples/$1 (exit $rc, output '$out', want '$2')"
    fails=$((fails + 1))
  fi
}
ex ic_heartbeat "heartbeat 3.0, sequence 41"
ex crosvm_decode "vmwire.crosvm.final.VcpuRequest: ok"
ex serial_frames "frame 1: 8 bytes, ok
frame 2: 0 bytes, ok"
ex bridge_serve "request 7, value1 41: ok, rax 42, rip 0x1003"
[ "$fails" = 0 ]
