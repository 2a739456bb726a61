package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// execArgs parses exec's flags as cmdExec does.
func execArgs(t *testing.T, args ...string) (*execFlags, []string) {
	t.Helper()
	fs := newFlags("exec")
	var f execFlags
	f.register(fs)
	if err := parse(fs, args); err != nil {
		t.Fatalf("exec %q: %v", args, err)
	}
	return &f, fs.Args()
}

func TestExecProcessFromTemplate(t *testing.T) {
	template := specs.Process{
		Args: []string{"sh"}, Env: []string{"PATH=/bin"}, Cwd: "/",
		User:         specs.User{UID: 1, GID: 1, AdditionalGids: []uint32{7}},
		Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL"}},
	}
	cases := []struct {
		name string
		args []string
		want specs.Process
	}{
		{"only the command", []string{"id", "ls", "-l"}, specs.Process{
			Args: []string{"ls", "-l"}, Env: []string{"PATH=/bin"}, Cwd: "/",
			User:         specs.User{UID: 1, GID: 1, AdditionalGids: []uint32{7}},
			Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL"}},
		}},
		{"every flag", []string{"--tty", "--cwd", "/srv", "-e", "A=1", "--env", "B=2", "--user", "5:6",
			"-g", "10", "--additional-gids", "11", "--cap", "CAP_CHOWN", "--no-new-privs", "id", "top"}, specs.Process{
			Args: []string{"top"}, Env: []string{"PATH=/bin", "A=1", "B=2"}, Cwd: "/srv", Terminal: true,
			User: specs.User{UID: 5, GID: 6, AdditionalGids: []uint32{7, 10, 11}},
			Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL", "CAP_CHOWN"},
				Effective: []string{"CAP_CHOWN"}, Permitted: []string{"CAP_CHOWN"}},
			NoNewPrivileges: true,
		}},
		{"uid alone", []string{"-u", "9", "id", "sh"}, specs.Process{
			Args: []string{"sh"}, Env: []string{"PATH=/bin"}, Cwd: "/",
			User:         specs.User{UID: 9, GID: 1, AdditionalGids: []uint32{7}},
			Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL"}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, rest := execArgs(t, tc.args...)
			got, err := f.process(&template, rest[1:])
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("exec %q: process mismatch (-want +got):\n%s", tc.args, d)
			}
		})
	}
	// The template, config.json's process, is left as it was.
	if len(template.Env) != 1 || len(template.User.AdditionalGids) != 1 || len(template.Capabilities.Bounding) != 1 || template.User.UID != 1 {
		t.Errorf("the template changed: %+v", template)
	}
}

func TestExecProcessErrors(t *testing.T) {
	template := specs.Process{Args: []string{"sh"}, Cwd: "/"}
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"--user", "root", "id", "sh"}, `--user "root": not uid[:gid]`},
		{[]string{"--user", "1:x", "id", "sh"}, `--user "1:x": not uid[:gid]`},
		{[]string{"--additional-gids", "wheel", "id", "sh"}, `--additional-gids "wheel": not a number`},
		{[]string{"--process", "/nonexistent/process.json", "id"}, "exec: --process: open /nonexistent/process.json"},
	} {
		f, rest := execArgs(t, tc.args...)
		if _, err := f.process(&template, rest[1:]); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("exec %q: error %v, want it to mention %q", tc.args, err, tc.err)
		}
	}
}

func TestExecProcessFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "process.json")
	if err := os.WriteFile(p, []byte(`{"args":["echo","hi"],"cwd":"/tmp","user":{"uid":3,"gid":4}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// --process replaces the template, and the flags that would change it.
	f, rest := execArgs(t, "--process", p, "--cwd", "/ignored", "id")
	got, err := f.process(&specs.Process{Args: []string{"sh"}, Cwd: "/"}, rest[1:])
	if err != nil {
		t.Fatal(err)
	}
	want := specs.Process{Args: []string{"echo", "hi"}, Cwd: "/tmp", User: specs.User{UID: 3, GID: 4}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("--process mismatch (-want +got):\n%s", d)
	}
	if err := os.WriteFile(p, []byte(`{"args":["x"],"cwd":"/","bogus":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.process(&specs.Process{}, nil); err == nil || !strings.Contains(err.Error(), `unknown field "bogus"`) {
		t.Errorf("--process with an unknown field: error %v", err)
	}
}
