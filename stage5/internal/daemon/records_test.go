package daemon

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// A garbled meta.json (issue 17) neither hides the container nor the
// others: it is listed under its ID, its status derived from the shim's
// files as ever, and can be removed.
func TestLoadGarbledMeta(t *testing.T) {
	d := &Daemon{DataRoot: t.TempDir(), StateRoot: t.TempDir()}
	d.init()
	for _, id := range []string{"c0ffee01", "c0ffee02"} {
		if err := d.reserve(record{Container: api.Container{ID: id, Name: "n" + id}}); err != nil {
			t.Fatal(err)
		}
		if err := d.dir(id).WriteResult(shim.Result{Status: 0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(string(d.dir("c0ffee01")), metaFile), []byte(`{"id":"c0f`), 0o600); err != nil {
		t.Fatal(err)
	}
	all, err := d.all()
	if err != nil || len(all) != 2 {
		t.Fatalf("all = %d containers, %v; want 2", len(all), err)
	}
	ct, err := d.find("c0ffee01")
	if err != nil || ct.Name != "c0ffee01" || ct.Status != api.StatusExited {
		t.Fatalf("find of the garbled one = %+v, %v; want it by its ID, exited", ct, err)
	}
	if err := d.removeContainer(ct, true); err != nil {
		t.Fatal(err)
	}
	if _, err := d.find("nc0ffee02"); err != nil {
		t.Fatalf("the other one: %v", err)
	}
}

// A garbled shim record of a shim that still runs (issue 17): the shim is
// found by its command line, the container still runs.
func TestLoadGarbledShimRecord(t *testing.T) {
	d := &Daemon{DataRoot: t.TempDir()}
	d.init()
	if err := d.reserve(record{Container: api.Container{ID: "c0ffee", Name: "n"}}); err != nil {
		t.Fatal(err)
	}
	dir := d.dir("c0ffee")
	if err := os.WriteFile(filepath.Join(string(dir), shim.RecordFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// A stand-in shim: a shell whose command line names the directory.
	cmd := exec.Command("sh", "-c", "sleep 60; :", "goC", "shim", "--dir", string(dir), "--", "run")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	ok := false
	for i := 0; i < 200 && !ok; i++ { // until the child has exec'd sh
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", cmd.Process.Pid))
		ok = strings.Contains(string(b), "shim\x00--dir")
		time.Sleep(5 * time.Millisecond)
	}
	if ct, err := d.load("c0ffee"); err != nil || ct.Status != api.StatusRunning {
		t.Fatalf("load = %+v, %v; want running (its shim lives)", ct, err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if ct, err := d.load("c0ffee"); err != nil || ct.Status != api.StatusDead {
		t.Fatalf("load = %+v, %v; want dead (its shim has gone)", ct, err)
	}
}
