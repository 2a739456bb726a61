package spec

import (
	"strings"
	"testing"
)

// The device cgroup rules every container gets are runc 1.1.5's: its
// devices.list (cgroup v1) for a config.json that denies everything, in
// the same order.
func TestDefaultDevicesAsRunc(t *testing.T) {
	const runc = `b *:* m
c *:* m
c 1:3 rwm
c 1:5 rwm
c 1:7 rwm
c 1:8 rwm
c 1:9 rwm
c 5:0 rwm
c 5:2 rwm
c 10:200 rwm
c 136:* rwm`
	var got []string
	for _, r := range DefaultDevices {
		if !r.Allow {
			t.Errorf("%s: a deny rule", r)
		}
		got = append(got, r.String())
	}
	if g := strings.Join(got, "\n"); g != runc {
		t.Errorf("default device rules:\n%s\nwant (runc's):\n%s", g, runc)
	}
}
