#!/usr/bin/env bash
# run.sh: the Kubernetes CRI validation suite (critest) against a private
# containerd whose CRI has two runtime handlers, runc and goc (goC as the
# runc shim's binary); prints both columns and checks them (check.sh).
#
# Usage: e2e/cri/run.sh GOC CRITEST STANDIN BUSYBOX_DEB OUTDIR [CRITEST FLAGS…]
#
# Everything runs in a network namespace of its own (goc-cri: the registry,
# containerd, the CNI bridge and its iptables rules, critest itself) and in
# private mount, IPC and PID namespaces (mounts, shared-memory segments and
# every process die with them). What outlives them — cgroups, and the
# directories critest makes under TMPDIR — is removed afterwards.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
goc=$1 critest=$2 standin=$3 deb=$4 out=$5
shift 5
netns='goc-cri'
export W
W=$(mktemp -d /tmp/goc-cri.XXXXXX) # short: unix socket paths are limited
mkdir -p "$out"

# cgroups lists the cgroups critest's pods get (containerd's parent k8s.io,
# and test.slice:cri-containerd:ID below the caller's cgroup), deepest first.
cgroups() { find /sys/fs/cgroup -depth -type d \( -name 'test.slice:cri-containerd:*' -o -path '*/k8s.io*' \) 2>/dev/null; }
before=$(cgroups)

cleanup() {
	ip netns del "$netns" 2>/dev/null || true
	# Ours, once nothing runs in them any more; a k8s.io there before (a
	# real containerd's) is left alone.
	cgroups | while read -r d; do
		case $'\n'$before$'\n' in *$'\n'"${d%%/k8s.io*}/k8s.io"$'\n'*) continue ;; esac
		rmdir "$d" 2>/dev/null || true
	done
	rm -rf "$W"
}
trap cleanup EXIT

"$here/images.sh" "$W/oci" "$standin" "$deb" >"$W/images.log" 2>&1 || { cat "$W/images.log"; exit 1; }
ip netns del "$netns" 2>/dev/null || true # left by a run that was killed
ip netns add "$netns"
ip -n "$netns" link set lo up
status=0
unshare --mount --ipc --pid --fork --mount-proc --propagation private \
	nsenter --net=/run/netns/$netns "$here/inside.sh" "$goc" "$critest" "$out" "$@" || status=1
"$here/check.sh" "$out/runc.tsv" "$out/goc.tsv" "$here/expected.txt" || status=1
exit $status
