package daemon

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/process"
	"goc.dev/stage5/api"
	"goc.dev/stage5/shim"
)

// load derives a container's status from the shim's files, as the shim
// writes them.
func TestLoadStatus(t *testing.T) {
	start, err := process.StartTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	alive := shim.Record{PID: os.Getpid(), Start: start}
	reused := shim.Record{PID: os.Getpid(), Start: start + 1} // the PID of another process now
	finished := time.Date(2026, 11, 29, 0, 54, 54, 0, time.UTC)
	cases := []struct {
		name     string
		write    func(shim.Dir) error
		status   string
		exitCode int // -1: none
		oom      bool
		ip       string
	}{
		{"created, the shim not recorded yet", func(shim.Dir) error { return nil }, api.StatusRunning, -1, false, ""},
		{"the shim runs", func(d shim.Dir) error { return d.WriteRecord(alive) }, api.StatusRunning, -1, false, ""},
		{"the container runs, on the bridge", func(d shim.Dir) error {
			return firstErr(d.WriteRecord(alive), d.WriteInfo(shim.Info{IP: "10.77.0.2"}))
		}, api.StatusRunning, -1, false, "10.77.0.2"},
		{"the shim vanished without a result", func(d shim.Dir) error { return d.WriteRecord(reused) }, api.StatusDead, -1, false, ""},
		{"the shim's record is not JSON", func(d shim.Dir) error {
			return os.WriteFile(filepath.Join(string(d), shim.RecordFile), []byte("{"), 0o644)
		}, api.StatusDead, -1, false, ""},
		{"exited", func(d shim.Dir) error {
			return firstErr(d.WriteRecord(reused), d.WriteInfo(shim.Info{IP: "10.77.0.3"}), d.WriteResult(shim.Result{Status: 3}))
		}, api.StatusExited, 3, false, "10.77.0.3"},
		{"exited, the shim still there", func(d shim.Dir) error {
			return firstErr(d.WriteRecord(alive), d.WriteResult(shim.Result{Status: 0}))
		}, api.StatusExited, 0, false, ""},
		{"OOM-killed", func(d shim.Dir) error {
			return firstErr(d.WriteRecord(reused), d.WriteResult(shim.Result{Status: 137, OOMKills: 1}))
		}, api.StatusExited, 137, true, ""},
		{"goC failed", func(d shim.Dir) error {
			return d.WriteResult(shim.Result{Status: process.StatusRuntimeError})
		}, api.StatusExited, 125, false, ""},
		{"a result that cannot be read: ended, exit code unknown", func(d shim.Dir) error {
			return firstErr(d.WriteRecord(reused), os.WriteFile(filepath.Join(string(d), shim.ResultFile), []byte("?"), 0o644))
		}, api.StatusExited, -1, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := &Daemon{DataRoot: t.TempDir()}
			d.init()
			rec := record{Container: api.Container{ID: "c0ffee", Name: "n", Image: "img", Cmd: []string{"true"}}}
			if err := d.reserve(rec); err != nil {
				t.Fatal(err)
			}
			dir := d.dir(rec.ID)
			if err := tc.write(dir); err != nil {
				t.Fatal(err)
			}
			if tc.exitCode >= 0 {
				if err := os.Chtimes(filepath.Join(string(dir), shim.ResultFile), finished, finished); err != nil {
					t.Fatal(err)
				}
			}
			ct, err := d.load(rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ct.Status != tc.status || exitCode(ct) != tc.exitCode || ct.OOMKilled != tc.oom || ct.IP != tc.ip || ct.Name != "n" {
				t.Fatalf("load = %s, exit code %d, OOM-killed %v, IP %q, name %q; want %s, %d, %v, %q, \"n\"",
					ct.Status, exitCode(ct), ct.OOMKilled, ct.IP, ct.Name, tc.status, tc.exitCode, tc.oom, tc.ip)
			}
			if tc.exitCode >= 0 && (ct.Finished == nil || !ct.Finished.Equal(finished)) {
				t.Fatalf("finished = %v, want %v (the result's modification time)", ct.Finished, finished)
			}
		})
	}
}

// A container without a record is a 404.
func TestLoadMissing(t *testing.T) {
	d := &Daemon{DataRoot: t.TempDir()}
	d.init()
	_, err := d.load("nothere")
	var he *echo.HTTPError
	if !errors.As(err, &he) || he.Code != http.StatusNotFound {
		t.Fatalf("load of no record: err = %v, want a 404", err)
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
