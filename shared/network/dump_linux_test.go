package network

import (
	"errors"
	"testing"

	"github.com/vishvananda/netlink"
)

// A netlink dump the kernel marks interrupted (NLM_F_DUMP_INTR: links came
// or went meanwhile, as when containers start and end beside goC) is taken
// again; its partial results are never used. Seen in make test: goC3, goC4
// and goC5 ran stage3/leases-damaged at once, and one goC's end failed
// with "links: results may be incomplete or inconsistent".
func TestDumpRetriesAnInterruptedDump(t *testing.T) {
	other := errors.New("other")
	for _, tc := range []struct {
		name        string
		interrupted int   // dumps interrupted before one is whole
		last        error // the whole one's error
		want        error
		calls       int
	}{
		{"whole at once", 0, nil, nil, 1},
		{"interrupted twice", 2, nil, nil, 3},
		{"another error is returned at once", 0, other, other, 1},
		{"interrupted every time", 100, nil, netlink.ErrDumpInterrupted, dumpTries},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			got, err := dump(func() ([]int, error) {
				calls++
				if calls <= tc.interrupted {
					return []int{-1}, netlink.ErrDumpInterrupted
				}
				return []int{calls}, tc.last
			})
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) || calls != tc.calls {
				t.Fatalf("dump: %v, %v after %d calls; want %v after %d", got, err, calls, tc.want, tc.calls)
			}
			if err == nil && (len(got) != 1 || got[0] != calls) {
				t.Errorf("dump returned %v, not the whole dump's result", got)
			}
		})
	}
}
