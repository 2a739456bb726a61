#!/usr/bin/env bash
# e2e/bench/load.sh LOAD: goCd under load (issue 16, make bench-load;
# docs/e2e.md). Not part of make test. LOAD is e2e/bench/load built (make
# builds it into build/bench/load).
#
# A private goCd in a mount and network namespace of its own (lib.sh), the
# busybox rootfs as its image; then LOAD: BENCH_LOAD_N (1000) API requests of
# mixed kinds (ps, inspect, logs, images, version, info, run -d + rm -f,
# stop + start) from BENCH_LOAD_C (32) concurrent clients while containers
# start and stop beside them; p50/p99 per kind and overall; goCd's RSS, fds
# and threads before, right after and after 10 s idle (LOAD fails if they
# grew while idle, or the fds are not back). Then, the load's containers
# removed, the soak's counts (e2e/soak/count.sh) must be back where they
# started: nothing left behind.
# Usage (as root, after make stage5 rootfs): e2e/bench/load.sh LOAD
# shellcheck disable=SC2034 # variables count.sh reads
set -u
R=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${GOC_BIN:-$R/bin}/stage5
ROOTFS=${GOC_ROOTFS:-$R/build/rootfs}
LOAD=$(realpath "${1:?usage: load.sh LOAD (e2e/bench/load built)}")
# shellcheck source=e2e/bench/lib.sh
. "$R/e2e/bench/lib.sh"
inns "$0" "$@"

setup load
trap stop_goCd EXIT
log "load: ${BENCH_LOAD_N:-1000} requests, ${BENCH_LOAD_C:-32} clients, in $d (own mount and network namespace), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
start_goCd || exit 1
import_image loadimg || { bad "goC-cli import"; exit 1; }
# warm-up: the bridge is made once and stays (as docker0 does).
{ cli run -d --name warm loadimg true >/dev/null && cli rm -f warm >/dev/null; } || bad "warm-up"
declare -A BEFORE AFTER
steady BEFORE
GOCD0=$GOCD
datafiles >"$d/data.before"
log "before: $(line BEFORE)"

"$LOAD" -socket "$S" -image loadimg -pid "$GOCD" -n "${BENCH_LOAD_N:-1000}" -c "${BENCH_LOAD_C:-32}" || bad "the load (above)"
check "after the load" AFTER
log "after: $(line AFTER)"
if [ "$FAILED" -ne 0 ]; then
	log "load: FAILED (the FAIL lines above)"
	exit 1
fi
log "bench-load: ok"
