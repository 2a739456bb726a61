package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// What the suite leaves behind, and how the harness undoes it after each
// file: the files run as root, one at a time, and share the host's cgroups.
//
//   - containers: the suite does not always delete what it creates (a file
//     that fails half-way); each runtime has its own --root, and every
//     container listed there is killed and force-deleted;
//   - processes: the file's process group (unshare … sleep 10000 of the
//     linux_ns_* files), processes working under its bundles, and those in
//     the suite's cgroups;
//   - mounts: anything mounted under its TMPDIR (linux_ns_itype);
//   - cgroups: cgrouptest and testdir, made for the cgroup files' cgroupsPath
//     ("/cgrouptest", "testdir/cgrouptest/container") in every hierarchy, at
//     its root or under the harness's own cgroup, and left behind (runc
//     leaves testdir; delete_only_create_resources makes its own);
//   - the TMPDIR itself, once nothing is mounted under it.

// suiteCgroups are the cgroups the suite's files create (runtime-tools'
// cgroups.AbsCgroupPath and RelCgroupPath).
var suiteCgroups = []string{"cgrouptest", "testdir"}

func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { killGroup(cmd); return nil }
}

func killGroup(cmd *exec.Cmd) {
	// A released Process has Pid -1: kill(1) must never be sent.
	if cmd.Process != nil && cmd.Process.Pid > 1 {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// Cleanup undoes what a file left: its runtime's containers, stray
// processes, mounts and cgroups, and its TMPDIR.
func Cleanup(rt Runtime, tmp string) (Leftovers, error) {
	var l Leftovers
	l.Containers = removeContainers(rt)
	l.Processes = killUnder(tmp)
	cg, err := removeSuiteCgroups()
	l.Cgroups = cg
	if err != nil {
		return l, err
	}
	m, err := unmountUnder(tmp)
	l.Mounts = m
	if err != nil {
		return l, err
	}
	return l, os.RemoveAll(tmp)
}

// removeContainers kills and deletes every container in the runtime's
// state directory, then empties it.
func removeContainers(rt Runtime) int {
	out, _ := exec.Command(rt.Wrapper, "list", "-q").Output()
	ids := strings.Fields(string(out))
	for _, id := range ids {
		_ = exec.Command(rt.Wrapper, "kill", id, "KILL").Run()
		_ = exec.Command(rt.Wrapper, "delete", "--force", id).Run()
	}
	_ = os.RemoveAll(rt.State)
	return len(ids)
}

// killUnder kills the processes whose working directory is under dir
// (a hook or a container process the runtime left behind in a bundle).
func killUnder(dir string) int {
	n := 0
	for _, pid := range pids() {
		cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
		if err == nil && within(cwd, dir) && pid != os.Getpid() {
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				n++
			}
		}
	}
	return n
}

func pids() []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

func mounts() ([]mountEntry, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseMountinfo(f)
}

// unmountUnder detaches every mount under dir, the deepest first.
func unmountUnder(dir string) (int, error) {
	all, err := mounts()
	if err != nil {
		return 0, err
	}
	var under []string
	for _, m := range all {
		if within(m.Point, dir) {
			under = append(under, m.Point)
		}
	}
	sort.Slice(under, func(i, j int) bool { return len(under[i]) > len(under[j]) })
	for _, p := range under {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) {
			return len(under), fmt.Errorf("unmount %s: %w", p, err)
		}
	}
	return len(under), nil
}

// removeSuiteCgroups removes cgrouptest and testdir from the root of every
// cgroup hierarchy and from the harness's own cgroup there, killing what
// is left in them first.
func removeSuiteCgroups() (int, error) {
	all, err := mounts()
	if err != nil {
		return 0, err
	}
	own := ownCgroups()
	n := 0
	for _, m := range all {
		if m.FSType != "cgroup" && m.FSType != "cgroup2" {
			continue
		}
		for _, base := range own {
			for _, name := range suiteCgroups {
				removed, err := removeCgroupTree(filepath.Join(m.Point, base, name))
				n += removed
				if err != nil {
					return n, err
				}
			}
		}
	}
	return n, nil
}

// ownCgroups are "/" and the harness's own cgroup paths (per hierarchy;
// tried in every hierarchy, which is harmless: only the suite's names are
// removed).
func ownCgroups() []string {
	paths := map[string]bool{"/": true}
	b, _ := os.ReadFile("/proc/self/cgroup")
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.SplitN(line, ":", 3); len(f) == 3 {
			paths[f[2]] = true
		}
	}
	return sortedKeys(paths)
}

// removeCgroupTree removes a cgroup and its children, the deepest first,
// killing their processes; rmdir is retried while the dying processes
// still hold it.
func removeCgroupTree(root string) (int, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := removeCgroup(dirs[i]); err != nil {
			return len(dirs) - 1 - i, err
		}
	}
	return len(dirs), nil
}

func removeCgroup(dir string) error {
	var err error
	for try := 0; try < 100; try++ {
		for _, pid := range cgroupProcs(dir) {
			if pid <= 0 { // another PID namespace's: kill(0) would be our own group
				continue
			}
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		if err = syscall.Rmdir(dir); err == nil || errors.Is(err, syscall.ENOENT) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("remove cgroup %s: %w", dir, err)
}

func cgroupProcs(dir string) []int {
	f, err := os.Open(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if pid, err := strconv.Atoi(sc.Text()); err == nil {
			out = append(out, pid)
		}
	}
	return out
}
