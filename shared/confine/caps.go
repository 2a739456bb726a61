package confine

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"goc.dev/shared/spec"
)

// DefaultCaps are Docker's default capabilities (CapEff 00000000a80425fb).
var DefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
	"CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
	"CAP_AUDIT_WRITE",
}

// Capabilities is Docker's rule for --cap-add and --cap-drop (each a list of
// names, CAP_ optional, any case, or ALL): --privileged or ALL added gives
// every capability goC holds (less those dropped); ALL dropped gives
// only those added; else the default, less the dropped, plus the added.
// Names come back as CAP_NAME; an unknown one is an error.
func Capabilities(add, drop []string, privileged bool) ([]string, error) {
	all := allCaps()
	norm := func(flag string, in []string) ([]string, error) {
		var out []string
		for _, n := range in {
			up := strings.ToUpper(n)
			if up != "ALL" && !strings.HasPrefix(up, "CAP_") {
				up = "CAP_" + up
			}
			if _, err := spec.CapNumbers([]string{up}); err != nil && up != "ALL" {
				return nil, fmt.Errorf("--%s: unknown capability %q", flag, n)
			}
			out = append(out, up)
		}
		return out, nil
	}
	adds, err := norm("cap-add", add)
	if err != nil {
		return nil, err
	}
	drops, err := norm("cap-drop", drop)
	if err != nil {
		return nil, err
	}
	caps := slices.Clone(DefaultCaps)
	switch {
	case privileged:
		return all, nil
	case slices.Contains(adds, "ALL"):
		caps = all
	case slices.Contains(drops, "ALL"):
		caps = nil
		drops = nil
	}
	caps = slices.DeleteFunc(caps, func(c string) bool { return slices.Contains(drops, c) })
	for _, c := range adds {
		if c != "ALL" && !slices.Contains(caps, c) {
			caps = append(caps, c)
		}
	}
	return caps, nil
}

// allCaps are the capabilities goC's own bounding set holds (those of this
// kernel, unless goC was started without some), by name, in number order:
// all a container can be given.
func allCaps() []string {
	var out []string
	for n := 0; n <= spec.LastCap; n++ {
		if r, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(n), 0, 0, 0); err == nil && r == 1 {
			out = append(out, spec.CapName(n))
		}
	}
	return out
}
