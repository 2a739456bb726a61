package hooks

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "state")
	one := 1
	st := specs.State{Version: specs.Version, ID: "c1", Status: "creating", Pid: 42, Bundle: "/b"}
	cases := []struct {
		name string
		h    specs.Hook
		want string // error, "" for none
	}{
		{"state on stdin", specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "cat > " + out}}, ""},
		{"env only its own", specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", `test "$X" = y && test -z "$HOME"`}, Env: []string{"X=y"}}, ""},
		{"exit status and message", specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "echo nope >&2; echo more >&2; exit 4"}}, "prestart hook /bin/sh: exit status 4: nope"},
		{"timeout", specs.Hook{Path: "/bin/sleep", Args: []string{"sleep", "10"}, Timeout: &one}, "prestart hook /bin/sleep: timed out after 1s"},
		{"missing program", specs.Hook{Path: "/nonexistent/hook"}, "prestart hook /nonexistent/hook: fork/exec /nonexistent/hook: no such file or directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Run("prestart", []specs.Hook{tc.h}, st)
			if (err == nil) != (tc.want == "") || (err != nil && err.Error() != tc.want) {
				t.Fatalf("Run = %v, want %q", err, tc.want)
			}
		})
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), `"id":"c1"`) || !strings.Contains(string(b), `"status":"creating"`) || !strings.Contains(string(b), `"pid":42`) {
		t.Fatalf("state on stdin = %s", b)
	}
}

func TestValidate(t *testing.T) {
	zero := 0
	for _, tc := range []struct {
		h    specs.Hook
		want string
	}{
		{specs.Hook{Path: "/bin/true"}, ""},
		{specs.Hook{Path: "bin/true"}, `config.json: hooks.poststop[0].path "bin/true" must be absolute`},
		{specs.Hook{Path: "/bin/true", Timeout: &zero}, "config.json: hooks.poststop[0].timeout must be positive"},
	} {
		err := Validate("poststop", []specs.Hook{tc.h})
		if (err == nil) != (tc.want == "") || (err != nil && err.Error() != tc.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.h, err, tc.want)
		}
	}
}

func TestRunJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "state")
	save := []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "cat > " + out}}}
	if err := RunJSON("startContainer", nil, []byte("not json")); err != nil {
		t.Errorf("no hooks, yet the state was read: %v", err)
	}
	err := RunJSON("startContainer", save, []byte("not json"))
	if err == nil || !strings.HasPrefix(err.Error(), "startContainer hooks: state: ") {
		t.Errorf("RunJSON of a bad state = %v", err)
	}
	if err := RunJSON("startContainer", save, []byte(`{"ociVersion":"1.2.0","id":"c1","status":"created","pid":7,"bundle":"/b"}`)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), `"id":"c1"`) || !strings.Contains(string(b), `"pid":7`) {
		t.Errorf("state on stdin = %s", b)
	}
}

// Poststart and poststop hooks get the state; their failure is logged, not
// returned.
func TestPoststartPoststop(t *testing.T) {
	var log bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&log, nil)))
	defer slog.SetDefault(old)
	dir := t.TempDir()
	save := func(name string) specs.Hook {
		return specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "cat > " + filepath.Join(dir, name)}}
	}
	fail := specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", "echo broken >&2; exit 3"}}
	// A failing hook does not keep the ones after it from running (the
	// runtime-spec: the rest continue as if it had succeeded).
	hs := &specs.Hooks{Poststart: []specs.Hook{fail, save("poststart"), fail}, Poststop: []specs.Hook{fail, save("poststop")}}

	Poststart(hs, specs.State{ID: "c1", Status: specs.StateRunning, Pid: 7})
	Poststop(hs, specs.State{ID: "c1", Status: specs.StateStopped})
	Poststart(nil, specs.State{ID: "c1"})
	Poststop(nil, specs.State{ID: "c1"})
	for name, want := range map[string]string{"poststart": `"status":"running","pid":7`, "poststop": `"status":"stopped"`} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); !strings.Contains(string(b), want) {
			t.Errorf("%s hook read %s, want %s", name, b, want)
		}
	}
	if got := log.String(); strings.Count(got, "level=WARN") != 3 || strings.Count(got, "poststart hook /bin/sh: exit status 3: broken") != 2 ||
		!strings.Contains(got, "poststop hook /bin/sh: exit status 3: broken") {
		t.Errorf("logged %q, want a warning for each failed hook", got)
	}
}
