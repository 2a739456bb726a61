package confine

import (
	"reflect"
	"runtime"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/seccomp"
)

// TestPrecompiledIsCurrent: the table go generate wrote is what compiling
// Docker's default profile gives now, for this architecture (amd64, where
// goC is built and tested, has one). Stale after a change to the profile,
// the capabilities or the compiler: run go generate in shared/confine.
func TestPrecompiledIsCurrent(t *testing.T) {
	s, err := Profile("", DefaultCaps)
	if err != nil {
		t.Fatal(err)
	}
	pre, ok := precompiled(s)
	if runtime.GOARCH == "amd64" && !ok {
		t.Fatal("no precompiled default profile matches today's: run go generate in shared/confine")
	}
	if !ok {
		return // another architecture: compiled at every start, as any profile
	}
	want, err := seccomp.Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pre, want) {
		t.Fatal("the precompiled default profile differs from a fresh compile: run go generate in shared/confine")
	}
	got, err := Seccomp("", DefaultCaps, false)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Seccomp(default) = %v, %v; want the compiled default profile", got, err)
	}
}

// TestPrecompiledOnlyForItsProfile: any change to the profile misses the
// table, and is compiled.
func TestPrecompiledOnlyForItsProfile(t *testing.T) {
	s, err := Profile("", DefaultCaps)
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*specs.LinuxSeccomp){
		"another default action": func(s *specs.LinuxSeccomp) { s.DefaultAction = specs.ActKillProcess },
		"one rule fewer":         func(s *specs.LinuxSeccomp) { s.Syscalls = s.Syscalls[1:] },
		"an argument changed": func(s *specs.LinuxSeccomp) {
			for i := range s.Syscalls {
				if len(s.Syscalls[i].Args) > 0 {
					s.Syscalls[i].Args[0].Value++
					return
				}
			}
		},
	} {
		c, err := Profile("", DefaultCaps)
		if err != nil {
			t.Fatal(err)
		}
		edit(c)
		if _, ok := precompiled(c); ok {
			t.Errorf("%s: the precompiled program was used", name)
		}
	}
	if _, ok := precompiled(s); !ok && runtime.GOARCH == "amd64" {
		t.Error("the default profile itself missed the table")
	}
	withSysAdmin, err := Profile("", append(DefaultCaps[:len(DefaultCaps):len(DefaultCaps)], "CAP_SYS_ADMIN"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := precompiled(withSysAdmin); ok {
		t.Error("--cap-add SYS_ADMIN's profile (more syscalls) used the default's program")
	}
}
