package confine

import (
	"fmt"

	profiles "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/seccomp"
)

// Seccomp is the filter for --security-opt seccomp=how: Docker's default
// profile (how ""), none ("unconfined", or --privileged), or the profile in
// the file how names, in Docker's format. A profile's conditional entries
// (on capabilities, architecture, kernel version) are resolved by moby's own
// code, github.com/moby/profiles/seccomp, against caps, the container's
// capability names; goC's seccomp package compiles the result.
func Seccomp(how string, caps []string, privileged bool) (*seccomp.Program, error) {
	if how == "unconfined" || (privileged && how == "") {
		return nil, nil
	}
	if how == "" {
		if prog, ok := precompiled(caps); ok {
			return prog, nil
		}
	}
	s, err := Profile(how, caps)
	if err != nil {
		return nil, err
	}
	if s == nil { // a profile with neither default action nor syscalls: Docker's "unconfined"
		return nil, nil
	}
	prog, err := seccomp.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("--security-opt seccomp=%s: %w", how, err)
	}
	return prog, nil
}

// Profile is the profile Seccomp compiles, resolved for caps: Docker's
// default when file is "", else the one in file.
func Profile(file string, caps []string) (*specs.LinuxSeccomp, error) {
	rs := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
	if file == "" {
		s, err := profiles.GetDefaultProfile(rs)
		if err != nil {
			return nil, fmt.Errorf("seccomp: Docker's default profile: %w", err)
		}
		return s, nil
	}
	body, err := readProfile(file)
	if err != nil {
		return nil, err
	}
	s, err := profiles.LoadProfile(body, rs)
	if err != nil {
		return nil, fmt.Errorf("--security-opt seccomp=%s: %w", file, err)
	}
	return s, nil
}
