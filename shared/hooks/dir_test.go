package hooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The working directory of each kind of hook is runc 1.1.5's: runc create
// and run work in the bundle, so prestart, createRuntime and poststart run
// there; poststop runs in its caller's (runc delete's), or in the bundle
// under run; createContainer and startContainer, run by the container's
// init, in its (see the init). A bundle that is gone leaves the caller's.
func TestWorkingDirectory(t *testing.T) {
	bundle, out := t.TempDir(), t.TempDir()
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	pwd := func(kind string) []specs.Hook {
		return []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "pwd > " + filepath.Join(out, kind)}}}
	}
	st := specs.State{ID: "c1", Bundle: bundle}
	for _, kind := range []string{"prestart", "createRuntime", "createContainer", "startContainer"} {
		if err := Run(kind, pwd(kind), st); err != nil {
			t.Fatal(err)
		}
	}
	hs := &specs.Hooks{Poststart: pwd("poststart"), Poststop: pwd("poststop")}
	Poststart(hs, st)
	Poststop(hs, st)
	PoststopInBundle(&specs.Hooks{Poststop: pwd("poststop-run")}, st)
	PoststopInBundle(&specs.Hooks{Poststop: pwd("poststop-gone")}, specs.State{ID: "c1", Bundle: filepath.Join(bundle, "gone")})
	want := map[string]string{
		"prestart": bundle, "createRuntime": bundle, "poststart": bundle, "poststop-run": bundle,
		"createContainer": here, "startContainer": here, "poststop": here, "poststop-gone": here,
	}
	for kind, dir := range want {
		b, err := os.ReadFile(filepath.Join(out, kind))
		if err != nil {
			t.Errorf("%s: %v", kind, err)
			continue
		}
		if got := strings.TrimSpace(string(b)); got != dir {
			t.Errorf("%s hook ran in %s, want %s", kind, got, dir)
		}
	}
}
