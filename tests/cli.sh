#!/bin/sh
# TAP: the vmwire command's argument handling, range checks and exit codes
# (0 valid, 1 invalid, 2 usage error or not supported), as its --help states.
T="${top_builddir:-.}/tools/vmwire"
n=0
fails=0
ok() { # description, expected exit code, expected stdout ('*' = any), command...
  desc=$1 want_rc=$2 want_out=$3
  shift 3
  n=$((n + 1))
  out=$("$@" 2>/dev/null)
  rc=$?
  if [ "$rc" = "$want_rc" ] && { [ "$want_out" = '*' ] || [ "$out" = "$want_out" ]; }; then
    echo "ok $n - $desc"
  else
    echo "not ok $n - $desc (exit $rc, want $want_rc; output '$out', want '$want_out')"
    fails=$((fails + 1))
  fi
}

echo "1..12"
# uint64 at and beyond its range: 2^64-1 as a string is the 10-byte varint
# ff..ff01 (start = field 2 of Memory = field 3 of Create = field 1 of
# MainRequest); 2^64 as a number or a string is out of range, never wrapped to 0.
ok "uint64 max encodes" 0 0a0d1a0b10ffffffffffffffffff01 \
  "$T" encode crosvm.final.MainRequest '{"create":{"memory":{"start":"18446744073709551615"}}}'
ok "uint64 2^64 as a JSON number is refused" 2 '' \
  "$T" encode crosvm.final.MainRequest '{"create":{"memory":{"start":1.8446744073709552e19}}}'
ok "uint64 2^64 as a string is refused" 2 '' \
  "$T" encode crosvm.final.MainRequest '{"create":{"memory":{"start":"18446744073709551616"}}}'
ok "negative uint64 is refused" 2 '' \
  "$T" encode crosvm.final.MainRequest '{"create":{"memory":{"start":-1}}}'
ok "uint32 2^32 is refused" 2 '' \
  "$T" encode crosvm.final.MainRequest '{"create":{"id":4294967296}}'
# status lookups
ok "status by name" 0 '0 ok: success' "$T" status ok
ok "status by number" 0 '0 ok: success' "$T" status 0
ok "empty status is a usage error" 2 '' "$T" status ''
# arguments that are not UTF-8 text are refused, not dropped
ok "non-UTF-8 deframe chunk" 2 '' "$T" deframe serial.stream "$(printf '\377\376')"
ok "non-UTF-8 message kind" 2 '' "$T" decode "$(printf '\377')" 00
ok "non-UTF-8 hex input" 2 '' "$T" decode serial.GuestMessage "$(printf '\377')"
# usage
ok "no arguments is a usage error" 2 '' "$T"
[ "$fails" = 0 ]
