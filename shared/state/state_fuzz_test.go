package state

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead: any state.json content reads as an error or a State; a State
// whose pid is not a real process (0, negative: kill(2) would take those
// for a process group or every process) is never running or created, so no
// verb signals it.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		`{"ociVersion":"1.2.0","id":"c1","pid":1234,"bundle":"/b","start":99,"rootfs":"/b/rootfs","created":"2026-01-01T00:00:00Z"}`,
		`{"id":"c1","pid":-1,"start":0}`, `{"id":"c1","pid":0}`, `{"runBy":{"pid":1,"start":1},"hooks":{"poststop":[{"path":"/x"}]}}`,
		``, `{`, `null`, `[]`, `{"pid":"1"}`,
	} {
		f.Add([]byte(s))
	}
	root := f.TempDir()
	c, err := Create(root, "c1")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(c.Dir, StateFile), data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := c.Read()
		if err != nil {
			return
		}
		if s == nil {
			t.Fatalf("Read(%q) = nil, no error", data)
		}
		if st := c.Status(s); s.Pid <= 0 && st != Stopped {
			t.Fatalf("state.json %q: pid %d is %s", data, s.Pid, st)
		}
		_ = s.Orphaned()
	})
}
