#!/usr/bin/env bash
# inside.sh GOC CRITEST OUTDIR [CRITEST FLAGS…]: run.sh's second half, in the
# private namespaces. Starts the registry and pushes the images, starts
# containerd, runs critest once per runtime handler (runc, then goc) and
# writes OUTDIR/HANDLER.tsv: one line per test, "STATE<TAB>NAME"; then the
# crictl session of the docs (crictl.sh), whose failure is this script's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
goc=$1 critest=$2 out=$3
shift 3
port=5000 sock=$W/containerd.sock
mount --make-rshared / # the propagation tests need shared mounts (ours alone)
export TMPDIR=$W/tmp   # where critest makes its host directories
mkdir -p "$TMPDIR" "$W/cni" "$W/certs.d"

# wait_for WHAT CMD…: runs CMD until it succeeds, for a minute at the most.
wait_for() {
	local what=$1
	shift
	for _ in $(seq 300); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "$what did not come up" >&2
	return 1
}

# The registry, on this namespace's loopback; every image pushed into it.
sed "s|@W@|$W|g; s|@PORT@|$port|g" "$here/registry.yml" >"$W/registry.yml"
docker-registry serve "$W/registry.yml" >"$W/registry.log" 2>&1 &
wait_for registry curl -sf "http://127.0.0.1:$port/v2/" || { cat "$W/registry.log"; exit 1; }
for tag in $(umoci ls --layout "$W/oci" | grep _); do
	repo=${tag%_*}
	skopeo copy -q --dest-tls-verify=false "oci:$W/oci:$tag" "docker://127.0.0.1:$port/${repo//_//}:${tag##*_}"
done

# containerd: its config, the registries it mirrors (to our registry only,
# never upstream), the CNI network.
sed "s|@W@|$W|g; s|@GOC@|$goc|g; s|@RUNC@|$(command -v runc)|g" "$here/containerd.toml" >"$W/containerd.toml"
for r in registry.k8s.io k8s.gcr.io gcr.io docker.io; do
	mkdir -p "$W/certs.d/$r"
	printf 'server = "http://127.0.0.1:%s"\n[host."http://127.0.0.1:%s"]\n  capabilities = ["pull", "resolve"]\n' \
		$port $port >"$W/certs.d/$r/hosts.toml"
done
sed "s|@W@|$W|g" "$here/cni.conflist" >"$W/cni/10-goc-cri.conflist"
containerd --config "$W/containerd.toml" >"$W/containerd.log" 2>&1 &
wait_for containerd ctr --address "$sock" version || { tail "$W/containerd.log"; exit 1; }

# critest, once per handler.
for h in runc goc; do
	start=$SECONDS
	"$critest" -runtime-endpoint "unix://$sock" -image-endpoint "unix://$sock" -runtime-handler $h \
		-ginkgo.no-color -ginkgo.json-report "$out/$h.json" "$@" >"$out/$h.log" 2>&1 || true
	echo "$h: critest took $((SECONDS - start)) s" | tee "$out/$h.time"
	jq -r '.[].SpecReports[] | select(.LeafNodeType == "It") |
		[.State, ((.ContainerHierarchyTexts // []) + [.LeafNodeText] | join(" "))] | @tsv' \
		"$out/$h.json" | sort -t "$(printf '\t')" -k2 >"$out/$h.tsv"
done

# The crictl session the docs show.
mkdir -p "$W/crictl"
"$here/crictl.sh" "$(dirname "$critest")/crictl" "$sock" "$W/crictl" 2>&1 | grep -v level=warning | tee "$out/crictl.log" || true
cp "$W/containerd.log" "$out/"
grep -qx 'crictl: ok' "$out/crictl.log" # critest's own status is not ours: check.sh judges its columns
