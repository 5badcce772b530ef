#!/bin/sh
# Plain target against its structure-aware custom mutator (fuzz/README.md,
# "Custom mutators"): for each target, fuzz/<target> and fuzz/<target>_sm of
# a libFuzzer build run one after the other (one process at a time), for the
# same time, from the same seeds (the generated corpus and the committed
# regressions), with the same -seed, dictionary and -max_len. Prints the
# final cov/ft and executions of each run and, for the session and stream
# targets, how many inputs of the final corpus reach a deep state
# (fuzz/state_probe.c, compiled against an ordinary build's libvmwire.a).
#
#   fuzz/compare-mutators.sh FUZZ_BUILD ORDINARY_BUILD SECONDS OUT TARGET...
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
fb=$(cd "$1" && pwd); ob=$(cd "$2" && pwd); secs=$3; out=$4; shift 4
mkdir -p "$out"
for t in "$@"; do
  proto=${t#fuzz_}; proto=${proto%%_*}
  dict="$src/fuzz/$proto.dict"
  probe=
  case $t in
    fuzz_ic_guest) probe=PROBE_IC_GUEST ;;
    fuzz_ic_host) probe=PROBE_IC_HOST ;;
    fuzz_crosvm_main) probe=PROBE_CROSVM_MAIN ;;
    fuzz_serial_deframe) probe=PROBE_SERIAL_DEFRAME ;;
  esac
  if [ -n "$probe" ]; then
    gcc -std=c11 -O1 -D$probe -I"$src/include" -I"$src/src" -I"$src/fuzz" -I"$ob" -I"$ob/proto" \
      -o "$out/probe-$t" "$src/fuzz/state_probe.c" "$ob/.libs/libvmwire.a" -lprotobuf-c
  fi
  for v in plain sm; do
    d="$out/$t/$v"; rm -rf "$d"; mkdir -p "$d/corpus"
    cp "$fb/fuzz/corpus/$t/"* "$d/corpus/" 2>/dev/null || true
    cp "$src/fuzz/regressions/$t/"* "$d/corpus/" 2>/dev/null || true
    bin="$fb/fuzz/$t"; [ $v = sm ] && bin="$fb/fuzz/${t}_sm"
    "$bin" -seed=1 -max_total_time="$secs" -max_len=65536 -dict="$dict" -print_final_stats=1 \
      -artifact_prefix="$d/" "$d/corpus" >"$d/log" 2>&1 || true
    last=$(grep -E '^#[0-9]+' "$d/log" | tail -1)
    execs=$(grep -E '^stat::number_of_executed_units' "$d/log" | awk '{print $2}')
    states=
    [ -n "$probe" ] && states=$("$out/probe-$t" "$d/corpus")
    crashes=$(ls "$d" | grep -c -E '^(crash|leak|timeout|oom)-' || true)
    echo "$t $v execs=$execs findings=$crashes | $last | $states"
  done
done
