package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fakeSuite lays out a suite whose validation files are shell scripts.
func fakeSuite(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "validation"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, script := range files {
		if err := os.WriteFile(filepath.Join(dir, "validation", name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunFile(t *testing.T) {
	suite := fakeSuite(t, map[string]string{
		// What the suite's files rely on: cwd, RUNTIME, TMPDIR.
		"env": `echo "TAP version 13"; echo "ok 1 - $(pwd)"; echo "ok 2 - $RUNTIME"; echo "ok 3 - $TMPDIR"; echo 1..3; echo oops >&2; exit 3`,
		// A stray child holding stdout must not hold the harness.
		"slow": `sleep 60 & echo "TAP version 13"; sleep 60`,
	})
	work := t.TempDir()
	rt, err := NewRuntime("goC5", "/bin/true", work)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(work, "tmp")
	r, err := RunFile(suite, "env", rt, tmp, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want := []Point{{Pass, suite}, {Pass, rt.Wrapper}, {Pass, tmp}, {Fail, "exit status 3: oops"}}
	if got := Parse(r); !reflect.DeepEqual(got, want) || r.TimedOut {
		t.Errorf("RunFile env: points %v (timed out %v), want %v", got, r.TimedOut, want)
	}

	// (A harness held by the stray sleep would hang here until go test's
	// own timeout.)
	r, err = RunFile(suite, "slow", rt, tmp, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if !r.TimedOut || r.Exit != -1 {
		t.Errorf("RunFile slow: timed out %v, exit %d", r.TimedOut, r.Exit)
	}
	if got := Parse(r); got[len(got)-1] != (Point{Fail, DescTimeout}) {
		t.Errorf("RunFile slow: points %v, want the timeout last", got)
	}

	if _, err := RunFile(suite, "missing", rt, tmp, time.Minute); err == nil {
		t.Error("RunFile of a missing file: no error")
	}
}

func TestNewRuntime(t *testing.T) {
	work := t.TempDir()
	rt, err := NewRuntime("runc", "/bin/true", work)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(rt.Wrapper)
	if err != nil {
		t.Fatal(err)
	}
	want := "#!/bin/sh\nexec '/bin/true' --root '" + filepath.Join(work, "state-runc") + "' \"$@\"\n"
	if string(b) != want {
		t.Errorf("wrapper:\n%s\nwant\n%s", b, want)
	}
	if _, err := NewRuntime("x", filepath.Join(work, "nothing"), work); err == nil {
		t.Error("NewRuntime of a missing binary: no error")
	}
}

func TestSelectFiles(t *testing.T) {
	suite := fakeSuite(t, map[string]string{"kill": "", "killsig": "", "start": "", "linux_ns_path": ""})
	for pattern, want := range map[string]string{
		"":          "kill killsig linux_ns_path start",
		"^kill":     "kill killsig",
		"^(start)$": "start",
	} {
		got, err := selectFiles(suite, pattern)
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("selectFiles(%q) = %v, %v; want %s", pattern, got, err, want)
		}
	}
	if _, err := selectFiles(suite, "nomatch"); err == nil {
		t.Error("selectFiles with no match: no error")
	}
}
