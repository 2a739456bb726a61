#!/usr/bin/env bash
# mem.sh: the memory each running container costs its manager (issue 16),
# side by side: N busybox `sleep` containers through goC-cli and a private
# goCd (what stays per container: its shim), through podman (its conmon)
# and through a private containerd with ctr run (its
# containerd-shim-runc-v2). For each, the PSS sum (/proc/PID/smaps_rollup)
# of the per-container processes once all N run, divided by N; and the
# growth of goCd's own PSS. Every container runs with --network none (no
# bridge traffic, nothing to clean in the host's network), one kind at a
# time, each removed before the next; nothing is left behind.
# Usage (as root, after make stage5 rootfs): e2e/bench/mem.sh [N]
# BENCH_MEM_KINDS picks the managers (default "goC podman containerd").
# make bench-mem runs it. It is not part of make test.
set -euo pipefail
N=${1:-100}
R=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${GOC_BIN:-$R/bin}
ROOTFS=${GOC_ROOTFS:-$R/build/rootfs}
KINDS=${BENCH_MEM_KINDS:-goC podman containerd}
T=$(mktemp -d /tmp/goc-bench-mem.XXXXXX)
pids=()
P=(podman --runtime "$(command -v runc)" --root "$T/podman" --runroot "$T/podman-run" --cgroup-manager cgroupfs --events-backend file)
CTR=(ctr --address "$T/containerd.sock" --namespace goc-bench-mem)
cleanup() {
	set +e
	for c in $("$BIN/goC" --root "$T/goCd-state" list -q 2>/dev/null); do "$BIN/goC" --root "$T/goCd-state" delete --force "$c"; done
	"${P[@]}" rm -af -t 0 >/dev/null 2>&1
	if [ -S "$T/containerd.sock" ]; then
		for c in $("${CTR[@]}" tasks ls -q 2>/dev/null); do "${CTR[@]}" tasks kill -s KILL "$c" >/dev/null 2>&1; done
		for c in $("${CTR[@]}" containers ls -q 2>/dev/null); do
			for _ in $(seq 50); do "${CTR[@]}" tasks rm -f "$c" >/dev/null 2>&1 && break; sleep 0.1; done
			"${CTR[@]}" containers rm "$c" >/dev/null 2>&1
		done
		"${CTR[@]}" namespaces rm goc-bench-mem >/dev/null 2>&1
	fi
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	grep " $T" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	# The cgroups podman (libpod_parent) and ctr (its namespace) made.
	for d in /sys/fs/cgroup/*/goc-bench-mem /sys/fs/cgroup/*/libpod_parent/goc-bench-mem*; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# pss PID… prints the sum of the processes' PSS, in kB.
pss() {
	local sum=0 p v
	for p in "$@"; do
		v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null) || v=0
		sum=$((sum + ${v:-0}))
	done
	echo $sum
}
# procs PATTERN prints the PIDs whose command line (NULs as spaces) matches
# the extended regular expression PATTERN.
procs() {
	local d
	for d in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -qE "$1" && echo "${d#/proc/}"
	done
	return 0
}
mb() { awk -v k="$1" -v n="$2" 'BEGIN {printf "%.2f", k / n / 1024}'; }
report() { printf '%-34s %6s %14s %10s\n' "$1" "$2" "$3" "$4"; }

mkdir -p "$T/rootfs"
cp -a "$ROOTFS/." "$T/rootfs/"
(cd "$T/rootfs" && tar cf "$T/rootfs.tar" .)
echo "$N busybox 'sleep 600' containers each, --network none; PSS from /proc/PID/smaps_rollup"
report "per-container process" count "PSS MB/ctr" "total MB"

