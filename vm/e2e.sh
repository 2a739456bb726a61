#!/usr/bin/env bash
# Runs the e2e scenarios in a disposable VM, once per cgroup mode (v2, v1),
# and prints one "e2e-vMODE: N passed, N failed" line per mode. The guest's
# whole output is kept in build/e2e-vMODE.log.
# Usage: vm/e2e.sh [qemu|lima]     (make e2e, make e2e VM=lima)
# Environment: E2E_STAGES (stage binaries to test, default every bin/stageN), E2E_MODES (default
# "v2 v1"), E2E_RUN (a -test.run pattern, default all scenarios).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
backend=${1:-qemu}
modes=${E2E_MODES:-v2 v1}
stages=${E2E_STAGES:-$(cd "$top/bin" 2>/dev/null && ls -d stage[1-5] 2>/dev/null | tr -dc '1-5 \n' | tr '\n' ' ')}
run=${E2E_RUN:-TestScenarios}

if [ "$backend" = lima ]; then
	exec "$here/lima.sh"
fi
[ "$backend" = qemu ] || { echo "vm/e2e.sh: unknown backend $backend (qemu or lima)" >&2; exit 2; }

kcache=$("$here/kernel.sh")
payload=$(mktemp -d)
chmod 755 "$payload"
initrd=$(mktemp --suffix=.cpio)
trap 'rm -rf "$payload" "$initrd"' EXIT

# What the guest gets: the stage binaries, the rootfs, the static test
# binary and its scenarios.
mkdir -p "$payload/bin" "$payload/e2e"
for s in $stages; do cp -a "$top/bin/stage$s" "$payload/bin/"; done
cp -a "$top/build/rootfs" "$payload/rootfs"
cp -a "$top/e2e/testdata" "$payload/e2e/"
(cd "$top/e2e" && CGO_ENABLED=0 go test -c -o "$payload/e2e/e2e.test" .)

# runc, the reference of the differential scenarios, with the libraries it
# links (the guest has no others).
if runc=$(command -v runc); then
	mkdir -p "$payload/sysroot/usr/sbin"
	cp "$runc" "$payload/sysroot/usr/sbin/runc"
	for lib in $(ldd "$runc" | grep -o '/[^ ]*'); do
		mkdir -p "$payload/sysroot$(dirname "$lib")"
		cp -L "$lib" "$payload/sysroot$lib"
	done
fi

cmd="cd /goc/e2e && GOC_BIN=/goc/bin GOC_ROOTFS=/goc/rootfs GOC_STAGES='$stages' ./e2e.test -test.v -test.timeout 40m -test.run '$run'"
"$here/initramfs.sh" "$kcache" "$payload" "$cmd" "$initrd"
echo "vm: initramfs $(du -h "$initrd" | cut -f1), kernel $(basename "$kcache")"

out=$(mktemp)
trap 'rm -rf "$payload" "$initrd" "$out"' EXIT
export GOC_VM_ACCEL=${GOC_VM_ACCEL:-$("$here/accel.sh" "$kcache")}
echo "vm: accelerator $GOC_VM_ACCEL"
failed=0
for mode in $modes; do
	echo "=== e2e in the VM, cgroup $mode"
	start=$(date +%s)
	set +e
	mkdir -p "$top/build"
	"$here/boot.sh" "$mode" "$kcache" "$initrd" | tee "$top/build/e2e-$mode.log" | "$here/summary.sh" "$mode" | tee -a "$out"
	st=("${PIPESTATUS[0]}" "${PIPESTATUS[2]}")
	set -e
	echo "vm: cgroup $mode took $(( $(date +%s) - start ))s (guest status ${st[0]})"
	[ "${st[0]}" -eq 0 ] && [ "${st[1]}" -eq 0 ] || failed=1
done
grep -E '^e2e-v[12]: ' "$out" || true
read -r passed fails < <(awk -F'[ ,]+' '/^e2e-v[12]: / {p += $2; f += $4} END {print p+0, f+0}' "$out")
echo "e2e-vm: ${passed:-0} passed, ${fails:-0} failed"
exit $failed
