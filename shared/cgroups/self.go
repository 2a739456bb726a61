package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Self returns the cgroup the calling process is in, as a path from the
// hierarchy's root ("/user.slice/…"): the base of a relative
// linux.cgroupsPath, as runc has it. On v1 the caller must be in the same
// cgroup in every hierarchy goC uses; where it is not, Own has each.
func Self() (string, error) {
	own, err := Own()
	if err != nil {
		return "", err
	}
	return Same(own)
}

// Own returns the cgroups the calling process is in, as paths from each
// hierarchy's root: v2's under the key "", on v1 one per controller goC
// uses (and a hybrid host's cgroup2 under "").
func Own() (map[string]string, error) {
	h, err := Detect()
	if err != nil {
		return nil, err
	}
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseOwn(f, h)
}

// parseSelf is Self's reading of /proc/self/cgroup.
func parseSelf(r io.Reader, h Hierarchies) (string, error) {
	own, err := parseOwn(r, h)
	if err != nil {
		return "", err
	}
	return Same(own)
}

// parseOwn reads /proc/self/cgroup: "id:controllers:path" lines, v2's
// with id 0 and no controllers.
func parseOwn(r io.Reader, h Hierarchies) (map[string]string, error) {
	paths := map[string]string{} // controller → path
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if h.V2 != "" && parts[0] == "0" && parts[1] == "" {
			return map[string]string{"": parts[2]}, nil
		}
		if h.Unified != "" && parts[0] == "0" && parts[1] == "" {
			paths[""] = parts[2] // a hybrid host's cgroup2
		}
		for _, c := range strings.Split(parts[1], ",") {
			if _, ok := h.V1[c]; ok && slices.Contains(v1Controllers, c) {
				paths[c] = parts[2]
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if h.V2 != "" {
		return nil, errors.New("no cgroup v2 line in /proc/self/cgroup")
	}
	if len(paths) == 0 {
		return nil, errors.New("none of goC's v1 hierarchies in /proc/self/cgroup")
	}
	return paths, nil
}

// Same is the one path of own, or an error naming each where they differ.
func Same(own map[string]string) (string, error) {
	var first string
	var all []string
	differ := false
	for _, c := range slices.Sorted(maps.Keys(own)) {
		if first == "" {
			first = own[c]
		}
		differ = differ || own[c] != first
		all = append(all, c+" "+own[c])
	}
	if differ {
		return "", fmt.Errorf("the caller is in different cgroups in the v1 hierarchies (%s)", strings.Join(all, ", "))
	}
	return first, nil
}

// Rebase moves each v1 hierarchy's root down to bases[controller] (a
// hybrid host's cgroup2 down to bases[""]): a relative linux.cgroupsPath,
// on a v1 host where the caller sits in different cgroups in different
// hierarchies, is below each of them, as runc has it. Without bases, or on
// v2, h is returned as it is.
func (h Hierarchies) Rebase(bases map[string]string) Hierarchies {
	if len(bases) == 0 || h.V2 != "" {
		return h
	}
	v1 := make(map[string]string, len(h.V1))
	for c, m := range h.V1 {
		v1[c] = filepath.Join(m, bases[c])
	}
	out := Hierarchies{V1: v1}
	if h.Unified != "" {
		out.Unified = filepath.Join(h.Unified, bases[""])
	}
	return out
}
