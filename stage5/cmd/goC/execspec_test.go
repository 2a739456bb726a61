package main

import (
	"testing"

	"goc.dev/shared/seccomp"
	"goc.dev/shared/spec"
)

// The spec the shim writes gives goC exec the container's process: its
// environment, directory, user, capabilities and seccomp filter.
func TestExecSpecRoundTrip(t *testing.T) {
	caps := []int{0, 21} // CAP_CHOWN, CAP_SYS_ADMIN
	p := spec.Plan{Args: []string{"sleep", "1"}, Env: []string{"A=1"}, Cwd: "/srv", UID: 5, GID: 6,
		NoNewPrivileges: true, Caps: &spec.Caps{Bounding: caps, Effective: caps, Permitted: caps},
		Seccomp: &seccomp.Program{}}
	for _, tc := range []struct {
		args    []string
		seccomp bool
	}{
		{[]string{"--id", "x", "img"}, true},
		{[]string{"--security-opt", "seccomp=unconfined", "img"}, false},
		{[]string{"--privileged", "img"}, false},
	} {
		s, err := execSpec(p, tc.args)
		if err != nil {
			t.Fatal(err)
		}
		if (s.Linux.Seccomp != nil) != tc.seccomp {
			t.Errorf("%v: seccomp %v, want %v", tc.args, s.Linux.Seccomp != nil, tc.seccomp)
		}
		x := spec.ExecProcess{Args: []string{"id"}}
		got, err := x.Plan(s)
		if err != nil {
			t.Fatal(err)
		}
		if got.UID != 5 || got.GID != 6 || got.Cwd != "/srv" || got.Env[0] != "A=1" || !got.NoNewPrivileges ||
			len(got.Caps.Effective) != 2 || got.Caps.Effective[1] != 21 || (got.Seccomp != nil) != tc.seccomp {
			t.Errorf("%v: exec plan %+v", tc.args, got)
		}
	}
}
