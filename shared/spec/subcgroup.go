package spec

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"strings"

	"goc.dev/shared/cgroups"
)

// ExecCgroupJoins opens the files an exec'd process writes to join its
// cgroup (see cgroups.Join): the container's, cg, or with runc exec's
// --cgroup args sub-cgroups of it (SubCgroups), which must exist.
func ExecCgroupJoins(cg cgroups.Manager, args []string) ([]*os.File, error) {
	if len(args) == 0 {
		return cg.JoinFiles()
	}
	dirs, err := SubCgroups(cg.Dirs(), args)
	if err != nil {
		return nil, err
	}
	if u := cgroups.HybridUnified(cg); u != "" {
		dirs["unified"] = u // a hybrid host's cgroup2: the container's own (as runc)
	}
	var files []*os.File
	for h, d := range dirs {
		file := "tasks" // v1: the thread that execs (as JoinFiles)
		if h == "" || h == "unified" {
			file = "cgroup.procs"
		}
		f, err := os.OpenFile(filepath.Join(d, file), os.O_WRONLY, 0)
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, fmt.Errorf("--cgroup: %w", err)
		}
		files = append(files, f)
	}
	return files, nil
}

// SubCgroups returns dirs, a container's cgroup directories by hierarchy
// (cgroups.Manager's Dirs: v1 "memory", "cpu,cpuacct"…; v2 ""), with the
// sub-cgroups runc exec's --cgroup args name: "PATH" (the only arg) below
// the container's cgroup in every hierarchy, "CONTROLLER[,…]:PATH" in the
// named controllers' hierarchies. Errors are worded as runc's.
func SubCgroups(dirs map[string]string, args []string) (map[string]string, error) {
	out := maps.Clone(dirs)
	sub := func(h, p string) error {
		d := path.Join(dirs[h], p)
		if !strings.HasPrefix(d, dirs[h]+"/") {
			return fmt.Errorf("%s is not a sub cgroup path", p)
		}
		out[h] = d
		return nil
	}
	for _, a := range args {
		ctrls, p, prefixed := strings.Cut(a, ":")
		switch {
		case strings.Contains(p, ":"):
			return nil, fmt.Errorf("invalid --cgroup argument: %s", a)
		case !prefixed && len(args) != 1:
			return nil, fmt.Errorf("invalid --cgroup argument: %s (missing <controller>: prefix)", a)
		case !prefixed:
			for h := range dirs {
				if err := sub(h, a); err != nil {
					return nil, err
				}
			}
			continue
		}
		for _, c := range strings.Split(ctrls, ",") {
			h, ok := hierarchyOf(dirs, c)
			if !ok {
				return nil, fmt.Errorf("unknown controller %s in --cgroup %s", c, a)
			}
			if err := sub(h, p); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// hierarchyOf finds the v1 hierarchy that has controller c.
func hierarchyOf(dirs map[string]string, c string) (string, bool) {
	for h := range dirs {
		if h != "" && c != "" && (h == c || strings.Contains(","+h+",", ","+c+",")) {
			return h, true
		}
	}
	return "", false
}
