#!/bin/bash
# e2e/soak/run.sh BIN ROOTFS: the soak (make soak; docs/e2e.md). BIN holds
# stage 5's goC, goCd and goC-cli; ROOTFS is the busybox root filesystem.
#
#   part 1: SOAK_N cycles of goC (the runc-like CLI, its own --root):
#           create → start → exec (output checked) → kill → stopped → delete
#   part 2: SOAK_RUNS of goC-cli run --rm --network bridge IMG true (goCd)
#   part 3: SOAK_KILLS cycles of kill -9 of goCd or of a shim, at a random
#           moment, under a running load (long-running containers, short runs
#           in a loop, a container being created); goCd restarted when
#           killed; then the long containers must still run, a container
#           whose shim died must not be reported running and must be
#           removable, and goC-cli must still work
#
# Mounts, goC cgroups, links, netns, leases, state entries, goCd's RSS and
# fds, and goC processes are counted before, every SOAK_EVERY cycles and
# after each part; the run fails, naming what grew, unless every count is
# back where it started (goCd's RSS: within SOAK_RSS_SLACK kB, see below; a
# goCd started again in part 3: its fds but its inotify instance).
#
# goCd has no flag for its bridge (always goC0, 10.77.0.0/16, leases in
# /run/goC/network): so the soak runs in a network and mount namespace of
# its own (unshare -mn) with a tmpfs on /run/goC/network. Its goC0, veths,
# NAT rules and lease file are private; the host's goC0 and its leases are
# not touched, and everything the soak made goes with the namespace. The
# rest (goC's --root, goCd's --socket/--root/--data-root) is in a mktemp -d.
# cgroups are the host's: those of other users' containers (a goC cgroup
# with processes that are not the soak's) are not counted.
# shellcheck disable=SC2034,SC2154 # the counts are associative arrays filled through namerefs (local -n)
set -u
BIN=${1:?usage: run.sh BIN ROOTFS}
ROOTFS=${2:?usage: run.sh BIN ROOTFS}
SOAK_N=${SOAK_N:-1000}
SOAK_RUNS=${SOAK_RUNS:-1000}
SOAK_KILLS=${SOAK_KILLS:-200}
SOAK_EVERY=${SOAK_EVERY:-100}
# goCd's RSS may end above where it started with nothing leaked: Go's runtime
# keeps freed heap pages and hands them back to the kernel lazily (its
# scavenger), and a restarted goCd (part 3) has its own warm-up. 16 MiB is
# far below what a leak of one allocation per cycle would pile up over a
# thousand runs of a request that itself allocates ~100 kB, and far above the
# few MiB the runtime keeps. The per-100 lines show the trend.
SOAK_RSS_SLACK=${SOAK_RSS_SLACK:-16384}

