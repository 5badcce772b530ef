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

# (the plan is printed at the end: 1..N)
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
# the serial encode parameter `encoder` (spec/serial.md section 5): micropb's
# encoding is the canonical one, a negative level takes 10 bytes (SER-MICROPB-9)
ok "encoder micropb encodes" 0 08ffffffffffffffffff01 \
  "$T" encode serial.GuestMessage '{"level":-1}' --param 'encoder="micropb"'
ok "encoder micropb refuses a fifth device" 1 '' \
  "$T" encode serial.VmmConfig '{"devices":[{},{},{},{},{}]}' --param 'encoder="micropb"'
ok "an unknown encoder is not supported" 2 '' \
  "$T" encode serial.GuestMessage '{"level":1}' --param 'encoder="nanopb"'
# usage
ok "no arguments is a usage error" 2 '' "$T"

has() { # description, expected exit code, text stdout+stderr must contain, command...
  desc=$1 want_rc=$2 want=$3
  shift 3
  n=$((n + 1))
  out=$("$@" 2>&1)
  rc=$?
  case $out in
  *"$want"*) found=1 ;;
  *) found=0 ;;
  esac
  if [ "$rc" = "$want_rc" ] && [ $found = 1 ]; then
    echo "ok $n - $desc"
  else
    echo "not ok $n - $desc (exit $rc, want $want_rc; output lacks '$want')"
    echo "$out" | sed 's/^/# /' | head -20
    fails=$((fails + 1))
  fi
}
tmp=${TMPDIR:-/tmp}/vmwire-cli.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

# hex in any common spelling gives the same message (a VcpuRequest "wait")
K=crosvm.final.VcpuRequest
want=$("$T" decode $K 0a020801)
printf '\n\002\010\001' >"$tmp/msg.bin"
ok "spaced hex" 0 "$want" "$T" decode $K '0a 02 08 01'
ok "0x bytes with commas (C array)" 0 "$want" "$T" decode $K '{0x0a, 0x02, 0x08, 0x01}'
ok "\\x escapes" 0 "$want" "$T" decode $K '\x0a\x02\x08\x01'
ok "colon separated, upper case" 0 "$want" "$T" decode $K '0A:02:08:01'
ok "one 0x number" 0 "$want" "$T" decode $K 0x0a020801
# (the dumps as xxd and hexdump -C print them, written out so the test needs neither)
printf '00000000: 0a02 0801                                ....\n' >"$tmp/msg.xxd"
printf '00000000  0a 02 08 01                                       |....|\n00000004\n' >"$tmp/msg.dump"
ok "xxd dump on stdin" 0 "$want" sh -c "'$T' decode $K <'$tmp/msg.xxd'"
ok "hexdump -C dump from a file" 0 "$want" "$T" decode $K "$tmp/msg.dump"
ok "--binary from a file" 0 "$want" "$T" decode $K --binary "$tmp/msg.bin"
ok "--binary from stdin" 0 "$want" sh -c "'$T' decode $K --binary <'$tmp/msg.bin'"
ok "hex on stdin with '-'" 0 "$want" sh -c "echo 0a020801 | '$T' decode $K -"
ok "binary without --binary is a usage error" 2 '' sh -c "'$T' decode $K <'$tmp/msg.bin'"
ok "odd hex is a usage error" 2 '' "$T" decode $K 0a0
# errors: status, rule, offset, marked dump
has "error names the status" 1 "invalid: truncated" "$T" decode crosvm.final.MainRequest 0a0d1a0b10ffffffffff
has "error gives the offset" 1 "offset: 10 (the end of the input) of 10 bytes" "$T" decode crosvm.final.MainRequest 0a0d1a0b10ffffffffff
has "error names a rule" 1 "rule: " "$T" decode crosvm.final.MainRequest 0a0d1a0b10ffffffffff
has "error marks the byte" 1 "^^ end of input" "$T" decode crosvm.final.MainRequest 0a0d1a0b10ffffffffff
has "error offset inside the input" 1 "offset: 4 (byte 0x61) of 7 bytes" "$T" decode serial.GuestMessage 12020a03616263
# --annotate
has "annotate names protobuf fields" 0 "tag start: field 2, VARINT, uint64" \
  "$T" decode crosvm.final.MainRequest --annotate 0a0d1a0b10ffffffffffffffffff01
has "annotate shows unknown fields" 0 "unknown field 15" "$T" decode crosvm.final.VcpuRequest --annotate 7801
has "annotate shows IC header fields" 1 "message_type = 1 (heartbeat)" \
  "$T" decode ic.message --annotate 0300000001000300000010000000000000000000
# kinds, help, encode --binary, colour
has "kinds lists the bridge" 0 "bridge.amd64" "$T" kinds
has "--help lists the kinds" 0 "serial.stream              deframe" "$T" --help
ok "encode --binary writes bytes" 0 "$("$T" encode $K '{"wait":{}}')" sh -c "'$T' encode $K '{\"wait\":{}}' --binary | od -An -tx1 | tr -d ' \n'"
has "colour when asked" 0 "$(printf '\033[')" "$T" decode $K --annotate --color=always 0a020801
ok "no colour when piped" 1 0 sh -c "'$T' decode $K --annotate 0a020801 | od -c | grep -c 033"
# frames
has "frames splits a capture" 0 "frame 2 at offset 5: length 2" "$T" frames 0300 0a0108 0200 1001
has "frames reports an incomplete frame" 0 "pending at offset 9: 2 bytes" "$T" frames 03000a0108 02001001 0900
has "frames --limit rejects a long frame" 1 "error at offset 0: too_long" "$T" frames --limit 2 --policy drop 03000a0108
# bridge
has "bridge reads the packet" 0 'magic   = 0x42494d56 ("VMIB"' "$T" bridge rcx=0x42494d56 rdx=0x10001 rax=0x22
has "bridge dispatches with a table" 0 "outcome: handled" \
  "$T" bridge rcx=0x42494d56 rdx=0x10001 --handlers "${top_srcdir:-.}/conformance/vectors/bridge.json"
has "bridge refuses paging off" 1 "invalid: bad_mode" "$T" bridge --mode 0 rcx=0x42494d56
# ic
has "ic session answers a heartbeat" 0 "step 1: valid, sent" "$T" ic --session --role guest --service heartbeat \
  0100000030000000030000000100030000001c000000000000030000000000000000000000000000000000000000000000000000000000
echo "1..$n"
[ "$fails" = 0 ]
