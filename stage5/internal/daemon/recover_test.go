package daemon

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/process"
	"goc.dev/stage5/api"
)

// issue 17, ps right after a restart of goCd: what Recover finds to do is
// done before it returns, that is before goCd serves, so that the first
// list is already right. These tests look once, right after Recover: no
// back-off or watcher may be waited for.

// restarted is a goCd started again on d's directories (d "killed": its
// watchers and supervisors stop), once Recover has returned.
func restarted(t *testing.T, d *Daemon) (*Daemon, *echo.Echo) {
	d.Close()
	d2 := &Daemon{Runtime: d.Runtime, DataRoot: d.DataRoot, StateRoot: d.StateRoot, Version: d.Version}
	d2.Recover()
	e := echo.New()
	d2.Routes(e)
	t.Cleanup(func() { d2.Close() })
	return d2, e
}

// awaitStatus waits until the container has the status (the fake shim
// records the end of its command a moment after it).
func awaitStatus(t *testing.T, d *Daemon, cid, status string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		ct, err := d.load(cid)
		if err == nil && ct.Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s never %s: %+v, %v", cid, status, ct, err)
		}
	}
}

// A container whose policy starts it again, which exited while goCd was
// down, is listed running by the first list after goCd starts again (was:
// exited until the supervisor's first back-off had passed). One a user
// stopped stays stopped (unless-stopped); always comes back, as Docker's.
func TestRecoverStartsBeforeServing(t *testing.T) {
	d, e := fake(t)
	svc := created(t, e, api.ContainerCreate{Image: "img", Name: "svc", Cmd: []string{"sleep", "60"}, Options: api.Options{Restart: "always"}})
	us := created(t, e, api.ContainerCreate{Image: "img", Name: "us", Cmd: []string{"sleep", "60"}, Options: api.Options{Restart: "unless-stopped"}})
	if code, body := call(t, e, "POST", "/v1/containers/us/stop?timeout=5", nil); code != 200 {
		t.Fatalf("stop = %d %s", code, body)
	}
	d.Close() // goCd killed: its supervisors stop
	// svc killed behind goCd's back while goCd is down.
	if err := d.goC("kill", svc.ID, "KILL"); err != nil {
		t.Fatal(err)
	}
	awaitStatus(t, d, svc.ID, api.StatusExited)

	_, e2 := restarted(t, d)
	code, body := call(t, e2, "GET", "/v1/containers", nil)
	if code != 200 || !strings.Contains(body, `"name":"svc"`) || strings.Contains(body, `"name":"us"`) {
		t.Fatalf("ps right after goCd started again = %d %s; want svc running, not us", code, body)
	}
	if _, body := call(t, e2, "GET", "/v1/containers/svc", nil); !strings.Contains(body, `"restartCount":1`) {
		t.Fatalf("svc started again by its policy, not counted: %s", body)
	}
	for _, ct := range []api.Container{svc, us} {
		if code, body := call(t, e2, "DELETE", "/v1/containers/"+ct.ID+"?force=1", nil); code != 204 {
			t.Fatalf("rm -f %s = %d %s", ct.Name, code, body)
		}
	}
}

// An autoRemove container that exited while goCd was down is gone by the
// first list after goCd starts again (was: listed exited until a watcher
// removed it).
func TestRecoverRemovesBeforeServing(t *testing.T) {
	d, e := fake(t)
	ct := created(t, e, api.ContainerCreate{Image: "img", Cmd: []string{"sleep", "0.2"}, AutoRemove: true})
	d.Close() // goCd killed before the container exits: no watcher removes it
	awaitStatus(t, d, ct.ID, api.StatusExited)

	d2, e2 := restarted(t, d)
	if _, body := call(t, e2, "GET", "/v1/containers?all=1", nil); strings.Contains(body, ct.ID) {
		t.Fatalf("ps -a right after goCd started again lists an exited --rm container: %s", body)
	}
	if _, err := os.Stat(string(d2.dir(ct.ID))); !os.IsNotExist(err) {
		t.Fatalf("its record is still there: %v", err)
	}
	// wait answers its exit code, as for one removed by a watcher.
	if code, body := call(t, e2, "POST", "/v1/containers/"+ct.ID+"/wait", nil); code != 200 || body != "{\"exitCode\":0}\n" {
		t.Fatalf("wait = %d %s", code, body)
	}
}