if [ "${SOAK_INNS:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || { echo "soak: needs root (make soak runs it through vm/asroot)" >&2; exit 1; }
	exec unshare -mn env SOAK_INNS=1 bash "$0" "$@"
fi

d=$(mktemp -d /tmp/goC-soak.XXXXXX)
S=$d/goCd.sock R1=$d/root1 B1=$d/bundle
GOCD=0 LOADER=0 FAILED=0
mount --make-rprivate /
mkdir -p /run/goC/network && mount -t tmpfs soak /run/goC/network
ip link set lo up

log() { printf '%s\n' "$*"; }
bad() {
	FAILED=1
	printf 'FAIL: %s\n' "$*"
}
cli() { "$BIN/goC-cli" --socket "$S" "$@"; }
goc() { "$BIN/goC" --root "$R1" "$@"; }

# cleanup: whatever is left — also after a failure — is removed; the
# namespace (mounts, links, leases) goes when the last process in it exits.
cleanup() {
	touch "$d/stop"
	[ "$LOADER" -gt 0 ] && wait "$LOADER" 2>/dev/null
	if [ "$GOCD" -gt 0 ] && kill -0 "$GOCD" 2>/dev/null; then
		for c in $(cli ps -aq 2>/dev/null); do cli rm -f "$c" >/dev/null 2>&1; done
		kill "$GOCD"
		wait "$GOCD" 2>/dev/null
	fi
	for c in $(goc list -q 2>/dev/null); do goc delete --force "$c" >/dev/null 2>&1; done
	for p in $(soak_procs | sort -u); do kill -9 "$p" 2>/dev/null; done
	grep -F " $d" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	for c in $(soak_cgroups); do rmdir "$c" 2>/dev/null; done
	rm -rf "$d"
}
trap cleanup EXIT

# The accounting: mounts, cgroups, links, leases, state, goCd (count.sh).
# shellcheck source=e2e/soak/count.sh
. "$(dirname "$0")/count.sh"

every() { # every PART I N T0: a report line every SOAK_EVERY cycles
	if [ $(($2 % SOAK_EVERY)) -eq 0 ] || [ "$2" -eq "$3" ]; then
		declare -A now
		measure now
		log "$1 $2/$3 $((SECONDS - $4))s $(line now)"
	fi
}

# The parts -------------------------------------------------------------

part1_cycle() {
	local id=soak-$1 out st i
	goc create --bundle "$B1" "$id" || { bad "part 1 cycle $1: create"; return; }
	goc start "$id" || bad "part 1 cycle $1: start"
	out=$(goc exec "$id" echo "hello $1") || bad "part 1 cycle $1: exec"
	[ "$out" = "hello $1" ] || bad "part 1 cycle $1: exec printed '$out'"
	goc kill "$id" KILL || bad "part 1 cycle $1: kill"
	for i in $(seq 100); do
		st=$(goc state "$id" | jq -r .status)
		[ "$st" = stopped ] && break
		sleep 0.1
	done
	[ "$st" = stopped ] || bad "part 1 cycle $1: $st, not stopped, 10 s after kill"
	goc delete "$id" || bad "part 1 cycle $1: delete"
}

part2_run() {
	cli run --rm --network bridge soakimg true || bad "part 2 run $1: goC-cli run --rm exited $?"
}

# status KEY VALUE: the status of the container whose KEY (name or id) is
# VALUE, as goC-cli ps -a lists it (empty when it is not listed).
status() {
	cli --format json ps -a | jq -r --arg k "$1" --arg v "$2" '.[] | select(.[$k] == $v) | .status'
}

# shim_id PID: the container ID a shim runs: its record directory's name
# (--dir DIR, in goC shim's arguments and in goC-shim's, which it becomes
# once the container runs).
shim_id() { tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline" | awk -F/ 'prev == "--dir" {print $NF; exit} {prev = $0}'; }

# victim_shim: one shim, at random, of a container that is not one of the
# long ones.
victim_shim() {
	local p e id cand=()
	for p in /proc/[0-9]*; do
		e=$(readlink "$p/exe" 2>/dev/null) || continue
		case $e in "$BIN/goC" | "$BIN/goC-shim") ;; *) continue ;; esac
		id=$(shim_id "${p#/proc/}")
		[ -n "$id" ] && ! grep -qxF "$id" "$d/long.ids" && cand+=("${p#/proc/}")
	done
	[ "${#cand[@]}" -gt 0 ] && echo "${cand[RANDOM % ${#cand[@]}]}"
}

# gone PID: wait until PID has died (a zombie or no more): kill returns
# before the signal has been acted on, and a dying shim still counts as
# alive until then.
gone() {
	local j
	for j in $(seq 100); do
		case $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) in "" | Z | X) return 0 ;; esac
		sleep 0.05
	done
	bad "pid $1 still alive 5 s after kill -9"
}

# kill_shim CYCLE: kill -9 one shim (the creating container's or a load
# run's); that container must then not be listed running, and must be
# removable (goC-cli rm, no -f) unless goCd's --rm removed it first.
kill_shim() {
	local pid="" id st j
	for j in $(seq 50); do # a load run's shim may end before it is killed
		pid=$(victim_shim) && id=$(shim_id "$pid") && [ -n "$id" ] && kill -9 "$pid" 2>/dev/null && break
		pid=""
		sleep 0.1
	done
	[ -n "$pid" ] || { bad "part 3 cycle $1: no shim to kill"; return 1; }
	KILLED_SHIM=$((KILLED_SHIM + 1))
	gone "$pid"
	wait "$creator" 2>/dev/null
	st=$(status id "$id")
	[ "$st" = running ] && bad "part 3 cycle $1: ${id:0:12}'s shim was killed, yet it is listed running"
	if [ -n "$st" ] && ! out=$(cli rm "$id" 2>&1) && [ -n "$(status id "$id")" ]; then
		bad "part 3 cycle $1: ${id:0:12} ($st) after its shim was killed: rm: $out"
	fi
	return 0
}

# part3_cycle I: a container is being created (soak-v-I) while the load
# runs; after a random 0–1 s, kill -9 goCd or a shim (a coin toss). Then the
# long containers must be running, the one being created removable, and
# goC-cli run must work.
part3_cycle() {
	local i=$1 v=soak-v-$1 what st j
	cli run -d --name "$v" soakimg sleep 100000 >/dev/null 2>&1 &
	creator=$!
	sleep "0.$((RANDOM % 1000))"
	if [ $((RANDOM % 2)) -eq 0 ]; then
		what=goCd
		kill -9 "$GOCD"
		wait "$GOCD" 2>/dev/null
		KILLED_GOCD=$((KILLED_GOCD + 1))
		wait "$creator" 2>/dev/null
		start_goCd || return
	else
		what=shim
		kill_shim "$i" || return
	fi
	for j in 1 2 3; do
		st=$(status name "soak-long$j")
		[ "$st" = running ] || bad "part 3 cycle $i ($what killed): soak-long$j is '$st', not running"
	done
	if [ -n "$(status name "$v")" ]; then
		cli rm -f "$v" >/dev/null || bad "part 3 cycle $i ($what killed): rm -f $v failed"
		[ -z "$(status name "$v")" ] || bad "part 3 cycle $i: $v still listed after rm -f"
	fi
	cli run --rm soakimg true || bad "part 3 cycle $i ($what killed): goC-cli run --rm true exited $?"
}

