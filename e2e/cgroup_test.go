package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"goc.dev/shared/cgroups"
)

// Interface files cgwatch shows, where they exist.
var cgFiles = []string{
	"memory.max", "memory.swap.max", "cpu.max", "memory.events",
	"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "cpu.cfs_quota_us", "cpu.cfs_period_us", "memory.oom_control",
	"pids.max", "pids.current", "pids.events", "cpu.stat",
}

// hierarchyRoots lists the host's cgroup mount points that goC uses.
func hierarchyRoots() []string {
	h, err := cgroups.Detect()
	if err != nil {
		fatalf("cgroups: %v", err)
	}
	if h.V2 != "" {
		return []string{h.V2}
	}
	seen := map[string]bool{}
	var roots []string
	for _, c := range []string{"memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "hugetlb", "net_cls", "net_prio", "freezer", "devices"} {
		if m, ok := h.V1[c]; ok && !seen[m] {
			seen[m] = true
			roots = append(roots, m)
		}
	}
	if h.Unified != "" { // a hybrid host's cgroup2, which goC joins too
		roots = append(roots, h.Unified)
	}
	return roots
}

// containerDirs lists the container cgroups below parent, in every
// hierarchy.
func containerDirs(parent string) []string {
	var dirs []string
	for _, r := range hierarchyRoots() {
		entries, _ := os.ReadDir(filepath.Join(r, parent))
		for _, e := range entries {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join(r, parent, e.Name()))
			}
		}
	}
	sort.Strings(dirs)
	return dirs
}

// cgwatch PARENT CMD… runs CMD (a goC run with --cgroup-parent PARENT),
// and when it prints a line "ready" shows the interface files of the one
// container cgroup below PARENT as "cg FILE: CONTENT" lines, then kills
// every process in that cgroup. It exits with CMD's status.
func cgwatch() {
	if len(os.Args) < 3 {
		fatalf("usage: cgwatch parent cmd [args…]")
	}
	parent := os.Args[1]
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fatalf("cgwatch: %v", err)
	}
	if err := cmd.Start(); err != nil {
		fatalf("cgwatch: %v", err)
	}
	timer := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	sc := bufio.NewScanner(out)
	seen := false
	for sc.Scan() {
		fmt.Println(sc.Text())
		if sc.Text() != "ready" || seen {
			continue
		}
		seen = true
		dirs := containerDirs(parent)
		if len(dirs) == 0 {
			fmt.Println("cg: no container cgroup below", parent)
		}
		var pids []string
		for _, d := range dirs {
			for _, f := range cgFiles {
				if b, err := os.ReadFile(filepath.Join(d, f)); err == nil {
					fmt.Printf("cg %s: %s\n", f, strings.Join(strings.Fields(string(b)), " "))
				}
			}
			b, _ := os.ReadFile(filepath.Join(d, "cgroup.procs"))
			pids = append(pids, strings.Fields(string(b))...)
		}
		for _, p := range pids {
			var pid int
			if _, err := fmt.Sscan(p, &pid); err == nil && pid > 0 { // 0: outside our PID namespace; kill(0) is our group
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	err = cmd.Wait()
	if !seen {
		fatalf("cgwatch: the command never printed ready")
	}
	os.Exit(exitCode(err))
}

// cgparent ls|exists|rm PARENT looks at a cgroup parent in every hierarchy:
// ls prints the container cgroups below it, exists succeeds if it exists
// anywhere, rm removes it (and fails if anything is left below it).
func cgparent() {
	if len(os.Args) != 3 {
		fatalf("usage: cgparent ls|exists|rm parent")
	}
	parent := os.Args[2]
	switch os.Args[1] {
	case "ls":
		for _, d := range containerDirs(parent) {
			fmt.Println(d)
		}
	case "exists":
		for _, r := range hierarchyRoots() {
			if _, err := os.Stat(filepath.Join(r, parent)); err == nil {
				fmt.Println(filepath.Join(r, parent))
				return
			}
		}
		os.Exit(1)
	case "rm":
		for _, r := range hierarchyRoots() {
			if err := os.Remove(filepath.Join(r, parent)); err != nil && !os.IsNotExist(err) {
				fatalf("cgparent: %v", err)
			}
		}
	default:
		fatalf("usage: cgparent ls|exists|rm parent")
	}
}
