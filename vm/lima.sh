#!/usr/bin/env bash
# make e2e VM=lima: runs the suite in a disposable Lima instance (macOS).
# Untested here (Lima is not installable on the development machines); it
# only creates the instance, runs the same `make test` inside, and deletes it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
name=goc-e2e-$$
command -v limactl >/dev/null || { echo "vm/lima.sh: limactl not found (brew install lima)" >&2; exit 1; }
trap 'limactl delete --force "$name" >/dev/null 2>&1 || true' EXIT
mkdir -p "$top/build"
sed "s|{{.Dir}}|$top|" "$here/lima.yaml" >"$top/build/lima-$name.yaml"
limactl start --tty=false --name "$name" "$top/build/lima-$name.yaml"
limactl shell --workdir "$top" "$name" sudo make test