# The soak ----------------------------------------------------------------

log "soak: SOAK_N=$SOAK_N SOAK_RUNS=$SOAK_RUNS SOAK_KILLS=$SOAK_KILLS in $d (own mount and network namespace)"
mkdir -p "$B1" "$R1"
(cd "$B1" && "$BIN/goC" spec) || exit 1
jq --arg r "$ROOTFS" '.process.terminal = false | .process.args = ["sleep", "100000"] | .root.path = $r' \
	"$B1/config.json" >"$B1/c" && mv "$B1/c" "$B1/config.json"
start_goCd || exit 1
tar -C "$ROOTFS" -c . | cli import soakimg - >/dev/null || { bad "import"; exit 1; }
# warm-up: the bridge is made by the first run and stays (as docker0 does);
# goCd's first requests load what it keeps. Counted from here.
part1_cycle 0
part2_run 0
declare -A BEFORE AFTER1 AFTER2 AFTER3
steady BEFORE
GOCD0=$GOCD
datafiles >"$d/data.before"
log "before: $(line BEFORE)"
log "goCd's fds before: $(fdlist)"

t0=$SECONDS
for i in $(seq "$SOAK_N"); do
	part1_cycle "$i"
	every "part 1" "$i" "$SOAK_N" "$t0"
done
T1=$((SECONDS - t0))
check "part 1 ($SOAK_N goC lifecycles, ${T1}s)" AFTER1

t0=$SECONDS
for i in $(seq "$SOAK_RUNS"); do
	part2_run "$i"
	every "part 2" "$i" "$SOAK_RUNS" "$t0"
done
T2=$((SECONDS - t0))
check "part 2 ($SOAK_RUNS goC-cli runs, ${T2}s)" AFTER2

t0=$SECONDS KILLED_GOCD=0 KILLED_SHIM=0
: >"$d/long.ids"
for j in 1 2 3; do
	cli run -d --name "soak-long$j" soakimg sleep 100000 >>"$d/long.ids" || bad "part 3: long container $j"
done
(
	ok=0 failed=0
	while [ ! -e "$d/stop" ]; do
		if cli run --rm --network bridge soakimg true >/dev/null 2>&1; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
	done
	echo "$ok $failed" >"$d/load.count"
) &
LOADER=$!
for i in $(seq "$SOAK_KILLS"); do
	part3_cycle "$i"
	every "part 3" "$i" "$SOAK_KILLS" "$t0"
done
touch "$d/stop"
wait "$LOADER"
LOADER=0
read -r LOAD_OK LOAD_FAILED <"$d/load.count"
for j in 1 2 3; do cli rm -f "soak-long$j" >/dev/null || bad "part 3: rm -f soak-long$j"; done
for c in $(cli ps -aq); do bad "part 3: $(cli ps -a | grep "^$c") still listed after the load"; cli rm -f "$c" >/dev/null; done
T3=$((SECONDS - t0))
log "part 3: goCd killed $KILLED_GOCD times, a shim $KILLED_SHIM times; the load's runs: $LOAD_OK ok, $LOAD_FAILED failed (while goCd was down)"
check "part 3 ($SOAK_KILLS kill -9 cycles, ${T3}s)" AFTER3
# What the goCds started again found a killed one had left half done.
log "part 3: goCd's recovery warnings: $(grep 'level=WARN' "$d/goCd.log" | grep -o 'msg="[^"]*"' | sort | uniq -c | sort -rn | sed 's/^ *//' | paste -sd';' - || true)"

log ""
log "what | before | after part 1 | after part 2 | after"
for k in $KEYS; do log "$k | ${BEFORE[$k]} | ${AFTER1[$k]} | ${AFTER2[$k]} | ${AFTER3[$k]}"; done
log "times: part 1 ${T1}s ($SOAK_N cycles), part 2 ${T2}s ($SOAK_RUNS runs), part 3 ${T3}s ($SOAK_KILLS kills)"
if [ "$FAILED" -ne 0 ]; then
	log "soak: FAILED (the FAIL lines above)"
	exit 1
fi
log "soak: ok"
