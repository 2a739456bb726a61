#!/bin/sh
# e2e/fuzz/run.sh: every Go fuzz target in the workspace (goc.dev/shared,
# goc.dev/stage1…5), each for FUZZTIME (default 60s) with -parallel 1, one
# after the other, as whoever runs it (no root needed). Targets are listed by
# `go test -list '^Fuzz'` in each package that has a Fuzz function, so a new
# target is picked up without editing anything. A crash fails the run and
# names the target and the input Go saved (testdata/fuzz/FuzzX/… in the
# package: commit it with the fix, it then runs as a seed in go test).
# Run from the repository root: make fuzz [FUZZTIME=10m].
set -u
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-60s}
# Go minimizes every new interesting input for up to 60s by default: with
# targets that do file system work per input, that leaves no time to fuzz
# (execs stall at 0/sec). A bounded number of minimizing runs instead.
FUZZMINTIME=${FUZZMINTIME:-50x}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
dirs=$(grep -rl --include='*_test.go' '^func Fuzz' shared stage1 stage2 stage3 stage4 stage5 |
	xargs -n1 dirname | sort -u)
n=0 bad=0 summary=""
for d in $dirs; do
	pkg=./$d
	for t in $($GO test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
		n=$((n + 1))
		printf '%s %s (%s): ' "$d" "$t" "$FUZZTIME"
		fuzz() { $GO test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINTIME" -parallel 1 "$pkg" >"$out" 2>&1; }
		ok=0
		fuzz && ok=1
		# Go's fuzzer can end a run at -fuzztime with "context deadline
		# exceeded" and no input: its own hiccup, not a crash (seen once in
		# 21 3 s runs on a loaded machine). Once more, then it counts.
		if [ "$ok" = 0 ] && grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
			printf '(the fuzzer hit its own deadline without an input: again) '
			fuzz && ok=1
		fi
		if [ "$ok" = 1 ]; then
			execs=$(grep -o 'execs: [0-9]*' "$out" | tail -1)
			echo "ok, ${execs:-execs: ?}"
			summary="$summary
  ok    $d $t ${execs:-execs: ?}"
		else
			bad=$((bad + 1))
			saved=$(sed -n 's/.*Failing input written to \(.*\)/\1/p' "$out" | tail -1)
			echo "FAIL"
			sed 's/^/    /' "$out" | tail -40
			summary="$summary
  FAIL  $d $t input: $d/${saved:-(none saved: see the output above)}"
		fi
	done
done
echo "fuzz: $n targets, $bad failed, FUZZTIME=$FUZZTIME each:$summary"
[ "$bad" -eq 0 ]
