package daemon

import (
	"strings"
	"testing"
	"time"

	"goc.dev/stage5/api"
)

func TestParsePolicy(t *testing.T) {
	for in, want := range map[string]policy{
		"":               {name: "no"},
		"no":             {name: "no"},
		"always":         {name: "always"},
		"unless-stopped": {name: "unless-stopped"},
		"on-failure":     {name: "on-failure"},
		"on-failure:3":   {name: "on-failure", max: 3},
	} {
		if got, err := parsePolicy(in); err != nil || got != want {
			t.Errorf("parsePolicy(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"sometimes", "always:3", "no:1", "on-failure:x", "on-failure:-1"} {
		if _, err := parsePolicy(in); err == nil {
			t.Errorf("parsePolicy(%q) took it", in)
		}
	}
	if err := checkRestart(api.ContainerCreate{AutoRemove: true, Options: api.Options{Restart: "always"}}); err == nil {
		t.Error("--rm and --restart always were taken together")
	}
}

func TestPolicyAgain(t *testing.T) {
	one, zero := 1, 0
	failed, ok := &api.Container{ExitCode: &one}, &api.Container{ExitCode: &zero}
	counted := &api.Container{ExitCode: &one, RestartCount: 3}
	for _, tc := range []struct {
		p       string
		ct      *api.Container
		stopped bool
		want    bool
	}{
		{"no", failed, false, false},
		{"on-failure", failed, false, true},
		{"on-failure", ok, false, false},
		{"on-failure:3", counted, false, false},
		{"on-failure:4", counted, false, true},
		{"on-failure", failed, true, false},
		{"always", ok, false, true},
		{"always", ok, true, false},
		{"unless-stopped", failed, false, true},
		{"unless-stopped", failed, true, false},
	} {
		p, _ := parsePolicy(tc.p)
		if got := p.again(tc.ct, tc.stopped); got != tc.want {
			t.Errorf("%s, exit %d, count %d, stopped %v: again = %v, want %v", tc.p, exitCode(tc.ct), tc.ct.RestartCount, tc.stopped, got, tc.want)
		}
	}
}

// on-failure:2 on a command that fails: three runs, then left; stop of an
// always container leaves it stopped.
func TestRestartPolicyWithFakeRuntime(t *testing.T) {
	_, e := fake(t)
	created(t, e, api.ContainerCreate{Image: "img", Name: "flaky", Cmd: []string{"sh", "-c", "echo try; exit 1"},
		Options: api.Options{Restart: "on-failure:2"}})
	var body string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, body = call(t, e, "GET", "/v1/containers/flaky", nil)
		if strings.Contains(body, `"restartCount":2`) && strings.Contains(body, `"status":"exited"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("on-failure:2 never ended with two restarts: %s", body)
		}
	}
	if _, logs := call(t, e, "GET", "/v1/containers/flaky/logs", nil); logs != "try\ntry\ntry\n" {
		t.Fatalf("logs = %q, want three runs", logs)
	}
	created(t, e, api.ContainerCreate{Image: "img", Name: "svc", Cmd: []string{"sleep", "60"}, Options: api.Options{Restart: "always"}})
	if code, body := call(t, e, "POST", "/v1/containers/svc/stop?timeout=5", nil); code != 200 || !strings.Contains(body, `"status":"exited"`) {
		t.Fatalf("stop = %d %s", code, body)
	}
	time.Sleep(300 * time.Millisecond) // past the first back-off: it must still be stopped
	if _, body := call(t, e, "GET", "/v1/containers/svc", nil); !strings.Contains(body, `"status":"exited"`) {
		t.Fatalf("an always container came back after stop: %s", body)
	}
}
