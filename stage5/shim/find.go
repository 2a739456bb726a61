package shim

import (
	"bytes"
	"fmt"
	"os"
	"strconv"

	"goc.dev/shared/process"
)

// FindShim looks for the shim of this directory among the live processes,
// by its command line (goC … shim --dir DIR …): the Record rebuilt when
// the file is damaged (issue 17). An error, never one IsMissing holds
// for, if none runs.
func (d Dir) FindShim() (Record, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return Record{}, err
	}
	want := []byte("\x00" + VerbName + "\x00--dir\x00" + string(d) + "\x00")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(b, want) {
			continue
		}
		if start, err := process.StartTime(pid); err == nil {
			return Record{PID: pid, Start: start}, nil
		}
	}
	return Record{}, fmt.Errorf("no shim runs for %s", d)
}
