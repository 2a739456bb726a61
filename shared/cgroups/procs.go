package cgroups

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// readProcs lists the processes in the cgroup.procs of each of dirs, each
// once and in order (on v1 a process is in every hierarchy). A process
// outside the reader's PID namespace is listed as 0: it is left out, as
// kill(0) would signal the caller's own process group.
func readProcs(dirs ...string) ([]int, error) {
	seen := map[int]bool{}
	pids := []int{}
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "cgroup.procs"))
		if err != nil {
			return nil, err
		}
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 0 && !seen[pid] {
				seen[pid] = true
				pids = append(pids, pid)
			}
		}
	}
	slices.Sort(pids)
	return pids, nil
}

// Signal sends sig to every process in m's cgroup (kill --all); a process
// that has gone meanwhile is no error.
func Signal(m Manager, sig syscall.Signal) error {
	pids, err := m.Pids()
	for _, pid := range pids {
		_ = syscall.Kill(pid, sig)
	}
	return err
}
