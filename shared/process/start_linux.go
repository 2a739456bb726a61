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
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces and parentheses: the
	// fields after it start after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return strconv.ParseUint(f[19], 10, 64)
}

// Alive reports whether the process pid that started at start still runs.
func Alive(pid int, start uint64) bool {
	st, err := StartTime(pid)
	return err == nil && st == start
}
