#!/usr/bin/env bash
# check.sh RUNC.tsv GOC.tsv EXPECTED: prints critest's two columns and judges
# them. Fails when goC does not pass a test runc passes, or when a test fails
# under either runtime without a line in EXPECTED saying why.
set -euo pipefail
runc=$1 goc=$2 expected=$3
awk -F'\t' -v expected="$expected" '
function count(h, s) { return n[h, s] + 0 }
BEGIN {
	while ((getline line < expected) > 0) {
		if (line ~ /^#/ || line ~ /^[ \t]*$/) continue
		split(line, f, / \| /) # TEST | REASON
		why[f[1]] = f[2]
	}
}
FNR == 1 { h = (h == "" ? "runc" : "goc") }
{ state[h, $2] = $1; n[h, $1]++; if (!($2 in tests)) order[++m] = $2; tests[$2] = 1 }
END {
	printf "%-8s %7s %7s %8s\n", "critest", "passed", "failed", "skipped"
	for (i = 1; i <= 2; i++) {
		r = (i == 1 ? "runc" : "goC"); k = (i == 1 ? "runc" : "goc")
		printf "%-8s %7d %7d %8d\n", r, count(k, "passed"), count(k, "failed") + count(k, "panicked") + count(k, "timedout"), count(k, "skipped")
	}
	bad = 0
	for (i = 1; i <= m; i++) {
		t = order[i]; r = state["runc", t]; g = state["goc", t]
		if (r != g || (r != "passed" && r != "skipped"))
			printf "  runc %-8s goC %-8s %s%s\n", r, g, t, (t in why ? "  (" why[t] ")" : "")
		if (r == "passed" && g != "passed") {
			printf "FAIL: goC does not pass what runc passes: %s\n", t; bad++
		}
		if ((r != "passed" && r != "skipped" || g != "passed" && g != "skipped") && !(t in why)) {
			printf "FAIL: not in %s: %s\n", expected, t; bad++
		}
		if (t in why && r == "passed" && g == "passed")
			printf "note: passes now, drop it from %s: %s\n", expected, t
	}
	# The closing line: the tests goC passed, and the verdicts against it.
	printf "cri: %d passed, %d failed\n", count("goc", "passed"), bad
	exit bad > 0
}' "$runc" "$goc"
