package cgroups

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// Hierarchies says where the cgroup filesystems are mounted, and so which
// mode the host runs in.
type Hierarchies struct {
	// V2 is the cgroup2 mount point, set only on a pure v2 host.
	V2 string
	// V1 maps each v1 controller to its hierarchy's mount point; set when
	// any v1 controller is mounted (hybrid hosts, whose cgroup2 has no
	// controllers, count as v1).
	V1 map[string]string
	// Unified is the cgroup2 mount point of a hybrid host (v1 controllers
	// and an empty cgroup2, often /sys/fs/cgroup/unified): containers join
	// it too, at the same path, as runc puts them there.
	Unified string
}

// ErrNoCgroups means no cgroup filesystem is mounted.
var ErrNoCgroups = errors.New("no cgroup filesystem is mounted")

// ParseMountinfo reads /proc/self/mountinfo and finds the hierarchies.
func ParseMountinfo(r io.Reader) (Hierarchies, error) {
	var h Hierarchies
	var v2 []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// id parent maj:min root mountpoint options [optional…] - fstype source superoptions
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		a, b := strings.Fields(pre), strings.Fields(post)
		if len(a) < 5 || len(b) < 3 {
			continue
		}
		mnt := unescape(a[4])
		switch b[0] {
		case "cgroup2":
			v2 = append(v2, mnt)
		case "cgroup":
			for _, opt := range strings.Split(b[2], ",") {
				if !knownV1[opt] {
					continue
				}
				if h.V1 == nil {
					h.V1 = map[string]string{}
				}
				if _, dup := h.V1[opt]; !dup {
					h.V1[opt] = mnt
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return Hierarchies{}, err
	}
	switch {
	case h.V1 != nil:
		if len(v2) > 0 {
			h.Unified = v2[0]
		}
		return h, nil
	case len(v2) == 0:
		return Hierarchies{}, ErrNoCgroups
	}
	h.V2 = v2[0]
	for _, m := range v2 {
		if m == "/sys/fs/cgroup" {
			h.V2 = m
		}
	}
	return h, nil
}

var knownV1 = map[string]bool{
	"cpu": true, "cpuacct": true, "cpuset": true, "memory": true, "devices": true, "freezer": true,
	"net_cls": true, "net_prio": true, "blkio": true, "perf_event": true, "hugetlb": true, "pids": true,
	"rdma": true, "misc": true,
}

// unescape undoes mountinfo's octal escapes (\040 for a space, …).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
