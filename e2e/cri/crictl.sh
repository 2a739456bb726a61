#!/usr/bin/env bash
# crictl.sh CRICTL SOCKET DIR: the crictl session docs/runtime-compat.md
# shows, on the goc handler: a pod, a container that logs, exec, stop and
# remove. Prints "crictl: ok" when every step did what the docs say.
set -euo pipefail
crictl=$1 dir=$3
export CONTAINER_RUNTIME_ENDPOINT=unix://$2
cd "$dir"
cat >pod.json <<JSON
{"metadata": {"name": "demo", "namespace": "default", "uid": "demo-1"}, "log_directory": "$dir/demo-logs"}
JSON
cat >ctr.json <<'JSON'
{"metadata": {"name": "hello"}, "image": {"image": "registry.k8s.io/e2e-test-images/busybox:1.29-2"},
 "command": ["sh", "-c", "echo hello from goC; sleep 3600"], "log_path": "hello.log"}
JSON
"$crictl" pull registry.k8s.io/e2e-test-images/busybox:1.29-2 >/dev/null
pod=$("$crictl" runp --runtime goc pod.json)
ctr=$("$crictl" create "$pod" ctr.json pod.json) && "$crictl" start "$ctr" >/dev/null
for i in $(seq 100); do
	"$crictl" logs "$ctr" 2>&1 | grep -qx 'hello from goC' && break
	[ "$i" -lt 100 ] || { echo "crictl logs: no hello from goC"; exit 1; }
	sleep 0.2
done
"$crictl" exec "$ctr" cat /proc/self/cgroup | grep -q ":pids:/k8s.io/$ctr$"
"$crictl" stopp "$pod" | grep -qx "Stopped sandbox $pod"
"$crictl" rmp "$pod" | grep -qx "Removed sandbox $pod"
echo "crictl: ok"
