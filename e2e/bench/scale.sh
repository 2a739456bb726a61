#!/usr/bin/env bash
# e2e/bench/scale.sh: many containers at once, goC beside Podman (issue 16,
# make bench-scale; docs/e2e.md). Not part of make test.
#
# For goC (goC-cli through a private goCd) and then Podman (private --root,
# --runroot, containers.conf; netavark, runc, cgroupfs), BENCH_SCALE_ROUNDS
# times, the order swapped every other round:
#   BENCH_SCALE_N (200) `run -d --network bridge IMG sleep 100000`, started
#   BENCH_SCALE_PAR (20) at a time: the time until all run (all listed
#   running), each start's latency (p50, p99), the failures; then `rm -f` of
#   each, BENCH_SCALE_PAR at a time: the time, p50, p99, failures. Then
#   nothing may be left: goC's side counted as the soak counts
#   (e2e/soak/count.sh: mounts, cgroups, links, veths, netns, leases, state
#   and data-root entries, goCd's fds, processes), Podman's by its own
#   (containers, netns, libpod cgroups, conmons, mounts, links, veths).
# Prints a table side by side, with goC's figures' ratios to Podman's.
#
# In a mount and network namespace of its own (lib.sh): goC's goC0
# (10.77.0.0/16) and Podman's podman0 (10.88.0.0/16) and their NAT rules
# are the namespace's and go with it; /run/netns and /dev/shm (Podman's
# network namespaces and its lock file) are tmpfs mounts of the namespace.
# Usage (as root, after make stage5 rootfs): e2e/bench/scale.sh
# shellcheck disable=SC2034,SC2154,SC2178,SC2016,SC2126 # counts in associative arrays filled through namerefs; bash -c scripts; grep -c prints nothing for an empty pattern file
set -u
R=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${GOC_BIN:-$R/bin}/stage5
ROOTFS=${GOC_ROOTFS:-$R/build/rootfs}
N=${BENCH_SCALE_N:-200}
PAR=${BENCH_SCALE_PAR:-20}
ROUNDS=${BENCH_SCALE_ROUNDS:-1}
# shellcheck source=e2e/bench/lib.sh
. "$R/e2e/bench/lib.sh"
inns "$0" "$@"

setup scale
mkdir -p /run/netns /dev/shm
mount -t tmpfs bench-netns /run/netns
mount -t tmpfs bench-shm /dev/shm
P=$d/podman
touch "$d/podman.ids" "$d/goC.err" "$d/podman.err"
cat >"$d/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/podman-events.log"
tmp_dir = "$P/tmp"
runtime = "runc"
[containers]
# Podman as root asks for nofile 1048576 and a high nproc, which runc
# cannot set here (EPERM: this machine's bounding set lacks
# CAP_SYS_RESOURCE): goCd's nofile, as goC's containers get, and an nproc
# that runc sets (a sleep needs neither).
default_ulimits = ["nofile=$(ulimit -Sn):$(ulimit -Hn)", "nproc=4096:4096"]
[network]
network_backend = "netavark"
network_config_dir = "$P/networks"
EOF
export CONTAINERS_CONF=$d/containers.conf
pod() { podman --root "$P/root" --runroot "$P/run" --storage-driver overlay "$@"; }

cleanup() {
	pod rm -af -t 0 >/dev/null 2>&1
	pod system reset -f >/dev/null 2>&1
	ip link del podman0 2>/dev/null
	stop_goCd
}
trap cleanup EXIT

# start_one TOOL I / rm_one TOOL I: one run -d or rm -f, its status and
# milliseconds appended to $d/TOOL.start or TOOL.rm (a line is one write).
start_one() {
	local t0 rc
	t0=$(ms)
	case $1 in
	goC) cli run -d --network bridge --name "scale-$2" scaleimg sleep 100000 >/dev/null 2>>"$d/$1.err" ;;
	podman) pod run -d --network bridge --name "scale-$2" scaleimg sleep 100000 >>"$d/podman.ids" 2>>"$d/$1.err" ;;
	esac
	rc=$?
	echo "$rc $(($(ms) - t0))" >>"$d/$1.start"
}
rm_one() {
	local t0 rc
	t0=$(ms)
	case $1 in
	goC) cli rm -f "scale-$2" >/dev/null 2>>"$d/$1.err" ;;
	podman) pod rm -f -t 0 "scale-$2" >/dev/null 2>>"$d/$1.err" ;;
	esac
	rc=$?
	echo "$rc $(($(ms) - t0))" >>"$d/$1.rm"
}
export -f start_one rm_one ms cli pod
export d S BIN P

running() {
	case $1 in
	goC) cli ps -q | grep -c . ;;
	podman) pod ps -q --filter status=running | grep -c . ;;
	esac
}

