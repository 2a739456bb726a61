#!/usr/bin/env bash
# make bench-vm: the start benchmarks (BenchmarkRunTrue of every stage,
# BenchmarkLifecycle of the newest) in the VM with cgroup v2, where Debian's
# crun runs (it refuses a hybrid host): goC, runc and crun on one bundle,
# interleaved in one run. Prints the guest's benchmark lines, then a table
# (vm/bench-table.sh) with goC's ratios to runc and to crun, and how long it
# all took. The guest's whole output is kept in build/bench-vm.log.
# Usage: vm/bench.sh [N]   (N runs of each command, default BENCH_VM_N or 10)
# For profiling: BENCH_VM_TOOLS="strace …" copies more host programs (with
# their libraries) into the guest; BENCH_VM_CMD replaces the guest's command
# (run in /goc/e2e; the stage binaries in /goc/bin, the rootfs in
# /goc/rootfs; no table is printed then).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
n=${1:-${BENCH_VM_N:-10}}
began=$(date +%s)

kcache=$("$here/kernel.sh")
payload=$(mktemp -d)
chmod 755 "$payload"
initrd=$(mktemp --suffix=.cpio)
trap 'rm -rf "$payload" "$initrd"' EXIT

# The stage binaries (bin/goC: the newest, which BenchmarkLifecycle times),
# the rootfs and the static test binary.
mkdir -p "$payload/bin" "$payload/e2e"
stages=$(cd "$top/bin" && ls -d stage[1-5])
for s in $stages; do cp -a "$top/bin/$s" "$payload/bin/"; done
ln -s "$(echo "$stages" | tail -n1)/goC" "$payload/bin/goC"
cp -a "$top/build/rootfs/." "$payload/rootfs"
(cd "$top/e2e" && CGO_ENABLED=0 go test -c -o "$payload/e2e/e2e.test" .)

# runc and crun with the libraries they link (the guest has no others).
for prog in runc crun ${BENCH_VM_TOOLS:-}; do
	path=$(command -v "$prog") || { echo "vm/bench.sh: $prog is not installed (apt-get install $prog)" >&2; exit 1; }
	mkdir -p "$payload/sysroot$(dirname "$path")"
	cp "$path" "$payload/sysroot$path"
	for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
		mkdir -p "$payload/sysroot$(dirname "$lib")"
		cp -L "$lib" "$payload/sysroot$lib"
	done
done

cmd="GOC_BIN=/goc/bin GOC_ROOTFS=/goc/rootfs ./e2e.test -test.run '^\$' -test.bench 'BenchmarkRunTrue|BenchmarkLifecycle' -test.benchtime ${n}x -test.timeout 30m"
cmd=${BENCH_VM_CMD:-$cmd}
"$here/initramfs.sh" "$kcache" "$payload" "cd /goc/e2e && $cmd" "$initrd"
echo "vm: initramfs $(du -h "$initrd" | cut -f1), kernel $(basename "$kcache"), $n runs of each command"

export GOC_VM_ACCEL=${GOC_VM_ACCEL:-$("$here/accel.sh" "$kcache")}
mkdir -p "$top/build"
log=$top/build/bench-vm.log
set +e
"$here/boot.sh" v2 "$kcache" "$initrd" 2400 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo
[ -n "${BENCH_VM_CMD:-}" ] || "$here/bench-table.sh" "VM, cgroup v2, $GOC_VM_ACCEL, $n runs each, interleaved" <"$log"
echo "bench-vm: took $(($(date +%s) - began))s (guest status $status)"
exit "$status"
