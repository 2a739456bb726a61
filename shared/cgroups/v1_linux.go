package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// v1 is a container cgroup spread over one hierarchy per controller.
type v1 struct {
	dirs   map[string]string // controller → the container's directory in its hierarchy
	mounts map[string]string // controller → its hierarchy's mount point
	// unified is the container's directory in a hybrid host's cgroup2
	// hierarchy (no controllers there: it only tracks processes); "" if
	// the host has none.
	unified string
	lock    *os.File
}

// v1Controllers are the hierarchies goC puts a container in, each that is
// mounted, as runc does (so that goC update finds the container in each):
// those it limits, the freezer to stop everything before killing it, the
// device cgroup. The first mounted one carries the liveness locks.
var v1Controllers = []string{"memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "hugetlb", "net_cls", "net_prio", "freezer", "devices"}

// v1LockRoot is the hierarchy whose directories carry the liveness locks.
func v1LockRoot(mounts map[string]string) string {
	for _, c := range v1Controllers {
		if m, ok := mounts[c]; ok {
			return m
		}
	}
	var any []string
	for _, m := range mounts {
		any = append(any, m)
	}
	sort.Strings(any)
	if len(any) == 0 {
		return ""
	}
	return any[0]
}

func openV1(h Hierarchies, parent, cid string, lock *os.File) *v1 {
	m := &v1{dirs: map[string]string{}, mounts: h.V1, lock: lock}
	for _, c := range v1Controllers {
		if mnt, ok := h.V1[c]; ok {
			m.dirs[c] = filepath.Join(mnt, parent, cid)
		}
	}
	if h.Unified != "" {
		m.unified = filepath.Join(h.Unified, parent, cid)
	}
	return m
}

func createV1(h Hierarchies, parent, cid string, cloneDir func(string)) (_ Manager, retErr error) {
	m := openV1(h, parent, cid, nil)
	if len(m.dirs) == 0 {
		return nil, errors.New("none of the cgroup v1 controllers goC uses is mounted")
	}
	lockDir := filepath.Join(v1LockRoot(h.V1), parent, cid)
	for _, d := range m.allDirs() {
		if err := os.MkdirAll(filepath.Dir(d), 0o755); err != nil {
			return nil, fmt.Errorf("create cgroup %s: %w", filepath.Dir(d), err)
		}
	}
	unlock, err := lockPath(filepath.Dir(lockDir), true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var made []string
	defer func() {
		if retErr != nil {
			for _, d := range made {
				_ = removeWhenEmpty(d, func() error { return killProcs(d) })
			}
		}
	}()
	// The cgroup2 directory first: a caller clones the init into it
	// (cloneDir) while the others are made.
	dirs := m.uniqueDirs()
	if m.unified != "" {
		dirs = append([]string{m.unified}, dirs...)
	}
	for i, d := range dirs {
		if err := makeCgroup(d); errors.Is(err, os.ErrExist) {
			// reused: left as it was found
		} else if err != nil {
			return nil, err
		} else {
			made = append(made, d)
		}
		if i == 0 && d == m.unified {
			cloneDir(d)
		}
	}
	if d, ok := m.dirs["cpuset"]; ok {
		if err := fillCpuset(m.mounts["cpuset"], d); err != nil {
			return nil, fmt.Errorf("create cgroup %s: %w", d, err)
		}
	}
	if m.lock, err = holdLock(lockDir); err != nil {
		return nil, err
	}
	return m, nil
}

// allDirs are uniqueDirs and, on a hybrid host, the cgroup2 directory.
func (m *v1) allDirs() []string {
	if m.unified == "" {
		return m.uniqueDirs()
	}
	return append(m.uniqueDirs(), m.unified)
}

// uniqueDirs lists each directory once (cpu and cpuacct may share one).
func (m *v1) uniqueDirs() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range v1Controllers {
		if d, ok := m.dirs[c]; ok && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

func (m *v1) Dirs() map[string]string {
	out := map[string]string{}
	for _, d := range m.uniqueDirs() {
		// d is <mount point>/<parent…>/<id>; name it by its mount point.
		mnt := d
		for _, c := range v1Controllers {
			if m.dirs[c] == d {
				mnt = m.mounts[c]
			}
		}
		out[filepath.Base(mnt)] = d
	}
	return out
}

func (m *v1) populated() bool {
	for _, d := range m.allDirs() {
		if hasProcs(d) {
			return true
		}
	}
	return false
}

func (m *v1) Path() string {
	for _, c := range v1Controllers {
		if d, ok := m.dirs[c]; ok {
			return d
		}
	}
	return ""
}

// dir is the container's directory in controller's hierarchy; field names
// what needs it, for the error.
func (m *v1) dir(controller, field string) (string, error) {
	d, ok := m.dirs[controller]
	if !ok {
		return "", unavailable(field, controller)
	}
	return d, nil
}

func (m *v1) Add(pid int) error {
	for _, d := range m.allDirs() {
		if err := write(d, "cgroup.procs", strconv.Itoa(pid)); err != nil {
			return err
		}
	}
	return nil
}

func (m *v1) JoinFiles() ([]*os.File, error) {
	files, err := m.taskFiles()
	if err != nil || m.unified == "" {
		return files, err
	}
	f, err := openJoin(m.unified, "cgroup.procs") // cgroup2 has no tasks file
	if err != nil {
		for _, f := range files {
			f.Close()
		}
		return nil, err
	}
	return append(files, f), nil
}

// taskFiles are JoinFiles' v1 files: each hierarchy's tasks file.
func (m *v1) taskFiles() ([]*os.File, error) {
	var files []*os.File
	for _, d := range m.uniqueDirs() {
		f, err := openJoin(d, "tasks")
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

func (m *v1) Pids() ([]int, error) { return readProcs(m.uniqueDirs()...) }

func (m *v1) Stats() (Stats, error) {
	s := Stats{MemoryPeak: -1}
	var err error
	if d, ok := m.dirs["memory"]; ok {
		if s.MemoryPeak, err = readInt(d, "memory.max_usage_in_bytes"); err != nil {
			return s, err
		}
		if s.OOMKills, err = readKey(d, "memory.oom_control", "oom_kill"); err != nil {
			return s, err
		}
	}
	if d, ok := m.dirs["cpu"]; ok && exists(d, "cpu.stat") {
		if s.NrThrottled, err = readKey(d, "cpu.stat", "nr_throttled"); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (m *v1) Freeze(frozen bool) error {
	fz, err := m.dir("freezer", "pause")
	if err != nil {
		return err
	}
	v := "THAWED"
	if frozen {
		v = "FROZEN"
	}
	if err := write(fz, "freezer.state", v); err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	return waitFor(func() (bool, error) {
		b, err := os.ReadFile(filepath.Join(fz, "freezer.state"))
		return strings.TrimSpace(string(b)) == v, err
	})
}

func (m *v1) Frozen() (bool, error) {
	fz, err := m.dir("freezer", "pause")
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile(filepath.Join(fz, "freezer.state"))
	s := strings.TrimSpace(string(b))
	return s == "FROZEN" || s == "FREEZING", err
}

// Destroy freezes what is left so nothing can fork while it is killed,
// kills it, thaws it so the kills land, and removes every directory.
func (m *v1) Destroy() error {
	if m.lock != nil {
		defer m.lock.Close()
	}
	kill := func() error { return m.killAll() }
	for _, d := range m.allDirs() {
		if err := removeWhenEmpty(d, kill); err != nil {
			return fmt.Errorf("remove cgroup %s: %w", d, err)
		}
	}
	return nil
}

func (m *v1) killAll() error {
	if m.unified != "" { // where an init is cloned before it joins the rest
		if err := killProcs(m.unified); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	fz, ok := m.dirs["freezer"]
	if !ok || !exists(fz, "freezer.state") {
		for _, d := range m.uniqueDirs() {
			if err := killProcs(d); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		return nil
	}
	if err := write(fz, "freezer.state", "FROZEN"); err != nil {
		return err
	}
	for i := 0; i < 1000; i++ {
		b, err := os.ReadFile(filepath.Join(fz, "freezer.state"))
		if err != nil || strings.TrimSpace(string(b)) == "FROZEN" {
			break
		}
		time.Sleep(time.Millisecond)
	}
	for _, d := range m.uniqueDirs() {
		if err := killProcs(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return write(fz, "freezer.state", "THAWED")
}

// HybridUnified is the container's directory in a hybrid host's cgroup2
// hierarchy ("" on a pure v1 or v2 host): an exec'd process joins it too.
func HybridUnified(m Manager) string {
	if v, ok := m.(*v1); ok {
		return v.unified
	}
	return ""
}
