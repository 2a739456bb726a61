package confine

import (
	"reflect"
	"runtime"
	"slices"
	"testing"

	"goc.dev/shared/seccomp"
)

// TestPrecompiledIsCurrent: the table go generate wrote is what compiling
// Docker's default profile gives now, for this architecture (amd64, where
// goC is built and tested, has one), whatever the order of the
// capabilities. Stale after a change to the profile, the capabilities or
// the compiler: run go generate in shared/confine.
func TestPrecompiledIsCurrent(t *testing.T) {
	s, err := Profile("", DefaultCaps)
	if err != nil {
		t.Fatal(err)
	}
	want, err := seccomp.Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	reversed := slices.Clone(DefaultCaps)
	slices.Reverse(reversed)
	for _, caps := range [][]string{DefaultCaps, reversed} {
		pre, ok := precompiled(caps)
		if runtime.GOARCH == "amd64" && !ok {
			t.Fatal("no precompiled default profile for Docker's capabilities: run go generate in shared/confine")
		}
		if !ok {
			return // another architecture: compiled at every start, as any profile
		}
		if !reflect.DeepEqual(pre, want) {
			t.Fatal("the precompiled default profile differs from a fresh compile: run go generate in shared/confine")
		}
	}
	got, err := Seccomp("", DefaultCaps, false)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Seccomp(default) = %v, %v; want the compiled default profile", got, err)
	}
}

// TestPrecompiledOnlyForItsInputs: other capabilities (which change the
// profile's rules), or a kernel older than a version the profile's rules
// name, miss the table, and the profile is compiled.
func TestPrecompiledOnlyForItsInputs(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the table has amd64's program only")
	}
	for name, caps := range map[string][]string{
		"with SYS_ADMIN": append(slices.Clone(DefaultCaps), "CAP_SYS_ADMIN"),
		"without KILL":   slices.DeleteFunc(slices.Clone(DefaultCaps), func(c string) bool { return c == "CAP_KILL" }),
		"none":           nil,
	} {
		if _, ok := precompiled(caps); ok {
			t.Errorf("%s: the precompiled program was used", name)
		}
	}
	withSysAdmin, err := Seccomp("", append(slices.Clone(DefaultCaps), "CAP_SYS_ADMIN"), false)
	if err != nil {
		t.Fatal(err)
	}
	if def, _ := precompiled(DefaultCaps); reflect.DeepEqual(withSysAdmin, def) {
		t.Error("--cap-add SYS_ADMIN's profile (more syscalls) got the default's program")
	}
	old := kernelVersion
	t.Cleanup(func() { kernelVersion = old })
	min := precompiledPrograms[runtime.GOARCH].minKernel
	for v, want := range map[[2]uint64]bool{min: true, {min[0], min[1] - 1}: false, {min[0] - 1, 99}: false, {min[0] + 1, 0}: true} {
		kernelVersion = func() ([2]uint64, error) { return v, nil }
		if _, ok := precompiled(DefaultCaps); ok != want {
			t.Errorf("kernel %d.%d (the profile's newest rule: %d.%d): precompiled %v, want %v", v[0], v[1], min[0], min[1], ok, want)
		}
	}
}

func TestParseKernelVersion(t *testing.T) {
	for in, want := range map[string][2]uint64{"6.1.0-28-amd64": {6, 1}, "4.8": {4, 8}, "5.15.167.4-microsoft-standard-WSL2": {5, 15}} {
		if got, err := parseKernelVersion(in); err != nil || got != want {
			t.Errorf("parseKernelVersion(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "6", "x.1", "6.y"} {
		if _, err := parseKernelVersion(in); err == nil {
			t.Errorf("parseKernelVersion(%q): no error", in)
		}
	}
}
