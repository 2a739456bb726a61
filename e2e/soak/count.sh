# shellcheck shell=bash
# e2e/soak/count.sh: the soak's accounting, sourced by e2e/soak/run.sh and
# the benchmarks e2e/bench/scale.sh and load.sh — what a run may leave
# behind, counted from the host's side (docs/e2e.md) — and the start of the
# run's goCd they share.
#
# The caller sets:
#   BIN             stage 5's goC, goCd and goC-cli
#   d               the run's mktemp -d: goCd's --data-root is $d/data, its
#                   --root $d/state
#   R1              goC's --root (the soak's part 1; an empty directory else)
#   GOCD, GOCD0     goCd's pid now, and when BEFORE was measured
#   SOAK_RSS_SLACK  how far goCd's RSS (kB) may end above BEFORE's
#   BEFORE          an associative array, the counts to come back to
#   S               goCd's socket
# and defines log MESSAGE, bad MESSAGE (a failure) and cli ARGS… (goC-cli on $S).
# shellcheck disable=SC2034,SC2154 # the counts are associative arrays filled through namerefs (local -n)

# start_goCd: the run's goCd on $S, in the background (its pid in GOCD),
# once it answers.
start_goCd() {
	"$BIN/goCd" --socket "$S" --data-root "$d/data" --root "$d/state" 2>>"$d/goCd.log" &
	GOCD=$!
	local i=0
	until cli version >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { bad "goCd does not answer"; tail "$d/goCd.log"; return 1; }
		sleep 0.1
	done
}

# The accounting ---------------------------------------------------------

# mine ID DIR…: does the goC cgroup ID (its directories DIR… in every
# hierarchy) belong to the soak? Yes when it is named soak-…, when no
# process is in it (a leftover), or when one of its processes has the
# soak's directory in its mounts (goCd's containers: their rootfs is in
# $d/data). Else it is another user's container, not counted.
mine() {
	local id=$1 procs p
	shift
	case $id in soak-*) return 0 ;; esac
	procs=$(for p in "$@"; do cat "$p/cgroup.procs"; done 2>/dev/null | sort -u)
	[ -z "$procs" ] && return 0
	for p in $procs; do
		grep -qsF "$d" "/proc/$p/mountinfo" && return 0
	done
	return 1
}

# soak_cgroups: the soak's goC cgroup directories (v1 and v2), deepest
# first.
soak_cgroups() {
	local all id dirs
	all=$(find /sys/fs/cgroup -mindepth 2 -type d -path '*/goC/*' 2>/dev/null | sort -r)
	[ -n "$all" ] || return 0
	for id in $(printf '%s\n' "$all" | sed 's|.*/goC/\([^/]*\).*|\1|' | sort -u); do
		dirs=$(printf '%s\n' "$all" | grep -F "/goC/$id")
		# shellcheck disable=SC2086 # one word a directory
		mine "$id" $dirs && printf '%s\n' "$dirs"
	done
}

# soak_procs: the soak's processes left: goC, goCd and goC-shim from BIN, and the
# processes in the soak's cgroups.
soak_procs() {
	local p e
	for p in /proc/[0-9]*; do
		e=$(readlink "$p/exe" 2>/dev/null) || continue
		case $e in "$BIN"/goC | "$BIN"/goCd | "$BIN"/goC-shim) echo "${p#/proc/}" ;; esac
	done
	for c in $(soak_cgroups); do cat "$c/cgroup.procs" 2>/dev/null; done
} 2>/dev/null

# datafiles: every file under goCd's --data-root but the image's layer.
datafiles() { find "$d/data" -path "$d/data/layers" -prune -o -print | sort; }

# fdlist: what goCd's open fds are.
fdlist() { find "/proc/$GOCD/fd" -mindepth 1 -printf '%l ' 2>/dev/null; }

