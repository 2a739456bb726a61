package hooks

import (
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
