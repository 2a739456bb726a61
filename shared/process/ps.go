package process

import (
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// PsTable writes what runc ps writes: the host's ps(1) run with args
// ("-ef" if none), its header line and the lines of the processes in pids.
func PsTable(w io.Writer, pids []int, args []string) error {
	if len(args) == 0 {
		args = []string{"-ef"}
	}
	out, err := exec.Command("ps", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ps: %w: %s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	col := slices.Index(strings.Fields(lines[0]), "PID")
	if col < 0 {
		return fmt.Errorf("ps %s: no PID column in its output", strings.Join(args, " "))
	}
	fmt.Fprintln(w, lines[0])
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) <= col {
			continue
		}
		if pid, err := strconv.Atoi(f[col]); err == nil && slices.Contains(pids, pid) {
			fmt.Fprintln(w, line)
		}
	}
	return nil
}
