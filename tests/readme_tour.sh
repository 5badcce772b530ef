#!/bin/sh
# TAP: the commands of the README's CLI tour (between <!-- tour --> and
# <!-- /tour -->) run from the source tree with the built vmwire first on
# PATH. Lines "$ CMD" are commands; the lines after one, up to the next
# command, are its output: each must appear, in order, as a line of the
# command's stdout+stderr ("..." skips any lines). The exit status must be
# 0, or N for a command ending in "# exit status N".
src=${top_srcdir:-.}
bld=${top_builddir:-.}
bld=$(cd "$bld" && pwd)
tmp=${TMPDIR:-/tmp}/vmwire-tour.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
sed -n '/^<!-- tour -->$/,/^<!-- \/tour -->$/p' "$src/README.md" | sed '/^<!--/d; /^```/d' >"$tmp/tour"
ncmd=$(grep -c '^\$ ' "$tmp/tour")
echo "1..$ncmd"
[ "$ncmd" -gt 0 ] || exit 1
fails=0
n=0
check() { # run the command in $tmp/cmd, compare with $tmp/want
  n=$((n + 1))
  cmd=$(cat "$tmp/cmd")
  want_rc=0
  case $cmd in
  *"# exit status "*) want_rc=${cmd##*# exit status } ;;
  esac
  (cd "$src" && PATH="$bld/tools:$PATH" sh -c "$cmd") >"$tmp/out" 2>&1
  rc=$?
  # every wanted line in order; "..." skips
  awk -v out="$tmp/out" '
    BEGIN { while ((getline l < out) > 0) got[++ng] = l; i = 1 }
    $0 == "..." { next }
    { sub(/[ \t]+$/, ""); w = $0
      while (i <= ng) { g = got[i++]; sub(/[ \t]+$/, "", g); if (g == w) next }
      print "missing: " w; bad = 1; exit }
    END { exit bad }' "$tmp/want" >"$tmp/diff"
  if [ $? = 0 ] && [ "$rc" = "$want_rc" ]; then
    echo "ok $n - $cmd"
  else
    echo "not ok $n - $cmd (exit $rc, want $want_rc)"
    sed 's/^/# /' "$tmp/diff"
    sed 's/^/#   | /' "$tmp/out" | head -30
    fails=$((fails + 1))
  fi
}
: >"$tmp/want"
first=1
while IFS= read -r line; do
  case $line in
  '$ '*)
    [ $first = 1 ] || check
    first=0
    printf '%s\n' "${line#\$ }" >"$tmp/cmd"
    : >"$tmp/want"
    ;;
  *) printf '%s\n' "$line" >>"$tmp/want" ;;
  esac
done <"$tmp/tour"
check
[ "$fails" = 0 ]
