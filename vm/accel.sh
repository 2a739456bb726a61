#!/usr/bin/env bash
# Prints the QEMU accelerator to use: kvm where it works, tcg otherwise.
# /dev/kvm can exist and still not run a normal guest (a paravirtual layer
# does that on some hosts), so a kernel that panics at once (no init) must
# come back within seconds.
# Usage: vm/accel.sh KERNEL_CACHE
set -uo pipefail
kcache=${1:?usage: accel.sh KERNEL_CACHE}
if [ -w /dev/kvm ] && timeout 8 qemu-system-x86_64 -accel kvm -M q35 -m 128 -display none \
	-monitor none -serial none -no-reboot -kernel "$kcache/vmlinuz" \
	-append "panic=-1 rdinit=/nonexistent" </dev/null >/dev/null 2>&1; then
	echo kvm
else
	if [ -e /dev/kvm ] && [ ! -w /dev/kvm ]; then
		echo "vm: /dev/kvm is not yours to open: QEMU emulates; for KVM join its group (sudo adduser $(id -un) kvm) and log in again" >&2
	fi
	echo tcg
fi
