#!/usr/bin/env bash
# Runs the e2e scenarios in a disposable VM, once per cgroup mode (v2, v1),
# and prints one "e2e-vMODE: N passed, N failed" line per mode; then, in the
# same boot, the OCI validation suite against stage 5's goC (e2e/oci),
# checked against e2e/oci/expected/vm-vMODE.txt ("oci-vm-vMODE: …"). The
# guest's whole output is kept in build/e2e-vMODE.log.
# Usage: vm/e2e.sh [qemu|lima]     (make e2e, make e2e VM=lima)
# Environment: E2E_STAGES (stage binaries to test, default every bin/stageN), E2E_MODES (default
# "v2 v1"), E2E_RUN (a -test.run pattern, default all scenarios and the docs blocks), E2E_OCI=0 (no OCI suite),
# OCI_RUN (a regexp: the OCI files to run; default the cgroup, namespace and lifecycle ones, "." for all 58),
# OCI_UPDATE=1 (rewrite the vm-vMODE.txt files from the run).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
backend=${1:-qemu}
modes=${E2E_MODES:-v2 v1}
stages=${E2E_STAGES:-$(cd "$top/bin" 2>/dev/null && ls -d stage[1-5] 2>/dev/null | tr -dc '1-5 \n' | tr '\n' ' ')}
run=${E2E_RUN:-TestScenarios|TestDocBlocks}

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
# binary, its scenarios and the chapters whose blocks it runs.
mkdir -p "$payload/bin" "$payload/e2e"
for s in $stages; do cp -a "$top/bin/stage$s" "$payload/bin/"; done
cp -a "$top/build/rootfs" "$payload/rootfs"
cp -a "$top/e2e/testdata" "$payload/e2e/"
cp -a "$top/docs" "$payload/docs"
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

# GOC_VM: the docs blocks run in a checkout of links the runner makes
# (e2e/docs_run_test.go): no make, Go or sudo in the guest.
cmd="cd /goc/e2e && GOC_BIN=/goc/bin GOC_ROOTFS=/goc/rootfs GOC_STAGES='$stages' GOC_REPO=/goc GOC_VM=1 ./e2e.test -test.v -test.timeout 40m -test.count 25 -test.run '$run'"

# The OCI validation suite (built on the host, see e2e/oci), for stage 5's
# goC: its programs, the harness, and the expected results. busybox's tar
# does not recognise gzip by itself, so the rootfs archive the suite untars
# into each bundle goes in uncompressed, under the name the suite opens.
oci=${E2E_OCI:-1}
[ -d "$payload/bin/stage5" ] || oci=0
if [ "$oci" = 1 ]; then
	suite=$(cd "$top/e2e/oci" && GOWORK=off go run . -prepare -cache "$top/build/oci")
	mkdir -p "$payload/oci/suite"
	cp -a "$suite/runtimetest" "$suite/validation" "$payload/oci/suite/"
	gunzip -c "$suite/rootfs-amd64.tar.gz" >"$payload/oci/suite/rootfs-amd64.tar.gz"
	cp -a "$top/e2e/oci/expected" "$payload/oci/"
	(cd "$top/e2e/oci" && GOWORK=off CGO_ENABLED=0 go build -o "$payload/oci/oci" .)
	# Under TCG the whole suite takes ~6½ minutes a mode: by default only
	# the files that differ between cgroup modes, and the lifecycle's.
	oci_run=${OCI_RUN:-'^(default|create|start|state|kill|delete.*|linux_cgroups_.*|linux_ns_.*|linux_rootfs_propagation|process_rlimits)$'}
	ociflags="-suite /goc/oci/suite -runtime goC5=/goc/bin/stage5/goC -timeout 5m -run '$oci_run'"
	# The mode is on the kernel command line; with OCI_UPDATE the guest
	# prints its rewritten file between markers, for the host to keep.
	update=''
	[ -n "${OCI_UPDATE:-}" ] && update=" -update; s2=\$?; echo GOC-OCI-EXPECTED-BEGIN; cat expected/vm-\$m.txt; echo GOC-OCI-EXPECTED-END; [ \$s2 -eq 0 ]"
	cmd="$cmd; s=\$?; m=\$(sed -n 's/.*goc\.cgroup=\(v[12]\).*/\1/p' /proc/cmdline); cd /goc/oci && ./oci $ociflags -env vm-\$m -expected expected/vm-\$m.txt$update || s=1; exit \$s"
fi
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
	if [ -n "${OCI_UPDATE:-}" ] && grep -q '^GOC-OCI-EXPECTED-END$' "$top/build/e2e-$mode.log"; then
		sed -n '/^GOC-OCI-EXPECTED-BEGIN$/,/^GOC-OCI-EXPECTED-END$/p' "$top/build/e2e-$mode.log" | sed '1d;$d' \
			>"$top/e2e/oci/expected/vm-$mode.txt"
		echo "vm: wrote e2e/oci/expected/vm-$mode.txt"
	fi
done
grep -E '^(e2e|oci-vm)-v[12]: ' "$out" || true
read -r passed fails < <(awk -F'[ ,]+' '/^e2e-v[12]: / {p += $2; f += $4} END {print p+0, f+0}' "$out")
echo "e2e-vm: ${passed:-0} passed, ${fails:-0} failed"
exit $failed
