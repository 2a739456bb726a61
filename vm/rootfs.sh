#!/usr/bin/env bash
# Builds the busybox root filesystem the demo and the scenarios run in,
# from Debian's busybox-static: one static binary and a link per applet.
# Usage: vm/rootfs.sh DIR
set -euo pipefail
dir=${1:?usage: rootfs.sh DIR}
bb=/bin/busybox
file -b "$bb" 2>/dev/null | grep -q 'statically linked' || [ -x "$bb" ] || { echo "no $bb: apt-get install busybox-static" >&2; exit 1; }
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,var,run}
chmod 1777 "$dir.tmp/tmp"
chmod 700 "$dir.tmp/root"
cp "$bb" "$dir.tmp/bin/busybox"
for applet in $("$bb" --list-full); do
	[ -e "$dir.tmp/$applet" ] || ln -s /bin/busybox "$dir.tmp/$applet"
done
cat >"$dir.tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$dir.tmp/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP
echo goc >"$dir.tmp/etc/hostname"
printf '127.0.0.1\tlocalhost\n' >"$dir.tmp/etc/hosts"
: >"$dir.tmp/etc/resolv.conf"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "rootfs: $dir ($(du -sh "$dir" | cut -f1))"
