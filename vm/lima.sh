#!/usr/bin/env bash
# make e2e VM=lima (macOS): everything, build and test, runs inside a
# disposable Lima Linux VM (vm/lima.yaml); nothing is built on the Mac and
# nothing there needs dpkg or Go. The steps:
#   1. limactl start, from vm/lima.yaml (Debian 12, no mounts);
#   2. the working tree, without bin/, build/ and .git (a worktree's .git is
#      a pointer outside the tree), copied into ~/goC in the VM (a copy, not
#      a mount: root in the VM reads it, builds stay on its disk);
#   3. vm/lima-provision.sh as root in the VM: make, git, curl, and the Go
#      go.work names, from go.dev's tarball;
#   4. make $LIMA_MAKE (default test) in ~/goC as Lima's user (who has sudo:
#      the Makefile asks for it where root is needed);
#   5. the instance is deleted, however it ends.
# Untested: Lima is not installable on the Linux machines goC is developed on.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
name=goc-e2e-$$
target=${LIMA_MAKE:-test}
command -v limactl >/dev/null || { echo "vm/lima.sh: limactl not found (brew install lima)" >&2; exit 1; }
trap 'limactl delete --force "$name" >/dev/null 2>&1 || true' EXIT
limactl start --tty=false --name "$name" "$here/lima.yaml"
# COPYFILE_DISABLE: macOS tar adds no ._ files.
COPYFILE_DISABLE=1 tar -C "$top" --exclude ./bin --exclude ./build --exclude ./.git -cf - . |
	limactl shell "$name" sh -c 'rm -rf ~/goC && mkdir ~/goC && tar -C ~/goC -xf -'
limactl shell "$name" sh -c 'cd ~/goC && sudo sh vm/lima-provision.sh .'
limactl shell "$name" bash -lc "cd ~/goC && make $target"
