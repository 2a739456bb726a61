#!/usr/bin/env bash
# Fetches Debian's cloud kernel (no install into /boot: apt-get download +
# dpkg-deb -x) and the modules in vm/modules.txt with their dependencies,
# into a cache kept between runs. Prints the cache directory, which holds
#   vmlinuz, modules/*.ko and modules/order (insmod order).
# Usage: vm/kernel.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${GOC_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goC/vm}
pkg=${GOC_KERNEL_PKG:-linux-image-cloud-amd64}
mkdir -p "$cache"

# The meta package names the real one (linux-image-6.1.0-NN-cloud-amd64).
real=$(apt-cache depends "$pkg" 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
if [ -z "$real" ]; then
	"$here/asroot" apt-get update -qq >&2
	real=$(apt-cache depends "$pkg" | awk '/Depends: linux-image-/ {print $2; exit}')
fi
[ -n "$real" ] || { echo "vm/kernel.sh: cannot resolve $pkg" >&2; exit 1; }
out=$cache/$real
if [ -f "$out/vmlinuz" ] && [ -f "$out/modules/order" ] && [ "$out/modules/order" -nt "$here/modules.txt" ]; then
	echo "$out"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "$real" >&2)
dpkg-deb -x "$work"/*.deb "$work/x"
kver=$(ls "$work/x/lib/modules")
moddir=$work/x/lib/modules/$kver

rm -rf "$out.tmp"
mkdir -p "$out.tmp/modules"
cp "$work/x/boot/vmlinuz-$kver" "$out.tmp/vmlinuz"

# Depth-first over modinfo's depends=, so each module follows what it needs.
declare -A seen=()
order=()
add() {
	local name=${1//-/_} file deps d
	[ -n "${seen[$name]:-}" ] && return 0
	seen[$name]=1
	file=$(find "$moddir" -name "$name.ko" -o -name "${name//_/-}.ko" | head -n1)
	if [ -z "$file" ]; then
		return 0 # built into the kernel
	fi
	deps=$(modinfo -F depends "$file" | tr ',' ' ')
	for d in $deps; do add "$d"; done
	cp "$file" "$out.tmp/modules/$name.ko"
	order+=("$name")
}
while read -r m; do
	m=${m%%#*}
	[ -n "${m// /}" ] && add "$m"
done <"$here/modules.txt"
printf '%s\n' "${order[@]}" >"$out.tmp/modules/order"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
