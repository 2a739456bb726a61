#!/usr/bin/env bash
# Boots the guest once with an initramfs from vm/initramfs.sh, streams what
# its command prints, and exits with that command's status.
# Usage: vm/boot.sh MODE(v2|v1) KERNEL_CACHE INITRAMFS [TIMEOUT_SECONDS]
set -euo pipefail
mode=${1:?usage}; kcache=${2:?usage}; initrd=${3:?usage}; limit=${4:-2400}
mem=${GOC_VM_MEM:-2048}
cpus=${GOC_VM_CPUS:-2}

accel=${GOC_VM_ACCEL:-$("$(dirname "$0")/accel.sh" "$kcache")}

append="console=ttyS0 quiet loglevel=1 panic=-1 goc.cgroup=$mode"
[ "$mode" = v1 ] && append+=" swapaccount=1 cgroup_enable=memory"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
timeout --kill-after=10 "$limit" qemu-system-x86_64 \
	-accel "$accel" -cpu max -smp "$cpus" -m "$mem" \
	-M q35 -display none -monitor none -serial stdio -no-reboot \
	-kernel "$kcache/vmlinuz" -initrd "$initrd" -append "$append" \
	</dev/null 2>&1 | tr -d '\r' | tee "$log" | grep -Ev '^GOC-EXIT:|^\[ *[0-9]+\.[0-9]+\] reboot: '
qemu=${PIPESTATUS[0]}
set -e
status=$(sed -n 's/^GOC-EXIT:\([0-9]*\)$/\1/p' "$log" | tail -n1)
if [ -z "$status" ]; then
	echo "vm: the guest ended without reporting a status (qemu exit $qemu${qemu/124/, timed out after ${limit}s})" >&2
	exit 124
fi
exit "$status"
