package process

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// StartTime returns when pid started, in clock ticks since boot (field 22
// of /proc/<pid>/stat). With the PID it names one process for good: a PID
// reused later comes with another start time.
func StartTime(pid int) (uint64, error) {
	st, _, err := stat(pid)
	return st, err
}

// stat reads a process's start time and state letter (R, S, Z, …).
func stat(pid int) (uint64, byte, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name (field 2) may hold spaces and parentheses: the
	// fields after it start after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	st, err := strconv.ParseUint(f[19], 10, 64)
	return st, f[0][0], err
}

// Alive reports whether the process pid that started at start still runs
// (a zombie does not: it has exited and waits only to be reaped). A
// process runs while any of its threads does: its first thread is a
// zombie for a moment when another thread execs (stage 5's shim does, to
// become goC-shim), or for good after it has ended alone.
func Alive(pid int, start uint64) bool {
	st, state, err := stat(pid)
	if err != nil || st != start {
		return false
	}
	if state != 'Z' && state != 'X' {
		return true
	}
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	return err == nil && len(tasks) > 1
}
