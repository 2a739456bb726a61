package confine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"runtime"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/seccomp"
)

//go:generate go run ./internal/gendefault -o precompiled_table.go

// A precompiledProgram is a filter compiled when goC was built: the
// profile it was compiled from, by fingerprint, and the Program as JSON.
type precompiledProgram struct {
	fingerprint string
	program     string
}

// precompiled is the compiled filter of s when s is Docker's default
// profile as resolved for the default capabilities on this architecture
// when goC was built (precompiled_table.go, by go generate): compiling it
// at every start was a sixth of goC's own CPU time before the init runs.
// Any other profile (other capabilities, another kernel's rules, a file)
// is not there, and Seccomp compiles it.
func precompiled(s *specs.LinuxSeccomp) (*seccomp.Program, bool) {
	pre, ok := precompiledPrograms[runtime.GOARCH]
	if !ok {
		return nil, false
	}
	if fp, err := Fingerprint(s); err != nil || fp != pre.fingerprint {
		return nil, false
	}
	var p seccomp.Program
	if err := json.Unmarshal([]byte(pre.program), &p); err != nil {
		return nil, false
	}
	return &p, true
}

// Fingerprint identifies a resolved profile s: the sha256 of its JSON,
// every field of it, so that no change to the profile goes unnoticed.
func Fingerprint(s *specs.LinuxSeccomp) (string, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}
