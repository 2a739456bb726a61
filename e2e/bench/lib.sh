# shellcheck shell=bash
# e2e/bench/lib.sh: what scale.sh and load.sh share — a private goCd in a
# mount and network namespace of their own, the busybox rootfs as its image,
# the soak's accounting (e2e/soak/count.sh), percentiles — sourced, after
# the caller has set BIN and ROOTFS.
#
# goCd's bridge is always goC0, 10.77.0.0/16, its leases in
# /run/goC/network: as the soak, the bench re-executes itself in
# unshare -mn with a tmpfs on /run/goC/network, so its goC0 (and Podman's
# podman0, 10.88.0.0/16), veths, NAT rules and leases are its own and go
# with the namespace; only loopback and the namespace's bridges carry
# traffic. goCd's --socket, --root and --data-root are in a mktemp -d.
# shellcheck disable=SC2034 # variables count.sh reads
LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# inns SCRIPT ARGS…: re-execute SCRIPT in a mount and network namespace
# of its own, as root (the first time; a no-op inside).
inns() {
	[ "${BENCH_INNS:-}" = 1 ] && return 0
	[ "$(id -u)" -eq 0 ] || { echo "$1: needs root (make runs it through vm/asroot)" >&2; exit 1; }
	exec unshare -mn env BENCH_INNS=1 bash "$@"
}

log() { printf '%s\n' "$*"; }
bad() {
	FAILED=1
	printf 'FAIL: %s\n' "$*"
}
cli() { "$BIN/goC-cli" --socket "$S" "$@"; }

# setup NAME: the run's directory, the namespace's mounts and loopback.
setup() {
	d=$(mktemp -d "/tmp/goC-bench-$1.XXXXXX")
	S=$d/goCd.sock R1=$d/goc-root GOCD=0 GOCD0=0 FAILED=0
	SOAK_RSS_SLACK=${SOAK_RSS_SLACK:-16384}
	mkdir -p "$R1"
	mount --make-rprivate /
	mkdir -p /run/goC/network && mount -t tmpfs bench /run/goC/network
	ip link set lo up
}


# import_image NAME: the busybox rootfs as goCd's image NAME.
import_image() { tar -C "$ROOTFS" -c . | cli import "$1" - >/dev/null; }

# stop_goCd: every container removed, goCd stopped, what is left killed and
# unmounted, the directory removed (the namespace takes the rest).
stop_goCd() {
	if [ "$GOCD" -gt 0 ] && kill -0 "$GOCD" 2>/dev/null; then
		cli ps -aq 2>/dev/null | xargs -r -P 8 -n 1 "$BIN/goC-cli" --socket "$S" rm -f >/dev/null 2>&1
		kill "$GOCD"
		wait "$GOCD" 2>/dev/null
	fi
	for p in $(soak_procs | sort -u); do kill -9 "$p" 2>/dev/null; done
	grep -F " $d" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	for c in $(soak_cgroups); do rmdir "$c" 2>/dev/null; done
	rm -rf "$d"
}

# pct P: the P-th percentile (nearest rank) of the numbers on stdin.
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {if (!NR) {print "-"; exit}; i=int(p*NR/100+0.999999); if (i<1) i=1; print a[i]}'; }

# ratio A B: A/B to two places ("-" without figures).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a/b}'; }

# ms: milliseconds since the epoch, from bash's clock (no process).
ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# shellcheck source=e2e/soak/count.sh
. "$LIB/../soak/count.sh"
