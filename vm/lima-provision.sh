#!/bin/sh
# vm/lima-provision.sh TREE: provisions the Lima VM (vm/lima.sh runs it as
# root inside the VM, on its copy of the tree): Debian's make, git and curl,
# and the Go toolchain TREE/go.work names — its toolchain line, else its go
# line — from go.dev's tarball (Debian's golang-go is too old to read
# go.work), checked against its published SHA-256, into /usr/local/go, with
# go and gofmt linked into /usr/local/bin: on every user's PATH and on
# sudo's secure_path. The toolchain must then read TREE's go.work.
# Environment, for trying it outside a VM: GO_TARBALL=FILE installs that
# tarball instead of downloading (any version go.work accepts);
# ROOT=DIR installs under DIR instead of / and skips apt.
set -eu
tree=${1:?usage: lima-provision.sh TREE}
root=${ROOT:-}

want=$(sed -n 's/^toolchain go\([0-9][0-9.]*\)$/\1/p' "$tree/go.work")
[ -n "$want" ] || want=$(sed -n 's/^go \([0-9][0-9.]*\)$/\1/p' "$tree/go.work")
[ -n "$want" ] || { echo "lima-provision: no go line in $tree/go.work" >&2; exit 1; }
case $want in *.*.*) ;; *) want=$want.0 ;; esac # go 1.26 is release go1.26.0
case $(uname -m) in
x86_64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) echo "lima-provision: unknown machine $(uname -m)" >&2; exit 1 ;;
esac

if [ -z "$root" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends make git ca-certificates curl >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${GO_TARBALL:-}" ]; then
	cp "$GO_TARBALL" "$tmp/go.tar.gz"
else
	file=go$want.linux-$arch.tar.gz
	curl -fsSL -o "$tmp/go.tar.gz" "https://dl.google.com/go/$file"
	sum=$(curl -fsSL "https://dl.google.com/go/$file.sha256")
	echo "$sum  $tmp/go.tar.gz" | sha256sum -c --quiet
fi

mkdir -p "$root/usr/local/bin"
rm -rf "$root/usr/local/go"
tar -C "$root/usr/local" -xzf "$tmp/go.tar.gz"
for p in go gofmt; do ln -sfn /usr/local/go/bin/$p "$root/usr/local/bin/$p"; done

go=$root/usr/local/go/bin/go
have=$("$go" env GOVERSION)
if [ -z "${GO_TARBALL:-}" ] && [ "$have" != "go$want" ]; then
	echo "lima-provision: installed $have, go.work names go$want" >&2
	exit 1
fi
# The proof that matters: this Go reads the workspace without fetching a
# toolchain.
(cd "$tree" && GOTOOLCHAIN=local "$go" list -m >/dev/null)
echo "lima-provision: $have in $root/usr/local/go (go.work names go$want)"