# Podman's side of the accounting (goC's is count.sh's measure).
PKEYS="containers netns cgroups conmons mounts links veths"
pmeasure() {
	local -n m=$1
	m[containers]=$(pod ps -aq | grep -c .)
	m[netns]=$(find /run/netns -mindepth 1 | wc -l)
	# cgroupfs: libpod_parent/libpod-ID in every hierarchy; ours by ID
	m[cgroups]=$(find /sys/fs/cgroup -maxdepth 4 -type d -name 'libpod-*' 2>/dev/null | grep -Ff <(sed 's/^/libpod-/' "$d/podman.ids") | wc -l)
	m[conmons]=$(pgrep -f -- "conmon.*$P" | grep -c .)
	m[mounts]=$(wc -l </proc/self/mountinfo)
	m[links]=$(ip -o link | wc -l)
	m[veths]=$(ip -o link show type veth | wc -l)
}
pline() {
	local -n l=$1
	local out="" k
	for k in $PKEYS; do out="$out $k=${l[$k]}"; done
	printf '%s\n' "${out# }"
}
# pcheck: Podman's counts back to PBEFORE within 15 s, or a failure naming
# what is left.
pcheck() {
	local i k out
	declare -A now
	for i in $(seq 30); do
		pmeasure now
		out=""
		for k in $PKEYS; do [ "${now[$k]}" = "${PBEFORE[$k]}" ] || out="$out $k"; done
		[ -z "$out" ] && { log "podman: every count back where it started"; return 0; }
		sleep 0.5
	done
	bad "podman: not back where it started:$out (before: $(pline PBEFORE); now: $(pline now))"
}

# round TOOL R: start N, check they run, remove them, check nothing is left.
round() {
	local tool=$1 r=$2 t0 t1 n fails
	rm -f "$d/$tool.start.cur" "$d/$tool.rm.cur"
	t0=$(ms)
	seq "$N" | xargs -P "$PAR" -n 1 bash -c 'start_one "$0" "$1"' "$tool"
	t1=$(ms)
	n=$(running "$tool")
	fails=$(awk '$1 != 0' "$d/$tool.start" 2>/dev/null | grep -c .)
	log "round $r $tool: $N started $PAR at a time in $((t1 - t0)) ms; $n listed running; $fails failed starts so far"
	[ "$n" -eq "$N" ] || bad "round $r $tool: $n of $N running"
	[ "$tool" = goC ] && log "round $r goC: goCd with $n running: RSS $(awk '/^VmRSS/ {print $2}' "/proc/$GOCD/status") kB, $(find "/proc/$GOCD/fd" -mindepth 1 | wc -l) fds, $(awk '/^Threads/ {print $2}' "/proc/$GOCD/status") threads"
	echo "$((t1 - t0))" >>"$d/$tool.all"
	t0=$(ms)
	seq "$N" | xargs -P "$PAR" -n 1 bash -c 'rm_one "$0" "$1"' "$tool"
	t1=$(ms)
	echo "$((t1 - t0))" >>"$d/$tool.rmall"
	log "round $r $tool: removed in $((t1 - t0)) ms"
	case $tool in
	goC)
		declare -A AFTER
		check "round $r goC" AFTER
		;;
	podman) pcheck ;;
	esac
}

log "scale: $N containers, $PAR at a time, $ROUNDS round(s), goC beside Podman $(podman --version | awk '{print $3}'), in $d (own mount and network namespace), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
start_goCd || exit 1
import_image scaleimg || { bad "goC-cli import"; exit 1; }
tar -C "$ROOTFS" -c . | pod import -q - scaleimg >/dev/null || { bad "podman import"; exit 1; }
# warm-up: each makes its bridge (which stays, as docker0 does) and loads
# its image once; the counts start after it.
{ cli run -d --network bridge --name warm scaleimg true >/dev/null && cli rm -f warm >/dev/null; } || bad "goC warm-up"
{ pod run -d --network bridge --name warm scaleimg true >>"$d/podman.ids" && pod rm -f warm >/dev/null; } || bad "podman warm-up"
declare -A BEFORE PBEFORE
steady BEFORE
GOCD0=$GOCD
datafiles >"$d/data.before"
pmeasure PBEFORE
log "goC before: $(line BEFORE)"
log "podman before: $(pline PBEFORE)"

for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then order="goC podman"; else order="podman goC"; fi
	for tool in $order; do round "$tool" "$r"; done
done

# The table: medians of the rounds' wall times, percentiles of every start
# and removal.
med() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
col() { # col TOOL: the figures of one tool, one a line
	local t=$1
	med <"$d/$t.all"
	awk '$1 == 0 {print $2}' "$d/$t.start" | pct 50
	awk '$1 == 0 {print $2}' "$d/$t.start" | pct 99
	awk '$1 != 0' "$d/$t.start" | grep -c .
	med <"$d/$t.rmall"
	awk '$1 == 0 {print $2}' "$d/$t.rm" | pct 50
	awk '$1 == 0 {print $2}' "$d/$t.rm" | pct 99
	awk '$1 != 0' "$d/$t.rm" | grep -c .
}
mapfile -t G < <(col goC)
mapfile -t Q < <(col podman)
names=("until all $N run (ms)" "start p50 (ms)" "start p99 (ms)" "failed starts" "rm -f of all (ms)" "rm -f p50 (ms)" "rm -f p99 (ms)" "failed rm -f")
log ""
printf '%-26s %10s %10s %12s\n' "$N containers, $PAR at once" goC podman "goC/podman"
for i in "${!names[@]}"; do
	case $i in 3 | 7) rt="" ;; *) rt=$(ratio "${G[$i]}" "${Q[$i]}") ;; esac
	printf '%-26s %10s %10s %12s\n' "${names[$i]}" "${G[$i]}" "${Q[$i]}" "$rt"
done
for t in goC podman; do
	[ -s "$d/$t.err" ] && { log "$t's errors (first 5):"; head -5 "$d/$t.err"; }
	[ "$(awk '$1 != 0' "$d/$t.start" "$d/$t.rm" | grep -c .)" -eq 0 ] || bad "$t: failed starts or removals"
done
if [ "$FAILED" -ne 0 ]; then
	log "scale: FAILED (the FAIL lines above)"
	exit 1
fi
log "scale: ok"
