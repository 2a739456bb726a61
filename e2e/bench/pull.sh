#!/usr/bin/env bash
# pull.sh: the time to pull one multi-layer image from Debian's
# docker-registry on loopback, side by side (issue 15's "Done when"):
# goC-cli pull (a private goCd), goC image pull (stage 4), skopeo copy into
# an OCI layout, podman pull (a private root) and docker pull (a private
# dockerd, no bridge, no iptables), N times each, interleaved, each from an
# empty store. Prints each tool's median and its ratio to skopeo's.
# Usage (as root, after make stage4 stage5 rootfs): e2e/bench/pull.sh [N]
# make bench-pull runs it. It is not part of make test.
set -euo pipefail
N=${1:-5}
R=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${GOC_BIN:-$R/bin}
ROOTFS=${GOC_ROOTFS:-$R/build/rootfs}
T=$(mktemp -d /tmp/goc-bench-pull.XXXXXX)
pids=()
cleanup() {
	[ -S "$T/docker.sock" ] && docker -H "unix://$T/docker.sock" image prune -af >/dev/null 2>&1 || true
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	grep " $T" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

# The registry: 127.0.0.1, a port the kernel picks, storage in $T.
cat >"$T/reg.yml" <<EOR
version: 0.1
log: {level: info}
storage: {filesystem: {rootdirectory: $T/registry}}
http: {addr: "127.0.0.1:0"}
EOR
docker-registry serve "$T/reg.yml" >"$T/reg.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
	REG=$(grep -o 'listening on 127\.0\.0\.1:[0-9]*' "$T/reg.log" | head -1 | cut -d' ' -f3) && [ -n "$REG" ] && break
	sleep 0.1
done
[ -n "${REG:-}" ] || { echo "pull.sh: the registry did not start" >&2; cat "$T/reg.log" >&2; exit 1; }

# The image: the rootfs as one layer, and three layers of 8, 16 and 32 MB
# of random bytes (which gzip does not shrink), pushed with skopeo.
umoci init --layout "$T/oci"
umoci new --image "$T/oci:img"
umoci unpack --image "$T/oci:img" "$T/bundle" >/dev/null
cp -a "$ROOTFS/." "$T/bundle/rootfs/"
umoci repack --image "$T/oci:img" "$T/bundle"
for mb in 8 16 32; do
	head -c ${mb}M /dev/urandom >"$T/blob$mb"
	umoci insert --image "$T/oci:img" "$T/blob$mb" "/data/blob$mb"
done
IMG=$REG/bench:1
skopeo copy -q --dest-tls-verify=false "oci:$T/oci:img" "docker://$IMG"
size=$(du -sm "$T/registry" | cut -f1)
echo "image $IMG: 4 layers, registry storage ${size} MB; $N runs each, interleaved"

# Private goCd, dockerd and podman configuration.
"$BIN/goCd" --socket "$T/goCd.sock" --data-root "$T/goCd" --root "$T/goCd-state" 2>"$T/goCd.log" &
pids+=($!)
dockerd --data-root "$T/docker" --exec-root "$T/dx" --pidfile "$T/dockerd.pid" -H "unix://$T/docker.sock" \
	--bridge=none --iptables=false --ip6tables=false --log-level warn >"$T/dockerd.log" 2>&1 &
pids+=($!)
export DOCKER_CONFIG=$T/docker-client
mkdir -p "$DOCKER_CONFIG" && echo "{}" >"$DOCKER_CONFIG/config.json"
printf '[engine]\nevents_logger = "file"\nevents_logfile_path = "%s"\ntmp_dir = "%s"\n' "$T/events.log" "$T/ptmp" >"$T/containers.conf"
export CONTAINERS_CONF=$T/containers.conf
for _ in $(seq 100); do
	"$BIN/goC-cli" --socket "$T/goCd.sock" version >/dev/null 2>&1 && docker -H "unix://$T/docker.sock" version >/dev/null 2>&1 && break
	sleep 0.2
done

# Each tool's pull into an empty store, and the removal after it (not timed).
pull_goccli() { "$BIN/goC-cli" --socket "$T/goCd.sock" pull "$IMG" >/dev/null; }
clean_goccli() { "$BIN/goC-cli" --socket "$T/goCd.sock" rmi "$IMG" >/dev/null; }
pull_goc4() { "$BIN/stage4/goC" --data-root "$T/goc4" image pull "$IMG" >/dev/null; }
clean_goc4() { rm -rf "$T/goc4"; }
pull_skopeo() { skopeo copy -q --src-tls-verify=false "docker://$IMG" "oci:$T/sk:img" >/dev/null; }
clean_skopeo() { rm -rf "$T/sk"; }
pull_podman() { podman --root "$T/podman" --runroot "$T/podman-run" --storage-driver overlay pull -q --tls-verify=false "$IMG" >/dev/null; }
clean_podman() { podman --root "$T/podman" --runroot "$T/podman-run" --storage-driver overlay rmi -af >/dev/null; }
pull_docker() { docker -H "unix://$T/docker.sock" pull -q "$IMG" >/dev/null; }
clean_docker() { docker -H "unix://$T/docker.sock" rmi "$IMG" >/dev/null; }

tools=(goccli goc4 skopeo podman docker)
declare -A names=([goccli]="goC-cli pull" [goc4]="goC image pull" [skopeo]="skopeo copy" [podman]="podman pull" [docker]="docker pull")
declare -A times
for i in $(seq "$N"); do
	for t in "${tools[@]}"; do
		s=$(date +%s%N)
		"pull_$t" 2>"$T/err" || { echo "pull.sh: ${names[$t]} failed:" >&2; cat "$T/err" "$T/goCd.log" >&2; exit 1; }
		e=$(date +%s%N)
		"clean_$t"
		times[$t]+="$(((e - s) / 1000000)) "
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
sk=$(echo "${times[skopeo]}" | median)
printf '%-16s %10s %8s   %s\n' tool "median ms" "/skopeo" "runs (ms)"
for t in "${tools[@]}"; do
	m=$(echo "${times[$t]}" | median)
	printf '%-16s %10s %8s   %s\n' "${names[$t]}" "$m" "$(awk -v a="$m" -v b="$sk" 'BEGIN {printf "%.2f", a/b}')" "${times[$t]}"
done
