package daemon

import (
	"strings"
	"testing"

	"goc.dev/stage5/api"
)

// start runs a stopped container's command again under the same record:
// the log goes on, wait gives the new run's exit code; start of a running
// one is a 409; restart stops and starts.
func TestStartAndRestartWithFakeRuntime(t *testing.T) {
	_, e := fake(t)
	ct := created(t, e, api.ContainerCreate{Image: "img", Name: "job", Cmd: []string{"sh", "-c", "echo run; exit 3"}})
	call(t, e, "POST", "/v1/containers/job/wait", nil)
	if code, body := call(t, e, "POST", "/v1/containers/job/start", nil); code != 200 || !strings.Contains(body, ct.ID) {
		t.Fatalf("start = %d %s", code, body)
	}
	if code, body := call(t, e, "POST", "/v1/containers/job/wait", nil); code != 200 || body != "{\"exitCode\":3}\n" {
		t.Fatalf("wait after start = %d %s", code, body)
	}
	if _, body := call(t, e, "GET", "/v1/containers/job/logs", nil); body != "run\nrun\n" {
		t.Fatalf("logs after start = %q, want two runs", body)
	}
	created(t, e, api.ContainerCreate{Image: "img", Name: "svc", Cmd: []string{"sleep", "60"}})
	if code, body := call(t, e, "POST", "/v1/containers/svc/start", nil); code != 409 || !strings.Contains(body, "svc is already running") {
		t.Fatalf("start of a running container = %d %s, want 409", code, body)
	}
	if code, body := call(t, e, "POST", "/v1/containers/svc/restart?timeout=5", nil); code != 200 || !strings.Contains(body, `"status":"running"`) {
		t.Fatalf("restart = %d %s", code, body)
	}
	if code, body := call(t, e, "POST", "/v1/containers/svc/restart?timeout=x", nil); code != 400 {
		t.Fatalf("restart with a bad timeout = %d %s", code, body)
	}
	if code, _ := call(t, e, "DELETE", "/v1/containers/svc?force=1", nil); code != 204 {
		t.Fatal("rm -f svc")
	}
}
