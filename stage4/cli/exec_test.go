package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"goc.dev/shared/spec"
)

// exec's flags: those of the process (spec.ExecProcess registers and
// applies them) and those of how to run it.
func TestExecFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want execFlags
	}{
		{[]string{"id", "ls"}, execFlags{}},
		{[]string{"--tty", "--user", "5:6", "--console-socket", "s", "--detach", "--pid-file", "pid", "--preserve-fds", "2",
			"--ignore-paused", "--cgroup", "memory:a", "--cgroup", "pids:b", "id", "top"}, execFlags{
			ExecProcess:   spec.ExecProcess{User: "5:6", Terminal: true, Cgroups: []string{"memory:a", "pids:b"}},
			consoleSocket: "s", pidFile: "pid", detach: true, ignorePaused: true, preserveFds: 2,
		}},
		{[]string{"-t", "-p", "q.json", "-d", "id"}, execFlags{
			ExecProcess: spec.ExecProcess{File: "q.json", Terminal: true},
			detach:      true,
		}},
	} {
		fs := newFlags("exec")
		var f execFlags
		f.register(fs)
		if err := parse(fs, tc.args); err != nil {
			t.Fatalf("exec %q: %v", tc.args, err)
		}
		if d := cmp.Diff(tc.want, f, cmp.AllowUnexported(execFlags{}), cmpopts.IgnoreUnexported(spec.ExecProcess{})); d != "" {
			t.Errorf("exec %q: flags mismatch (-want +got):\n%s", tc.args, d)
		}
	}
}
