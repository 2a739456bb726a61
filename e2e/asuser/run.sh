#!/usr/bin/env bash
# e2e/asuser/run.sh: the README's first command as a learner types it. As
# root, it makes a throwaway user with sudo (a NOPASSWD sudoers.d entry)
# whose Go is on their own PATH only (~/go-sdk → this machine's GOROOT, set
# in ~/.profile; not on sudo's secure_path), clones this checkout's HEAD
# (committed state) into their home and runs, in a login shell,
#   su - USER -c 'cd goC && make demo unit'
# then checks the demo's output, that sudo could not find Go, that every
# file in the clone's bin/ and build/ and in their home is theirs (built as
# them, not as root), and that nothing stays mounted under their home. The
# user, their home and the sudoers entry are removed however it ends.
# The user's Go modules come from the Go module proxy (GOPROXY as root's Go
# has it), into their own module cache.
# Usage: e2e/asuser/run.sh [make argument…]   (default: demo unit; or ASUSER_TARGETS)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
targets=${*:-${ASUSER_TARGETS:-demo unit}}
[ "$(id -u)" -eq 0 ] || { echo "e2e/asuser/run.sh: run as root (it creates a user)" >&2; exit 1; }

"$top/vm/deps.sh" sudo git
goroot=$(go env GOROOT)
proxy=$(go env GOPROXY)
sumdb=$(go env GOSUMDB)
rev=$(git -C "$top" rev-parse HEAD)
user=goc-learner-$$
home=/home/$user
sudoers=/etc/sudoers.d/$user
start=$(date +%s)

cleanup() {
	if command -v pkill >/dev/null; then pkill -KILL -u "$user" 2>/dev/null || true; fi
	userdel "$user" 2>/dev/null || true
	rm -rf "$home" "$sudoers" "$sudoers.tmp"
}
trap cleanup EXIT
fail() { echo "asuser: FAIL: $*" >&2; exit 1; }

useradd --create-home --home-dir "$home" --shell /bin/bash "$user"
echo "$user ALL=(ALL:ALL) NOPASSWD: ALL" >"$sudoers.tmp"
chmod 440 "$sudoers.tmp"
visudo -cqf "$sudoers.tmp"
mv "$sudoers.tmp" "$sudoers"

# Go as a learner installs it from go.dev's tarball: in their home
# (~/go-sdk), on the PATH their ~/.profile sets.
cat >>"$home/.profile" <<EOF
export PATH="\$HOME/go-sdk/bin:\$PATH"
export GOPROXY='$proxy' GOSUMDB='$sumdb'
EOF
git clone -q --no-checkout "$top" "$home/goC"
git -C "$home/goC" checkout -q --detach "$rev"
# Root's GOROOT, linked (copied where the user cannot read it, e.g. under
# /root); the link after chown -R, which must not reach GOROOT.
su -s /bin/sh "$user" -c "test -x '$goroot/bin/go'" || cp -a "$goroot" "$home/go-sdk"
chown -R "$user:$user" "$home"
if [ ! -e "$home/go-sdk" ]; then
	ln -s "$goroot" "$home/go-sdk"
	chown -h "$user:$user" "$home/go-sdk"
fi

as() { su - "$user" -c "$1"; }
[ "$(as 'command -v go')" = "$home/go-sdk/bin/go" ] || fail "the user's go is not ~/go-sdk/bin/go"
if as 'sudo sh -c "command -v go"'; then
	fail "go is on sudo's secure_path here: the check would prove nothing"
fi
echo "asuser: $user, Go $(as 'go env GOVERSION') on their PATH only, clone of $rev"

out=$home/make.out
echo "asuser: su - $user -c 'cd goC && make $targets'"
as "cd goC && make $targets" 2>&1 | tee "$out" || fail "make $targets as $user"
case " $targets " in *" demo "*)
	grep -q '^I am PID 1 on demo, in cgroup ' "$out" || fail "the demo did not print 'I am PID 1 on demo, in cgroup …'"
	[ "$(readlink "$home/goC/bin/goC")" = stage5/goC ] || fail "bin/goC is not a link to stage5/goC"
	;;
esac
foreign=$(find "$home" ! -user "$user" ! -path "$home/make.out" | head)
[ -z "$foreign" ] || fail "not owned by $user (made as root?):"$'\n'"$foreign"
if grep -q " $home/" /proc/self/mountinfo; then fail "mounts left under $home"; fi
echo "asuser: ok: make $targets as $user in $(($(date +%s) - start)) s"
