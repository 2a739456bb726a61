package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// Self returns the cgroup the calling process is in, as a path from the
// hierarchy's root ("/user.slice/…"): the base of a relative
// linux.cgroupsPath, as runc has it. On v1 that is the caller's cgroup in
// the hierarchies goC uses, which must be the same in each: goC keeps one
// path per container.
func Self() (string, error) {
	h, err := Detect()
	if err != nil {
		return "", err
	}
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	defer f.Close()
	return parseSelf(f, h)
}

// parseSelf reads /proc/self/cgroup: "id:controllers:path" lines, v2's
// with id 0 and no controllers.
func parseSelf(r io.Reader, h Hierarchies) (string, error) {
	paths := map[string]string{} // controller → path
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if h.V2 != "" && parts[0] == "0" && parts[1] == "" {
			return parts[2], nil
		}
		for _, c := range strings.Split(parts[1], ",") {
			if _, ok := h.V1[c]; ok && slices.Contains(v1Controllers, c) {
				paths[c] = parts[2]
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if h.V2 != "" {
		return "", errors.New("no cgroup v2 line in /proc/self/cgroup")
	}
	var first string
	var all []string
	differ := false
	for _, c := range slices.Sorted(maps.Keys(paths)) {
		if first == "" {
			first = paths[c]
		}
		differ = differ || paths[c] != first
		all = append(all, c+" "+paths[c])
	}
	if differ {
		return "", fmt.Errorf("the caller is in different cgroups in the v1 hierarchies (%s), and goC keeps one path per container", strings.Join(all, ", "))
	}
	if first == "" {
		return "", errors.New("none of goC's v1 hierarchies in /proc/self/cgroup")
	}
	return first, nil
}
