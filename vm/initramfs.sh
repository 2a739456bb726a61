#!/usr/bin/env bash
# Assembles the guest's initramfs (an uncompressed cpio: faster to unpack
# under TCG than a compressed one) from
#   - Debian's busybox-static, the guest's userland,
#   - vm/init and the kernel modules from vm/kernel.sh,
#   - DIR, copied to /goc (the binaries, rootfs and tests to run), but for
#     DIR/sysroot, copied to / (programs the tests use, with their libraries),
#   - CMD, written to /goc/cmd: the shell command the guest runs.
# Usage: vm/initramfs.sh KERNEL_CACHE DIR CMD OUT.cpio
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kcache=${1:?usage}; payload=${2:?usage}; cmd=${3:?usage}; out=${4:?usage}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,lib/modules,goc}
cp /bin/busybox "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
cp "$kcache"/modules/*.ko "$kcache/modules/order" "$root/lib/modules/"
cp -a "$payload"/. "$root/goc/"
# payload/sysroot holds files for the guest's own tree (runc and its libraries).
if [ -d "$root/goc/sysroot" ]; then
	cp -a "$root/goc/sysroot"/. "$root/"
	rm -rf "$root/goc/sysroot"
fi
printf '%s\n' "$cmd" >"$root/goc/cmd"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group" # goCd --group nogroup (stage5/trust)
# Owned by root in the guest, whoever built it (make e2e runs as you).
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet -R 0:0) >"$out"
