#!/usr/bin/env bash
# images.sh LAYOUT STANDIN BUSYBOX_DEB builds every image critest pulls into
# the OCI layout LAYOUT (one tag per image, named as the repository path the
# registry serves it under, with / as _), from Debian's dynamic busybox and
# the stand-in program (standin/), in the ways cri-tools' images/build and
# the upstream images give them: the USER, the files, the process names.
set -euo pipefail
L=$1 STANDIN=$2 DEB=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# busybox: the binary (dynamic: the static one runs applets itself, so a
# masked /bin/ls would still work), its libraries, a hard link per applet
# (as the busybox image has: masking /bin/ls must not mask the shell), and
# the passwd and group files of the busybox image. Debian's busybox lacks
# two applets critest runs: ipcs (util-linux's is copied in) and pgrep (a
# script does what the test asks of it).
busybox_rootfs() {
	local r=$1
	dpkg-deb -x "$DEB" "$work/deb"
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/run,home,lib64,lib/x86_64-linux-gnu}
	chmod 1777 "$r/tmp"
	cp "$work/deb/bin/busybox" "$r/bin/busybox"
	cp "$(command -v ipcs)" "$r/usr/bin/ipcs"
	install -m 0755 "$here/pgrep" "$r/usr/bin/pgrep"
	for lib in $(ldd "$r/bin/busybox" "$r/usr/bin/ipcs" | awk '$2 == "=>" {print $3} $1 ~ /^\/.*[^:]$/ {print $1}' | sort -u); do
		cp -L "$lib" "$r$lib"
	done
	for applet in $("$r/bin/busybox" --list-full); do
		[ -e "$r/$applet" ] || ln "$r/bin/busybox" "$r/$applet"
	done
	cat >"$r/etc/passwd" <<-'P'
		root:x:0:0:root:/root:/bin/sh
		daemon:x:1:1:daemon:/usr/sbin:/bin/false
		bin:x:2:2:bin:/bin:/bin/false
		sys:x:3:3:sys:/dev:/bin/false
		mail:x:8:8:mail:/var/spool/mail:/bin/false
		www-data:x:33:33:www-data:/var/www:/bin/false
		nobody:x:65534:65534:nobody:/home:/bin/false
	P
	cat >"$r/etc/group" <<-'G'
		root:x:0:
		daemon:x:1:
		bin:x:2:
		sys:x:3:
		tty:x:5:
		mail:x:8:
		www-data:x:33:
		users:x:100:
		nogroup:x:65534:
	G
}

# from BASE TAG: a new tag with BASE's layers and config.
from() { umoci tag --image "$L:$1" "$2"; }

# add TAG SRC DST [MODE]: a layer with one file.
add() {
	local f="$work/add-$RANDOM"
	cp "$2" "$f"
	chmod "${4:-0755}" "$f"
	umoci insert --image "$L:$1" "$f" "$3"
}

umoci init --layout "$L"
umoci new --image "$L:busybox"
umoci unpack --image "$L:busybox" "$work/bb"
busybox_rootfs "$work/bb/rootfs"
umoci repack --image "$L:busybox" "$work/bb"
umoci config --image "$L:busybox" --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	--config.cmd sh --config.workingdir /
from busybox e2e-test-images_busybox_1.29-2

# The pause image: the stand-in alone.
umoci new --image "$L:pause_3.9"
umoci unpack --image "$L:pause_3.9" "$work/p"
cp "$STANDIN" "$work/p/rootfs/pause"
umoci repack --image "$L:pause_3.9" "$work/p"
umoci config --image "$L:pause_3.9" --config.entrypoint /pause

# Web servers and nonewprivs, on busybox (the tests run sh in them).
from busybox nginx
add nginx "$STANDIN" /usr/sbin/nginx
umoci config --image "$L:nginx" --config.cmd /usr/sbin/nginx --tag e2e-test-images_nginx_1.14-2
umoci config --image "$L:nginx" --config.cmd /usr/sbin/nginx --config.env PORT=12003 \
	--tag k8s-staging-cri-tools_hostnet-nginx-amd64_latest
from busybox httpd
add httpd "$STANDIN" /usr/local/bin/httpd-foreground
umoci config --image "$L:httpd" --config.cmd httpd-foreground --tag e2e-test-images_httpd_2.4.39-4
from busybox nonewprivs
add nonewprivs "$STANDIN" /usr/local/bin/nonewprivs 4755
umoci config --image "$L:nonewprivs" --config.cmd /usr/local/bin/nonewprivs --tag e2e-test-images_nonewprivs_1.3

# cri-tools' images/build: image-user with USER, image-predefined-group,
# image-test with one empty file named for the image (or tag).
for u in uid=1002 username=www-data uid-group=1003:1004 username-group=www-data:1004; do
	umoci config --image "$L:busybox" --config.user "${u#*=}" --tag "k8s-staging-cri-tools_test-image-user-${u%%=*}_latest"
done
from busybox group
printf 'default-user:x:1000:1000:Linux User,,,:/home/default-user:/bin/sh\n' >"$work/passwd"
cat "$work/bb/rootfs/etc/passwd" "$work/passwd" >"$work/passwd.all"
printf 'default-user:x:1000:\ngroup-defined-in-image:x:50000:default-user\n' | cat "$work/bb/rootfs/etc/group" - >"$work/group.all"
add group "$work/passwd.all" /etc/passwd 0644
add group "$work/group.all" /etc/group 0644
umoci config --image "$L:group" --config.user 1000 --tag k8s-staging-cri-tools_test-image-predefined-group_latest
: >"$work/empty"
for name in test-image-1 test-image-2 test-image-3 test-image-latest same-image test all; do
	from busybox "$name"
	add "$name" "$work/empty" "/$name" 0644
done
for n in 1 2 3; do from test-image-$n "k8s-staging-cri-tools_test-image-${n}_latest"; done
from test-image-latest k8s-staging-cri-tools_test-image-latest_latest
for t in 1 2 3; do from same-image "k8s-staging-cri-tools_test-image-tags_$t"; done
from test k8s-staging-cri-tools_test-image-tag_test
from all k8s-staging-cri-tools_test-image-tag_all
