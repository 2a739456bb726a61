package daemon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/image"
	"goc.dev/shared/process"
	"goc.dev/stage5/api"
	"goc.dev/stage5/shim"
)

// The test binary doubles as a fake goC: the daemon's handlers run against
// it as they run against the real one, without namespaces or root. Its
// "container" is the command run on the host.
func TestMain(m *testing.M) {
	// A fuzz worker is this binary too, started by the fuzzing one with
	// its environment: it runs tests, not the fake goC.
	if os.Getenv("GOC_FAKE_RUNTIME") == "1" && !strings.HasPrefix(strings.Join(os.Args[1:], " "), "-test.") {
		os.Exit(fakeRuntime(os.Args[1:]))
	}
	os.Setenv("GOC_FAKE_RUNTIME", "1")
	os.Exit(m.Run())
}

// fakeRuntime answers the argv goCd passes to goC:
//
//	--root R --data-root D shim --dir DIR -- run --id ID … IMAGE CMD…
//	--root R --data-root D kill ID SIG
//	--root R --data-root D delete --force ID
func fakeRuntime(args []string) int {
	var root string
	for len(args) > 1 && strings.HasPrefix(args[0], "--") {
		if args[0] == "--root" {
			root = args[1]
		}
		args = args[2:]
	}
	switch args[0] {
	case shim.VerbName:
		return fakeShim(root, shim.Dir(args[2]), args[4:]) // --dir DIR -- run …
	case "kill":
		b, err := os.ReadFile(filepath.Join(root, args[1]))
		if err != nil {
			fmt.Fprintln(os.Stderr, "goC: container", args[1], "does not exist")
			return 1
		}
		// Never pid ≤ 0: kill(0) is the caller's process group, which under
		// su -c is make's too (CI's make unit as a learner was killed so).
		pid, err := strconv.Atoi(string(b))
		sig := map[string]syscall.Signal{"TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL, "INT": syscall.SIGINT,
			"SIGQUIT": syscall.SIGQUIT}[args[2]]
		if err != nil || pid <= 0 || syscall.Kill(pid, sig) != nil {
			fmt.Fprintln(os.Stderr, "goC: container", args[1], "is not running")
			return 1
		}
	case "delete":
		os.Remove(filepath.Join(root, args[len(args)-1]))
	}
	return 0
}

// fakeShim is the shim: the "container" is the command run on the host,
// and the shim's files are written through package shim, as goC's shim
// writes them.
func fakeShim(root string, dir shim.Dir, run []string) int {
	var cid, profile string
	i := 1
	for ; i < len(run) && strings.HasPrefix(run[i], "-"); i += 2 {
		switch {
		case run[i] == "--id":
			cid = run[i+1]
		case run[i] == "--security-opt" && strings.HasPrefix(run[i+1], "seccomp=/"):
			profile = strings.TrimPrefix(run[i+1], "seccomp=")
		case strings.Contains(run[i], "=") || fakeBoolFlags[run[i]]:
			i-- // no separate value
		}
	}
	cmdline := run[i+1:] // after IMAGE
	log, err := os.OpenFile(dir.Log(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fakeFail(err)
	}
	if profile != "" { // what goC run would read, in the log for a test to see
		b, err := os.ReadFile(profile)
		if err != nil {
			return fakeFail(err)
		}
		fmt.Fprintf(log, "profile %s\n", b)
	}
	start, err := process.StartTime(os.Getpid())
	if err != nil {
		return fakeFail(err)
	}
	if err := dir.WriteRecord(shim.Record{PID: os.Getpid(), Start: start}); err != nil {
		return fakeFail(err)
	}
	if cmdline[0] == "/fail" {
		fmt.Fprintln(log, "goC: exec /fail: no such file or directory")
		return fakeFail(dir.WriteResult(shim.Result{Status: process.StatusRuntimeError}))
	}
	cmd := exec.Command(cmdline[0], cmdline[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fakeFail(err)
	}
	// Written whole or not at all (a rename): kill reads it meanwhile.
	pidFile := filepath.Join(root, cid)
	if err := os.WriteFile(pidFile+".tmp", []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
		return fakeFail(err)
	}
	if err := os.Rename(pidFile+".tmp", pidFile); err != nil {
		return fakeFail(err)
	}
	if err := dir.WriteInfo(shim.Info{IP: "10.77.0.9"}); err != nil {
		return fakeFail(err)
	}
	err = cmd.Wait()
	status := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		status = ee.ExitCode()
		if ws := ee.Sys().(syscall.WaitStatus); ws.Signaled() {
			status = 128 + int(ws.Signal())
		}
	}
	return fakeFail(dir.WriteResult(shim.Result{Status: status}))
}

// fakeBoolFlags are goC run's flags that take no value.
var fakeBoolFlags = map[string]bool{"--privileged": true, "--read-only": true}

// fakeFail reports an error of the fake goC, which a test then sees as a
// container that does not start or end as it should.
func fakeFail(err error) int {
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake goC:", err)
		return 1
	}
	return 0
}

