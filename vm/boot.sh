#!/usr/bin/env bash
# Boots the guest once with an initramfs from vm/initramfs.sh, streams what
# its command prints, and exits with that command's status.
# Usage: vm/boot.sh MODE(v2|v1) KERNEL_CACHE INITRAMFS [TIMEOUT_SECONDS]
#
# A guest that has not printed vm/init's "GOC-VM:" line within
# GOC_VM_BOOT_LIMIT seconds (default 300) is stopped and booted once more:
# under TCG, QEMU has been seen spinning on both CPUs without a word. So
# is a guest that has printed nothing more for GOC_VM_SILENCE_LIMIT seconds
# (default 600; a test prints a line as it ends): a cgroup v1 guest was
# seen silent at 174% CPU mid-run. Before the second boot, a line
# "GOC-VM-RESTART" on stdout tells vm/summary.sh to count afresh. tr
# and grep write line by line (stdbuf, --line-buffered): a pipe would hold
# a guest's first few lines (a quiet command's: make bench-vm) in a 4 KiB
# buffer, and the watcher would stop a guest that had spoken.
set -euo pipefail
mode=${1:?usage}; kcache=${2:?usage}; initrd=${3:?usage}; limit=${4:-2400}
mem=${GOC_VM_MEM:-2048}
cpus=${GOC_VM_CPUS:-2}
bootlimit=${GOC_VM_BOOT_LIMIT:-300}
silencelimit=${GOC_VM_SILENCE_LIMIT:-600}

accel=${GOC_VM_ACCEL:-$("$(dirname "$0")/accel.sh" "$kcache")}

append="console=ttyS0 quiet loglevel=1 panic=-1 goc.cgroup=$mode"
[ "$mode" = v1 ] && append+=" swapaccount=1 cgroup_enable=memory"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log

# boot runs QEMU in the background and watches for the GOC-VM line; it
# returns 3 if the guest stayed silent, else the pipeline's end.
boot() {
	: >"$log"
	rm -f "$tmp/pid" "$tmp/qemu"
	(
		set +e
		timeout --kill-after=10 "$limit" qemu-system-x86_64 \
			-accel "$accel" -cpu max -smp "$cpus" -m "$mem" \
			-M q35 -display none -monitor none -serial stdio -no-reboot \
			-pidfile "$tmp/pid" \
			-kernel "$kcache/vmlinuz" -initrd "$initrd" -append "$append" \
			</dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$log" | grep --line-buffered -Ev '^GOC-EXIT:|^\[ *[0-9]+\.[0-9]+\] reboot: '
		echo "${PIPESTATUS[0]}" >"$tmp/qemu"
	) &
	local run=$! waited=0 booted=0 size=0 quiet=0 now
	while kill -0 "$run" 2>/dev/null; do
		if ((!booted)) && grep -q '^GOC-VM' "$log"; then
			booted=1
		fi
		now=$(stat -c %s "$log")
		if ((now != size)); then
			size=$now quiet=0
		fi
		if ((!booted && waited >= bootlimit)) || ((booted && quiet >= silencelimit)); then
			echo "vm: the guest printed nothing for $((booted ? quiet : waited))s: stopping it" >&2
			[ -s "$tmp/pid" ] && kill -9 "$(cat "$tmp/pid")" 2>/dev/null
			wait "$run" || true
			return 3
		fi
		sleep 2
		waited=$((waited + 2)) quiet=$((quiet + 2))
	done
	wait "$run" || true
}

if ! boot; then
	echo "vm: booting again, once" >&2
	echo "GOC-VM-RESTART"
	boot || true
fi
qemu=$(cat "$tmp/qemu" 2>/dev/null || echo "?")
status=$(sed -n 's/^GOC-EXIT:\([0-9]*\)$/\1/p' "$log" | tail -n1)
if [ -z "$status" ]; then
	why="qemu exit $qemu"
	[ "$qemu" = 124 ] && why+=", timed out after ${limit}s"
	echo "vm: the guest ended without reporting a status ($why)" >&2
	exit 124
fi
exit "$status"
