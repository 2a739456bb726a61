package daemon

import (
	"encoding/json"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"goc.dev/stage5/api"
)

// The exec and attach endpoints check their input before any goC runs:
// each mistake is one status and one message.
func TestExecAndAttachRefusals(t *testing.T) {
	_, e := fake(t)
	created(t, e, api.ContainerCreate{Image: "img", Name: "sleeper", Cmd: []string{"sleep", "60"}})
	created(t, e, api.ContainerCreate{Image: "img", Name: "done", Cmd: []string{"true"}})
	call(t, e, "POST", "/v1/containers/done/wait", nil)
	for _, tc := range []struct {
		method, path string
		body         any
		code         int
		msg          string
	}{
		{"POST", "/v1/containers/nothere/exec", api.ExecCreate{Cmd: []string{"true"}}, 404, "no such container: nothere"},
		{"POST", "/v1/containers/done/exec", api.ExecCreate{Cmd: []string{"true"}}, 409, "container done is not running"},
		{"POST", "/v1/containers/sleeper/exec", api.ExecCreate{}, 400, "cmd is required"},
		{"POST", "/v1/containers/sleeper/exec", api.ExecCreate{Cmd: []string{"true"}, Workdir: "tmp"}, 400, `workdir \"tmp\" is not absolute`},
		{"POST", "/v1/containers/sleeper/exec", api.ExecCreate{Cmd: []string{"true"}, Env: []string{"NOVALUE"}}, 400, `invalid environment variable \"NOVALUE\"`},
		{"POST", "/v1/containers/sleeper/exec", map[string]any{"cmd": []string{"true"}, "detach": true}, 400, "unknown field"},
		{"POST", "/v1/exec/nothere/start", nil, 400, "Upgrade: tcp"},
		{"GET", "/v1/exec/nothere/json", nil, 404, "no such exec: nothere"},
		{"POST", "/v1/exec/nothere/resize?h=1&w=1", nil, 404, "no such exec: nothere"},
		{"POST", "/v1/containers/sleeper/attach", nil, 400, "Upgrade: tcp"},
		{"POST", "/v1/containers/sleeper/resize?h=24&w=80", nil, 409, "container sleeper was not started with -i or -t"},
		{"POST", "/v1/containers/sleeper/resize?h=0&w=80", nil, 400, "resize: h and w must be"},
		{"POST", "/v1/containers/done/resize?h=24&w=80", nil, 409, "container done is not running"},
	} {
		code, body := call(t, e, tc.method, tc.path, tc.body)
		if code != tc.code || !strings.Contains(body, tc.msg) {
			t.Errorf("%s %s = %d %s, want %d %q", tc.method, tc.path, code, body, tc.code, tc.msg)
		}
	}
}

// An exec is made, not started: its record says so; a terminal-less one
// refuses a resize; its start needs the upgrade, and an unknown one is a
// 404 even with it.
func TestExecCreateAndInspect(t *testing.T) {
	_, e := fake(t)
	ct := created(t, e, api.ContainerCreate{Image: "img", Name: "sleeper", Cmd: []string{"sleep", "60"}})
	code, body := call(t, e, "POST", "/v1/containers/sleeper/exec", api.ExecCreate{Cmd: []string{"true"}})
	var x api.ExecCreated
	if code != 201 || json.Unmarshal([]byte(body), &x) != nil || len(x.ID) != 64 {
		t.Fatalf("exec create = %d %s", code, body)
	}
	code, body = call(t, e, "GET", "/v1/exec/"+x.ID+"/json", nil)
	var got api.Exec
	if code != 200 || json.Unmarshal([]byte(body), &got) != nil || got.ContainerID != ct.ID || got.Running || got.ExitCode != nil {
		t.Fatalf("exec inspect = %d %s", code, body)
	}
	if code, body := call(t, e, "POST", "/v1/exec/"+x.ID+"/resize?h=24&w=80", nil); code != 409 || !strings.Contains(body, "has no terminal") {
		t.Fatalf("resize of an exec without a terminal = %d %s", code, body)
	}
	req := httptest.NewRequest("POST", "/v1/exec/nothere/start", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "tcp")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != 404 {
		t.Fatalf("start of an unknown exec = %d %s", rec.Code, rec.Body)
	}
}

// Execs that ended, or were never started, execTTL before a new one was
// made are forgotten; a running one is kept however old.
func TestExecTableForgets(t *testing.T) {
	var tab execTable
	old := time.Now().Add(-2 * execTTL)
	tab.add(&execRun{Exec: api.Exec{ID: "ended"}, started: true})
	tab.add(&execRun{Exec: api.Exec{ID: "running", Running: true}, started: true})
	tab.add(&execRun{Exec: api.Exec{ID: "unstarted"}})
	tab.add(&execRun{Exec: api.Exec{ID: "recent"}, started: true})
	for _, id := range []string{"ended", "running", "unstarted"} {
		tab.m[id].since = old
	}
	tab.add(&execRun{Exec: api.Exec{ID: "new"}})
	var ids []string
	for id := range tab.m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if strings.Join(ids, " ") != "new recent running" {
		t.Fatalf("kept %v", ids)
	}
}