// fake is a goCd whose runtime is the fake goC, with an image "img".
func fake(t *testing.T) (*Daemon, *echo.Echo) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{Runtime: self, DataRoot: t.TempDir(), StateRoot: t.TempDir(), Version: "test"}
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "hello"), []byte("hi"), 0o644)
	if _, err := (image.Store{Root: d.DataRoot}).Import("img", src, nil); err != nil {
		t.Skipf("cannot import a test image here: %v", err)
	}
	e := echo.New()
	d.Routes(e)
	t.Cleanup(func() { d.Close() })
	return d, e
}

func call(t *testing.T, e *echo.Echo, method, path string, body any) (int, string) {
	t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func created(t *testing.T, e *echo.Echo, req api.ContainerCreate) api.Container {
	t.Helper()
	code, body := call(t, e, "POST", "/v1/containers", req)
	if code != http.StatusCreated {
		t.Fatalf("create %+v = %d %s", req, code, body)
	}
	var ct api.Container
	if err := json.Unmarshal([]byte(body), &ct); err != nil {
		t.Fatal(err)
	}
	return ct
}

func TestLifecycleWithFakeRuntime(t *testing.T) {
	_, e := fake(t)
	ct := created(t, e, api.ContainerCreate{Image: "img", Name: "one", Cmd: []string{"sh", "-c", "echo out; echo err >&2; exit 3"}})
	if ct.Name != "one" || len(ct.ID) != 64 {
		t.Fatalf("created %+v", ct)
	}
	if code, body := call(t, e, "POST", "/v1/containers/one/wait", nil); code != 200 || body != "{\"exitCode\":3}\n" {
		t.Fatalf("wait = %d %s", code, body)
	}
	if code, body := call(t, e, "GET", "/v1/containers/one/logs", nil); code != 200 || body != "out\nerr\n" {
		t.Fatalf("logs = %d %q", code, body)
	}
	code, body := call(t, e, "GET", "/v1/containers/"+ct.ID[:8], nil)
	if code != 200 || !strings.Contains(body, `"status":"exited"`) || !strings.Contains(body, `"exitCode":3`) || !strings.Contains(body, `"ip":"10.77.0.9"`) {
		t.Fatalf("inspect by ID prefix = %d %s", code, body)
	}
	if code, body := call(t, e, "POST", "/v1/containers", api.ContainerCreate{Image: "img", Name: "one", Cmd: []string{"true"}}); code != 409 {
		t.Fatalf("a second %q = %d %s, want 409", "one", code, body)
	}
	if code, _ := call(t, e, "DELETE", "/v1/containers/one", nil); code != 204 {
		t.Fatalf("rm = %d", code)
	}
	if code, _ := call(t, e, "GET", "/v1/containers/one", nil); code != 404 {
		t.Fatalf("inspect after rm = %d, want 404", code)
	}
}

func TestCreateFailureLeavesNothing(t *testing.T) {
	d, e := fake(t)
	code, body := call(t, e, "POST", "/v1/containers", api.ContainerCreate{Image: "img", Cmd: []string{"/fail"}})
	if code != 400 || !strings.Contains(body, `"message":"exec /fail: no such file or directory"`) {
		t.Fatalf("create of a failing container = %d %s", code, body)
	}
	if entries, _ := os.ReadDir(filepath.Join(d.DataRoot, "daemon", "containers")); len(entries) != 0 {
		t.Fatalf("records left behind: %v", entries)
	}
}

func TestStopKillRemoveRunning(t *testing.T) {
	_, e := fake(t)
	created(t, e, api.ContainerCreate{Image: "img", Name: "sleeper", Cmd: []string{"sleep", "60"}})
	if code, body := call(t, e, "DELETE", "/v1/containers/sleeper", nil); code != 409 || !strings.Contains(body, "is running") {
		t.Fatalf("rm of a running container = %d %s, want 409", code, body)
	}
	if code, body := call(t, e, "POST", "/v1/containers/sleeper/stop?timeout=5", nil); code != 200 || !strings.Contains(body, `"exitCode":143`) {
		t.Fatalf("stop = %d %s, want exit code 143 (SIGTERM)", code, body)
	}
	if code, body := call(t, e, "POST", "/v1/containers/sleeper/stop?timeout=x", nil); code != 400 {
		t.Fatalf("stop with a bad timeout = %d %s", code, body)
	}
	if code, body := call(t, e, "POST", "/v1/containers/sleeper/kill", nil); code != 409 || !strings.Contains(body, "not running") {
		t.Fatalf("kill of an exited container = %d %s, want 409", code, body)
	}
	created(t, e, api.ContainerCreate{Image: "img", Name: "sleeper2", Cmd: []string{"sleep", "60"}})
	if code, body := call(t, e, "DELETE", "/v1/containers/sleeper2?force=1", nil); code != 204 {
		t.Fatalf("rm -f = %d %s", code, body)
	}
	if code, _ := call(t, e, "GET", "/v1/containers?all=1", nil); code != 200 {
		t.Fatal(code)
	}
	if _, body := call(t, e, "GET", "/v1/containers?all=1", nil); strings.Contains(body, "sleeper2") {
		t.Fatalf("removed container still listed: %s", body)
	}
}

func TestAutoRemove(t *testing.T) {
	d, e := fake(t)
	ct := created(t, e, api.ContainerCreate{Image: "img", Cmd: []string{"sh", "-c", "sleep 0.2; exit 4"}, AutoRemove: true})
	// wait still answers the exit code after the container is gone.
	if code, body := call(t, e, "POST", "/v1/containers/"+ct.ID+"/wait", nil); code != 200 || body != "{\"exitCode\":4}\n" {
		t.Fatalf("wait = %d %s", code, body)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(string(d.dir(ct.ID))); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an autoRemove container was not removed after it exited")
		}
	}
	if code, body := call(t, e, "POST", "/v1/containers/"+ct.ID+"/wait", nil); code != 200 || body != "{\"exitCode\":4}\n" {
		t.Fatalf("wait after removal = %d %s", code, body)
	}
}

