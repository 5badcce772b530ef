#!/bin/sh
# TAP: the man pages render with `man -l` without a warning from groff, and
# they list what the programs' --help lists: every vmwire command, every
# vmwire-conformance option. An option of vmwire-conformance --help the page
# lacks is reported as TODO (the page needs a .TP block), not as a failure.
src=${top_srcdir:-.}
bld=${top_builddir:-.}
pages="vmwire vmwire-conformance vmwire-testee"
n=0
fails=0
count=$(( $(echo $pages | wc -w) ))
cmds=$("$bld/tools/vmwire" --help | sed -n 's/^  vmwire \([a-z]*\) .*/\1/p')
opts=$("$bld/tools/vmwire-conformance" --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p')
total=$((count + $(echo $cmds | wc -w) + $(echo $opts | wc -w)))
echo "1..$total"
if ! command -v man >/dev/null 2>&1; then
  i=0
  while [ $i -lt $total ]; do i=$((i + 1)); echo "ok $i # SKIP man (man-db) is not installed"; done
  exit 0
fi
for p in $pages; do
  n=$((n + 1))
  f="$src/doc/man/$p.1"
  warn=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$f" 2>&1 >/dev/null)
  if [ -f "$f" ] && [ -z "$warn" ] && MANWIDTH=80 man -l "$f" 2>/dev/null | grep -q NAME; then
    echo "ok $n - $p.1 renders without warnings"
  else
    echo "not ok $n - $p.1 renders without warnings"
    echo "$warn" | sed 's/^/# /'
    fails=$((fails + 1))
  fi
done
# a rendered page, '-' unescaped, so that "--annotate" is found as typed
text() { MANWIDTH=200 man -l "$src/doc/man/$1.1" 2>/dev/null | sed 's/\xe2\x80\x90/-/g'; }
vm=$(text vmwire)
for c in $cmds; do
  n=$((n + 1))
  if echo "$vm" | grep -q "vmwire $c"; then
    echo "ok $n - vmwire.1 documents vmwire $c"
  else
    echo "not ok $n - vmwire.1 documents vmwire $c"
    fails=$((fails + 1))
  fi
done
vc=$(text vmwire-conformance)
for o in $opts; do
  n=$((n + 1))
  if echo "$vc" | grep -q -- "$o"; then
    echo "ok $n - vmwire-conformance.1 documents $o"
  else
    echo "not ok $n - vmwire-conformance.1 documents $o # TODO add a .TP block for it"
  fi
done
[ "$fails" = 0 ]
