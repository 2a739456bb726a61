package spec

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestExecProcessFromTemplate(t *testing.T) {
	template := specs.Process{
		Args: []string{"sh"}, Env: []string{"PATH=/bin"}, Cwd: "/",
		User:         specs.User{UID: 1, GID: 1, AdditionalGids: []uint32{7}},
		Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL"}},
	}
	cases := []struct {
		name string
		exec ExecProcess
		want specs.Process
	}{
		{"only the command", ExecProcess{Args: []string{"ls", "-l"}}, specs.Process{
			Args: []string{"ls", "-l"}, Env: []string{"PATH=/bin"}, Cwd: "/",
			User:         specs.User{UID: 1, GID: 1, AdditionalGids: []uint32{7}},
			Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL"}},
		}},
		{"every change", ExecProcess{Args: []string{"top"}, Terminal: true, Cwd: "/srv", Env: []string{"A=1", "B=2"}, User: "5:6",
			AdditionalGids: []string{"10", "11"}, Caps: []string{"CAP_CHOWN"}, NoNewPrivileges: true}, specs.Process{
			Args: []string{"top"}, Env: []string{"PATH=/bin", "A=1", "B=2"}, Cwd: "/srv", Terminal: true,
			User: specs.User{UID: 5, GID: 6, AdditionalGids: []uint32{7, 10, 11}},
			Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL", "CAP_CHOWN"},
				Effective: []string{"CAP_CHOWN"}, Permitted: []string{"CAP_CHOWN"}},
			NoNewPrivileges: true,
		}},
		{"uid alone", ExecProcess{Args: []string{"sh"}, User: "9"}, specs.Process{
			Args: []string{"sh"}, Env: []string{"PATH=/bin"}, Cwd: "/",
			User:         specs.User{UID: 9, GID: 1, AdditionalGids: []uint32{7}},
			Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_KILL"}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.exec.Process(&template)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%+v: process mismatch (-want +got):\n%s", tc.exec, d)
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
		exec ExecProcess
		err  string
	}{
		{ExecProcess{User: "root"}, `--user "root": not uid[:gid]`},
		{ExecProcess{User: "1:x"}, `--user "1:x": not uid[:gid]`},
		{ExecProcess{User: ":1"}, `--user ":1": not uid[:gid]`},
		{ExecProcess{AdditionalGids: []string{"wheel"}}, `--additional-gids "wheel": not a number`},
		{ExecProcess{File: "/nonexistent/process.json"}, "--process: open /nonexistent/process.json"},
		{ExecProcess{File: "/nonexistent/process.json", unsupported: []string{"apparmor"}}, "--apparmor is not supported by goC"},
	} {
		if _, err := tc.exec.Process(&template); err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("%+v: error %v, want it to begin with %q", tc.exec, err, tc.err)
		}
	}
}

func TestExecProcessFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "process.json")
	if err := os.WriteFile(p, []byte(`{"args":["echo","hi"],"cwd":"/tmp","user":{"uid":3,"gid":4}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// --process replaces the template, and the changes that would be made
	// to it.
	e := ExecProcess{File: p, Cwd: "/ignored", Env: []string{"A=1"}}
	got, err := e.Process(&specs.Process{Args: []string{"sh"}, Cwd: "/"})
	if err != nil {
		t.Fatal(err)
	}
	want := specs.Process{Args: []string{"echo", "hi"}, Cwd: "/tmp", User: specs.User{UID: 3, GID: 4}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("--process mismatch (-want +got):\n%s", d)
	}
	// An unknown property is ignored, as runc does; a known one of the
	// wrong type is an error.
	if err := os.WriteFile(p, []byte(`{"args":["x"],"cwd":"/","bogus":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err = e.Process(&specs.Process{}); err != nil || got.Args[0] != "x" {
		t.Errorf("--process with an unknown property: %+v, %v", got, err)
	}
	if err := os.WriteFile(p, []byte(`{"args":"x","cwd":"/","bogus":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = e.Process(&specs.Process{})
	if err == nil || !strings.HasPrefix(err.Error(), "--process "+p+": ") || !strings.Contains(err.Error(), "cannot unmarshal string") {
		t.Errorf("--process with args of the wrong type: error %v", err)
	}
}

// runc exec's flags for the process, in both spellings.
func TestExecProcessFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want ExecProcess
	}{
		{[]string{"id", "ls"}, ExecProcess{}},
		{[]string{"--tty", "--cwd", "/srv", "-e", "A=1", "--env", "B=2", "--user", "5:6", "-g", "10", "--additional-gids", "11",
			"--cap", "CAP_CHOWN", "-c", "CAP_KILL", "--no-new-privs", "--process", "p.json", "id", "top"}, ExecProcess{
			File: "p.json", Cwd: "/srv", User: "5:6", Env: []string{"A=1", "B=2"}, Caps: []string{"CAP_CHOWN", "CAP_KILL"},
			AdditionalGids: []string{"10", "11"}, Terminal: true, NoNewPrivileges: true,
		}},
		{[]string{"-t", "-u", "9", "-p", "q.json", "id"}, ExecProcess{File: "q.json", User: "9", Terminal: true}},
		{[]string{"--process-label", "l", "--apparmor", "a", "id"}, ExecProcess{unsupported: []string{"process-label", "apparmor"}}},
		{[]string{"--apparmor=", "id"}, ExecProcess{}},
	} {
		fs := flag.NewFlagSet("exec", flag.ContinueOnError)
		var e ExecProcess
		e.Flags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatalf("exec %q: %v", tc.args, err)
		}
		if d := cmp.Diff(tc.want, e, cmp.AllowUnexported(ExecProcess{})); d != "" {
			t.Errorf("exec %q: (-want +got):\n%s", tc.args, d)
		}
	}
}

// An exec'd process runs under the container's seccomp filter, as its
// own process does.
func TestExecProcessPlan(t *testing.T) {
	config := Default()
	e := ExecProcess{Args: []string{"ls"}, Cwd: "/srv"}
	p, err := e.Plan(config)
	if err != nil || p.Seccomp != nil || p.Cwd != "/srv" || p.Args[0] != "ls" || p.Caps == nil {
		t.Fatalf("without seccomp: plan %+v, %v", p, err)
	}
	config.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActErrno}}}
	if p, err = e.Plan(config); err != nil || p.Seccomp == nil {
		t.Errorf("with seccomp: filter %v, %v", p.Seccomp, err)
	}
	config.Linux.Seccomp.DefaultAction = "SCMP_ACT_BOGUS"
	if _, err := e.Plan(config); err == nil || !strings.HasPrefix(err.Error(), "config.json: ") {
		t.Errorf("a bad filter: error %v", err)
	}
	if _, err := (ExecProcess{Args: []string{"ls"}, Cwd: "srv"}).Plan(Default()); err == nil || !strings.Contains(err.Error(), `process.cwd "srv"`) {
		t.Errorf("a relative cwd: error %v", err)
	}
	if _, err := (ExecProcess{User: "x"}).Plan(Default()); err == nil || !strings.HasPrefix(err.Error(), "--user ") {
		t.Errorf("a bad --user: error %v", err)
	}
}
