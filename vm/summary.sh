#!/usr/bin/env bash
# Reads `go test -v` output of the e2e suite on stdin, passes it through and
# ends with one line per run: "LABEL: N passed, N failed". Exits non-zero if
# anything failed or nothing ran. A failing scenario's last lines are
# repeated just above that line, so that the end of a long log (all a CI
# report may keep) says what failed and why.
# Usage: … | vm/summary.sh LABEL
set -uo pipefail
label=${1:?usage: summary.sh LABEL}
pass=0 fail=0 ok=0
recent=() failures=''
while IFS= read -r line; do
	line=${line%$'\r'}
	printf '%s\n' "$line"
	recent+=("$line")
	[ ${#recent[@]} -gt 20 ] && recent=("${recent[@]:1}")
	# testscript's verdict: "FAIL: testdata/stage3/traffic.txtar:32: …".
	if [[ $line =~ FAIL:\ testdata/[^:]+\.txtar:[0-9]+: ]]; then
		failures+=$(printf '%s\n' "${recent[@]}")$'\n\n'
		recent=()
	fi
	# Scenario results are the leaves: TestScenarios/goC1/stage1/pid1,
	# TestCompat/docker.
	if [[ $line =~ ^[[:space:]]*---\ (PASS|FAIL):\ (TestScenarios/[^/]+/[^/]+/|TestCompat/)[^[:space:]]+ ]]; then
		[ "${BASH_REMATCH[1]}" = PASS ] && pass=$((pass + 1)) || fail=$((fail + 1))
	fi
	[[ $line == PASS || $line =~ ^ok[[:space:]] ]] && ok=1
done
if [ -n "$failures" ]; then
	echo "---- e2e-$label: the failing scenarios' last lines, again ----"
	printf '%s' "$failures"
fi
echo "e2e-$label: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ] && [ "$ok" -eq 1 ]
