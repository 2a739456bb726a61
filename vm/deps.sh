#!/usr/bin/env bash
# Installs the named Debian packages when they are missing, with apt; as a
# user through sudo (only when something is missing).
# Usage: vm/deps.sh package…
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
for p in "$@"; do
	have "$p" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "goC: missing packages ${need[*]}: install them as root (apt-get install ${need[*]})" >&2; exit 1; }
	exec sudo "$0" "${need[@]}"
fi
echo "installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Daemons in these packages (dockerd, containerd) must not start as host
# services: the tests start private ones. policy-rc.d, honoured by
# invoke-rc.d and deb-systemd-invoke, says so — only if there was none.
policy=/usr/sbin/policy-rc.d
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' >$policy
	chmod +x $policy
	trap 'rm -f $policy' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
