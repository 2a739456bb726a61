#!/usr/bin/env bash
# Reads `go test -v` output of the e2e suite on stdin, passes it through and
# ends with one line per run: "e2e-LABEL: N passed, N failed", scenarios and
# docs blocks together, the docs blocks' own count after it in parentheses
# when there were any. Exits non-zero if
# anything failed or nothing ran. A failing scenario's last lines are
# repeated just above that line, so that the end of a long log (all a CI
# report may keep) says what failed and why; so are a failing docs block's.
# Usage: … | vm/summary.sh LABEL
set -uo pipefail
label=${1:?usage: summary.sh LABEL}
pass=0 fail=0 ok=0 dpass=0 dfail=0
recent=() failures=''
while IFS= read -r line; do
	line=${line%$'\r'}
	printf '%s\n' "$line"
	recent+=("$line")
	[ ${#recent[@]} -gt 20 ] && recent=("${recent[@]:1}")
	# testscript's verdict: "FAIL: testdata/stage3/traffic.txtar:32: …".
	# The docs runner's: "FAIL: docs/stage1.md:19: exit status 1".
	if [[ $line =~ FAIL:\ (testdata/[^:]+\.txtar|docs/[^:]+\.md):[0-9]+: ]]; then
		failures+=$(printf '%s\n' "${recent[@]}")$'\n\n'
		recent=()
	fi
	# Scenario results are the leaves: TestScenarios/goC1/stage1/pid1,
	# TestCompat/docker.
	if [[ $line =~ ^[[:space:]]*---\ (PASS|FAIL):\ (TestScenarios/[^/]+/[^/]+/|TestCompat(Docs)?/)[^[:space:]]+ ]]; then
		[ "${BASH_REMATCH[1]}" = PASS ] && pass=$((pass + 1)) || fail=$((fail + 1))
	fi
	# Docs blocks: TestDocBlocks/stage1/L19.
	if [[ $line =~ ^[[:space:]]*---\ (PASS|FAIL):\ TestDocBlocks/[^/[:space:]]+/L[0-9]+[[:space:]] ]]; then
		if [ "${BASH_REMATCH[1]}" = PASS ]; then
			pass=$((pass + 1)) dpass=$((dpass + 1))
		else
			fail=$((fail + 1)) dfail=$((dfail + 1))
		fi
	fi
	[[ $line == PASS || $line =~ ^ok[[:space:]] ]] && ok=1
	# vm/boot.sh stopped a silent guest and boots it again: count afresh.
	if [[ $line == GOC-VM-RESTART ]]; then
		pass=0 fail=0 ok=0 dpass=0 dfail=0 failures='' recent=()
	fi
done
if [ -n "$failures" ]; then
	echo "---- e2e-$label: the failing scenarios' last lines, again ----"
	printf '%s' "$failures"
fi
docs=''
[ $((dpass + dfail)) -gt 0 ] && docs=" (docs blocks: $dpass passed, $dfail failed)"
echo "e2e-$label: $pass passed, $fail failed$docs"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ] && [ "$ok" -eq 1 ]
