package network

import (
	"errors"

	"github.com/vishvananda/netlink"
)

// dumpTries is how often dump takes a dump the kernel keeps interrupting.
const dumpTries = 10

// dump runs a netlink dump (a list of links or addresses) again while the
// kernel reports it interrupted by a concurrent change (NLM_F_DUMP_INTR:
// its results may be incomplete), as links come and go whenever
// containers start and end beside goC.
func dump[T any](list func() (T, error)) (T, error) {
	var v T
	var err error
	for range dumpTries {
		if v, err = list(); !errors.Is(err, netlink.ErrDumpInterrupted) {
			break
		}
	}
	return v, err
}