count_dir() { find "$1" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# measure: one line NAME=VALUE per quantity, into the associative array
# named $1.
KEYS="mounts cgroups links veths bridges netns leases netstate goC-root goCd-root data-root goCd-rss goCd-fds goCd-inotify goC-procs ctr-procs"
measure() {
	local -n m=$1
	local cgs procs
	cgs=$(soak_cgroups)
	m[mounts]=$(wc -l </proc/self/mountinfo)
	m[cgroups]=$(printf '%s' "$cgs" | grep -c .)
	m[links]=$(ip -o link | wc -l)
	m[veths]=$(ip -o link show type veth | wc -l)
	m[bridges]=$(ip -o link show type bridge | wc -l)
	procs=$(for c in $cgs; do cat "$c/cgroup.procs" 2>/dev/null; done | sort -u)
	m[ctr-procs]=$(printf '%s' "$procs" | grep -c .)
	m[netns]=$(for p in $procs; do readlink "/proc/$p/ns/net"; done 2>/dev/null | sort -u | grep -c .)
	m[leases]=$(jq '.leases | length' /run/goC/network/goC0.json 2>/dev/null || echo 0)
	m[netstate]=$(count_dir /run/goC/network/containers)
	m[goC-root]=$(count_dir "$R1")
	m[goCd-root]=$(count_dir "$d/state")
	# every file under --data-root but the image's unpacked layer
	m[data-root]=$(datafiles | wc -l)
	m[goCd-rss]=$(awk '/^VmRSS/ {print $2}' "/proc/$GOCD/status" 2>/dev/null || echo 0)
	m[goCd-fds]=$(find "/proc/$GOCD/fd" -mindepth 1 2>/dev/null | wc -l)
	m[goCd-inotify]=$(find "/proc/$GOCD/fd" -mindepth 1 -lname 'anon_inode:inotify' 2>/dev/null | wc -l)
	m[goC-procs]=$(for p in /proc/[0-9]*; do readlink "$p/exe"; done 2>/dev/null | grep -cxF -e "$BIN/goC" -e "$BIN/goCd" -e "$BIN/goC-shim")
}

line() {
	local -n l=$1
	local out="" k
	for k in $KEYS; do out="$out $k=${l[$k]}"; done
	printf '%s\n' "${out# }"
}

# differs NAME: the keys of the array NAME that are not back to BEFORE.
differs() {
	local -n a=$1
	local k out=""
	for k in $KEYS; do
		if [ "$k" = goCd-rss ]; then
			[ "${a[$k]}" -le $((BEFORE[$k] + SOAK_RSS_SLACK)) ] || out="$out $k"
		elif [ "$k" = goCd-fds ] && [ "$GOCD" != "$GOCD0" ]; then
			# a goCd started again (part 3) is another process: its one
			# inotify instance depends on the kernel's per-user limit
			# (fs.inotify.max_user_instances) when it started, so the
			# rest of its fds are compared
			local now=${a[goCd-fds]} was=${BEFORE[goCd-fds]} ni=${a[goCd-inotify]} wi=${BEFORE[goCd-inotify]}
			[ $((now - ni)) -eq $((was - wi)) ] || out="$out $k"
		elif [ "$k" = goCd-inotify ] && [ "$GOCD" != "$GOCD0" ]; then
			:
		elif [ "${a[$k]}" != "${BEFORE[$k]}" ]; then
			out="$out $k"
		fi
	done
	printf '%s' "${out# }"
}

# settle NAME: measure into NAME until every count is back, up to 15 s
# (goCd removes --rm containers and reaps shims just after they exit).
settle() {
	local i
	for i in $(seq 30); do
		measure "$1"
		[ -z "$(differs "$1")" ] && return 0
		sleep 0.5
	done
	return 1
}

# check PART NAME: the part's counts against the start; what grew is named.
check() {
	local grew
	if settle "$2"; then
		log "$1: every count back where it started"
	else
		grew=$(differs "$2")
		bad "$1: not back where it started: $grew"
		local -n x=$2
		for k in $grew; do log "  $k: before ${BEFORE[$k]}, now ${x[$k]}"; done
		log "  the soak's goC cgroups now:"; soak_cgroups | sed 's/^/    /'
		log "  the soak's processes now:"; for p in $(soak_procs | sort -un); do log "    $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"; done
		log "  links now:"; ip -o link | cut -c1-80 | sed 's/^/    /'
		log "  goCd's fds now: $(fdlist)"
		log "  new under --data-root:"; datafiles | comm -13 "$d/data.before" - | sed 's/^/    /'
	fi
}

# steady NAME: measure into NAME until two measures 0.5 s apart agree (the
# warm-up's shims and --rm removal are done).
steady() {
	local a b i
	declare -A prev
	measure prev
	for i in $(seq 30); do
		sleep 0.5
		measure "$1"
		a=$(line prev | sed 's/goCd-rss=[0-9]*//') b=$(line "$1" | sed 's/goCd-rss=[0-9]*//')
		[ "$a" = "$b" ] && return 0
		measure prev
	done
}