// A container whose shim never started (goCd killed between making its
// record and starting the shim) is not listed running for ever after goCd
// starts again: it has exited, goC's status 125, as a start that failed
// (was: running, and rm -f waited 30 s for it to stop). One whose shim
// runs but has not recorded itself yet still runs.
func TestRecoverShimNeverStarted(t *testing.T) {
	d, _ := fake(t)
	rec := record{Container: api.Container{ID: strings.Repeat("ab", 32), Name: "never", Image: "img", Created: time.Now()}}
	starting := record{Container: api.Container{ID: strings.Repeat("cd", 32), Name: "starting", Image: "img", Created: time.Now()}}
	for _, r := range []record{rec, starting} {
		if err := d.reserve(r); err != nil {
			t.Fatal(err)
		}
	}
	// A shim, by its command line, that has not written its record.
	cmd := exec.Command("sh", "-c", "sleep 60; :", "goC", "shim", "--dir", string(d.dir(starting.ID)), "--", "run")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()

	d2, _ := restarted(t, d)
	ct, err := d2.load(rec.ID)
	if err != nil || ct.Status != api.StatusExited || exitCode(ct) != process.StatusRuntimeError {
		t.Fatalf("a container whose shim never started, after goCd started again: %+v, %v; want exited (125)", ct, err)
	}
	if ct, err := d2.load(starting.ID); err != nil || ct.Status != api.StatusRunning {
		t.Fatalf("a container whose shim runs, not recorded yet: %+v, %v; want running", ct, err)
	}
}

// What a goCd killed -9 while removing a record leaves (found by make
// soak): a record directory without meta.json, which no list shows and no
// rm can remove, holding what the shim wrote. Removal now renames the
// record aside first; Recover sweeps what was set aside, and a record
// without meta.json whose shim is gone. One whose shim runs is left.
func TestRecoverSweepsHalfRemovedRecords(t *testing.T) {
	d, _ := fake(t)
	whole := record{Container: api.Container{ID: strings.Repeat("ab", 32), Name: "whole", Image: "img", Created: time.Now()}}
	if err := d.reserve(whole); err != nil {
		t.Fatal(err)
	}
	half := string(d.dir(strings.Repeat("cd", 32)))                              // meta.json removed, then goCd killed
	aside := filepath.Join(d.containers(), ".removed-"+strings.Repeat("ef", 32)) // renamed aside, then killed
	running := strings.Repeat("12", 32)                                          // no meta.json, but its shim runs
	for _, dir := range []string{half, aside, string(d.dir(running))} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"config.json", "log.times"} {
			os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o600)
		}
	}
	cmd := exec.Command("sh", "-c", "sleep 60; :", "goC", "shim", "--dir", string(d.dir(running)), "--", "run")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()

	d2, _ := restarted(t, d)
	for _, dir := range []string{half, aside} {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s is still there after Recover: %v", filepath.Base(dir), err)
		}
	}
	if _, err := os.Stat(string(d2.dir(running))); err != nil {
		t.Errorf("the record of a container whose shim runs was removed: %v", err)
	}
	if ct, err := d2.load(whole.ID); err != nil || ct.Name != "whole" {
		t.Errorf("a whole record after Recover: %+v, %v", ct, err)
	}
}

// removeRecord leaves nothing, and nothing under the record's name even
// while it works: the record is renamed aside before it is emptied.
func TestRemoveRecord(t *testing.T) {
	d, _ := fake(t)
	rec := record{Container: api.Container{ID: strings.Repeat("ab", 32), Name: "x", Image: "img", Created: time.Now()}}
	if err := d.reserve(rec); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(string(d.dir(rec.ID)), "log.times"), nil, 0o600)
	if err := d.removeRecord(rec.ID); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(d.containers()); len(entries) != 0 {
		t.Fatalf("left under containers/: %v", entries)
	}
	if err := d.removeRecord(rec.ID); err != nil {
		t.Fatalf("removing a record that is gone: %v", err)
	}
}