// An autoRemove container that exited while goCd was down goes when goCd
// starts again; one still running is watched again.
func TestAutoRemoveAfterRestart(t *testing.T) {
	d, e := fake(t)
	done := created(t, e, api.ContainerCreate{Image: "img", Cmd: []string{"true"}, AutoRemove: true})
	live := created(t, e, api.ContainerCreate{Image: "img", Cmd: []string{"sleep", "0.5"}, AutoRemove: true})
	d.Close() // goCd "killed": no watchers
	d2 := &Daemon{Runtime: d.Runtime, DataRoot: d.DataRoot, StateRoot: d.StateRoot}
	d2.Recover()
	defer d2.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err1 := os.Stat(string(d.dir(done.ID)))
		_, err2 := os.Stat(string(d.dir(live.ID)))
		if os.IsNotExist(err1) && os.IsNotExist(err2) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a restart: exited one removed = %v, running one removed once done = %v", os.IsNotExist(err1), os.IsNotExist(err2))
		}
	}
}

func TestImportLimits(t *testing.T) {
	d, e := fake(t)
	d.MaxUpload = 1024
	req := httptest.NewRequest("POST", "/v1/images?name=big", bytes.NewReader(make([]byte, 4096)))
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "larger than 1024 bytes") {
		t.Fatalf("a 4 KiB upload with a 1 KiB limit = %d %s", rec.Code, rec.Body)
	}
	if entries, _ := filepath.Glob(filepath.Join(d.DataRoot, ".upload-*")); len(entries) != 0 {
		t.Fatalf("upload left behind: %v", entries)
	}
}

