#!/usr/bin/env bash
# Reads `go test -bench 'BenchmarkRunTrue|BenchmarkLifecycle'` output on
# stdin and prints one table: milliseconds per run (per create → start →
# delete cycle) of goC, runc, crun and unshare, and goC's ratios to runc and
# to crun ("-" where a runtime did not run: crun on a hybrid host). A result
# line that a stderr line cut in two (as a serial console may) is joined.
# Exits non-zero when there was no result line.
# Usage: vm/bench-table.sh TITLE <bench-output
set -euo pipefail
title=${1:?usage: bench-table.sh TITLE}
tr -d '\r' | awk -v title="$title" '
function cell(v, fmt) { return v == "" ? "-" : sprintf(fmt, v) }
/^Benchmark(RunTrue|Lifecycle)/ && !/ ns\/op/ { pending = $1; next }
pending != "" && / ns\/op/ { $0 = pending " " $0; pending = "" }
/^Benchmark(RunTrue|Lifecycle)[^ \t]*[ \t]+[0-9]+[ \t]+[0-9.]+ ns\/op/ {
	name = $1
	sub(/-[0-9]+$/, "", name)
	if (name ~ /^BenchmarkRunTrue\//) { label = "run true, " substr(name, 18); per = "run" }
	else { label = "create/start/delete (newest)"; per = "cycle" }
	delete m
	for (i = 5; i < NF; i += 2) m[$(i + 1)] = $i
	rows[++nrows] = sprintf("%-30s %9s %9s %9s %9s %9s %9s", label,
		cell(m["goC-ms/" per], "%.1f"), cell(m["runc-ms/" per], "%.1f"), cell(m["crun-ms/" per], "%.1f"),
		cell(m["unshare-ms/" per], "%.1f"), cell(m["goC/runc"], "%.2f"), cell(m["goC/crun"], "%.2f"))
}
END {
	if (nrows == 0) { print "bench: no BenchmarkRunTrue or BenchmarkLifecycle result" > "/dev/stderr"; exit 1 }
	print title ": ms per run"
	printf "%-30s %9s %9s %9s %9s %9s %9s\n", "", "goC", "runc", "crun", "unshare", "goC/runc", "goC/crun"
	for (i = 1; i <= nrows; i++) print rows[i]
}'