# goC: a private goCd; the shims are its per-container processes.
bench_goC() {
	"$BIN/goCd" --socket "$T/goCd.sock" --data-root "$T/goCd" --root "$T/goCd-state" 2>"$T/goCd.log" &
	pids+=($!)
	local goCd=$! d0 d1 k shims
	cli=("$BIN/goC-cli" --socket "$T/goCd.sock")
	for _ in $(seq 100); do "${cli[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
	"${cli[@]}" import bench "$T/rootfs.tar" >/dev/null
	d0=$(pss $goCd)
	for i in $(seq "$N"); do "${cli[@]}" run -d --network none --name "m$i" bench sleep 600 >/dev/null; done
	# Until the last shims have handed over to goC-shim (a goC without it,
	# GOC_BIN=an older build, keeps whole shims).
	for _ in $(seq 120); do
		[ -x "$(dirname "$(readlink -f "$BIN/goC")")/goC-shim" ] || break
		[ "$(procs "^goC-shim shim --dir $T/goCd/" | wc -l)" -eq "$N" ] && break
		sleep 0.5
	done
	shims=($(procs "^[^ ]*goC(-shim)? .*shim --dir $T/goCd/"))
	[ ${#shims[@]} -eq "$N" ] || {
		echo "mem.sh: $N goC containers, ${#shims[@]} shims" >&2
		"${cli[@]}" ps -a | grep -v running >&2
		exit 1
	}
	k=$(pss "${shims[@]}")
	report "goC shim ($(basename "$(readlink "/proc/${shims[0]}/exe")"))" ${#shims[@]} "$(mb "$k" "$N")" "$(mb "$k" 1)"
	d1=$(pss $goCd)
	report "goCd's growth (PSS $((d0 / 1024)) MB before)" 1 "$(mb $((d1 - d0)) "$N")" "$(mb $((d1 - d0)) 1)"
	for i in $(seq "$N"); do "${cli[@]}" rm -f "m$i" >/dev/null; done
	kill $goCd && wait $goCd 2>/dev/null || true
}

# podman: one conmon per container.
bench_podman() {
	# (Raising the hard limits on open files and processes, as Podman does, is refused
	# here: no CAP_SYS_RESOURCE.)
	cat >"$T/containers.conf" <<-EOC
	[containers]
	default_ulimits = ["nofile=$(ulimit -Sn):$(ulimit -Hn)", "nproc=4096:4096"]
	[engine]
	events_logger = "file"
	events_logfile_path = "$T/events.log"
	tmp_dir = "$T/ptmp"
	EOC
	export CONTAINERS_CONF=$T/containers.conf
	for i in $(seq "$N"); do "${P[@]}" run -d --network none --name "goc-bench-mem$i" --rootfs "$T/rootfs" sleep 600 >/dev/null 2>>"$T/podman.err" || { cat "$T/podman.err" >&2; exit 1; }; done
	local mons k
	mons=($(procs "^/usr/bin/conmon .*$T/podman"))
	[ ${#mons[@]} -eq "$N" ] || { echo "mem.sh: $N podman containers, ${#mons[@]} conmons" >&2; exit 1; }
	k=$(pss "${mons[@]}")
	report "podman: conmon" ${#mons[@]} "$(mb "$k" "$N")" "$(mb "$k" 1)"
	"${P[@]}" rm -af -t 0 >/dev/null
}

# containerd: a private one (its own root, state and socket, no CRI).
bench_containerd() {
	cat >"$T/containerd.toml" <<-EOC
	version = 2
	root = "$T/containerd/root"
	state = "$T/containerd/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri"]
	[grpc]
	  address = "$T/containerd.sock"
	[ttrpc]
	  address = "$T/containerd.sock.ttrpc"
	EOC
	containerd --config "$T/containerd.toml" >"$T/containerd.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do "${CTR[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
	for i in $(seq "$N"); do "${CTR[@]}" run -d --rootfs "$T/rootfs" "m$i" /bin/sleep 600 >/dev/null; done
	local cshims k
	cshims=($(procs "^/usr/bin/containerd-shim-runc-v2 .*-address $T/containerd.sock"))
	[ ${#cshims[@]} -eq "$N" ] || { echo "mem.sh: $N containerd containers, ${#cshims[@]} shims" >&2; exit 1; }
	k=$(pss "${cshims[@]}")
	report "containerd: containerd-shim-runc-v2" ${#cshims[@]} "$(mb "$k" "$N")" "$(mb "$k" 1)"
}

for kind in $KINDS; do "bench_$kind"; done