func TestInfo(t *testing.T) {
	_, e := fake(t)
	created(t, e, api.ContainerCreate{Image: "img", Cmd: []string{"sleep", "60"}, Name: "a"})
	created(t, e, api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Name: "b"})
	call(t, e, "POST", "/v1/containers/b/wait", nil)
	code, body := call(t, e, "GET", "/v1/info", nil)
	var info api.Info
	if code != 200 || json.Unmarshal([]byte(body), &info) != nil {
		t.Fatalf("info = %d %s", code, body)
	}
	if info.Containers != 2 || info.Running != 1 || info.Images != 1 || info.APIVersion != "v1" {
		t.Fatalf("info = %+v, want 2 containers, 1 running, 1 image", info)
	}
	call(t, e, "DELETE", "/v1/containers/a?force=1", nil)
}

// An attached client that comes late for the log of a fast autoRemove
// container still gets all of it; the container goes once it has.
func TestAutoRemoveWaitsForAttachedClient(t *testing.T) {
	d, e := fake(t)
	ct := created(t, e, api.ContainerCreate{Image: "img", Cmd: []string{"sh", "-c", "echo late reader; exit 2"}, AutoRemove: true, Attach: true})
	time.Sleep(300 * time.Millisecond) // the container has long exited
	if code, body := call(t, e, "GET", "/v1/containers/"+ct.ID+"/logs?follow=1", nil); code != 200 || body != "late reader\n" {
		t.Fatalf("logs = %d %q", code, body)
	}
	if code, body := call(t, e, "POST", "/v1/containers/"+ct.ID+"/wait", nil); code != 200 || body != "{\"exitCode\":2}\n" {
		t.Fatalf("wait = %d %s", code, body)
	}
	if _, err := os.Stat(string(d.dir(ct.ID))); !os.IsNotExist(err) {
		t.Fatal("still there after wait")
	}
}

// A name an auto-removed container had is free again, and wait on it is
// about the new container, not the old exit code.
func TestNameReusedAfterAutoRemove(t *testing.T) {
	_, e := fake(t)
	created(t, e, api.ContainerCreate{Image: "img", Name: "again", Cmd: []string{"sh", "-c", "exit 4"}, AutoRemove: true})
	if code, body := call(t, e, "POST", "/v1/containers/again/wait", nil); code != 200 || body != "{\"exitCode\":4}\n" {
		t.Fatalf("wait = %d %s", code, body)
	}
	created(t, e, api.ContainerCreate{Image: "img", Name: "again", Cmd: []string{"sh", "-c", "exit 7"}})
	if code, body := call(t, e, "POST", "/v1/containers/again/wait", nil); code != 200 || body != "{\"exitCode\":7}\n" {
		t.Fatalf("wait on the second %q = %d %s, want its own exit code 7", "again", code, body)
	}
}

// A client's seccomp profile reaches goC run as a file in the container's
// record, goCd's own copy of what was sent; it goes with the record.
func TestSeccompProfileWithFakeRuntime(t *testing.T) {
	d, e := fake(t)
	const profile = `{"defaultAction":"SCMP_ACT_ALLOW"}`
	ct := created(t, e, api.ContainerCreate{Image: "img", Name: "p", Cmd: []string{"true"}, Security: api.Security{Seccomp: profile}})
	call(t, e, "POST", "/v1/containers/p/wait", nil)
	if code, body := call(t, e, "GET", "/v1/containers/p/logs", nil); code != 200 || body != "profile "+profile+"\n" {
		t.Fatalf("logs = %d %q, want the profile goC run was given", code, body)
	}
	if code, _ := call(t, e, "DELETE", "/v1/containers/p", nil); code != 204 {
		t.Fatalf("rm = %d", code)
	}
	if _, err := os.Stat(d.dir(ct.ID).Seccomp()); !os.IsNotExist(err) {
		t.Fatalf("the profile outlived its container: %v", err)
	}
}

// Confinement goC would refuse is refused before any shim starts: one
// 400, no record, no container.
func TestBadSecurityLeavesNothing(t *testing.T) {
	d, e := fake(t)
	for _, s := range []api.Security{{CapAdd: []string{"NET_BIND_SERVIC"}}, {User: "bob"}, {Seccomp: "{"}} {
		code, body := call(t, e, "POST", "/v1/containers", api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Security: s})
		if code != 400 {
			t.Fatalf("create with %+v = %d %s, want 400", s, code, body)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(d.DataRoot, "daemon", "containers")); len(entries) != 0 {
		t.Fatalf("records left behind: %v", entries)
	}
	if entries, _ := os.ReadDir(d.StateRoot); len(entries) != 0 {
		t.Fatalf("containers left behind: %v", entries)
	}
}
