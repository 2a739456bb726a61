package process

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestPsTable(t *testing.T) {
	var out bytes.Buffer
	if err := PsTable(&out, []int{os.Getpid()}, []string{"-o", "pid,comm"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 || strings.Fields(lines[0])[0] != "PID" || strings.Fields(lines[1])[0] != strconv.Itoa(os.Getpid()) {
		t.Errorf("ps -o pid,comm of this process:\n%s", out.String())
	}
	out.Reset()
	if err := PsTable(&out, nil, nil); err != nil {
		t.Fatal(err)
	}
	if h := out.String(); !strings.HasPrefix(h, "UID") || strings.Count(h, "\n") != 1 {
		t.Errorf("ps -ef of no process: %q, want its header alone", h)
	}
	if err := PsTable(&out, nil, []string{"-o", "comm"}); err == nil || !strings.Contains(err.Error(), "no PID column") {
		t.Errorf("ps -o comm: %v, want an error naming the missing PID column", err)
	}
}
