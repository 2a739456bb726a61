package confine

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"goc.dev/shared/seccomp"
)

//go:generate go run ./internal/gendefault -o precompiled_table.go

// A precompiledProgram is Docker's default profile compiled when goC was
// built: resolved for caps (sorted) on a kernel at least minKernel, the
// newest version any of the profile's rules names — the profile is the
// same on every kernel from there on.
type precompiledProgram struct {
	caps      []string
	minKernel [2]uint64
	program   seccomp.Program
}

// precompiled is the compiled filter of Docker's default profile for caps,
// when the table (precompiled_table.go, by go generate) has it for this
// architecture, these capabilities and this kernel. Resolving the profile
// and compiling it took more than half a millisecond of every goC run;
// checking the inputs takes a uname. Anything else (other capabilities,
// an older kernel, a profile from a file) is resolved and compiled.
func precompiled(caps []string) (*seccomp.Program, bool) {
	pre, ok := precompiledPrograms[runtime.GOARCH]
	if !ok || len(caps) != len(pre.caps) {
		return nil, false
	}
	sorted := slices.Sorted(slices.Values(caps))
	if !slices.Equal(sorted, pre.caps) {
		return nil, false
	}
	if v, err := kernelVersion(); err != nil || slices.Compare(v[:], pre.minKernel[:]) < 0 {
		return nil, false
	}
	p := pre.program
	p.Filter = slices.Clone(p.Filter)
	return &p, true
}

// kernelVersion is the running kernel's version and major revision, as
// Docker's profile compares them (a variable for tests).
var kernelVersion = func() ([2]uint64, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return [2]uint64{}, err
	}
	return parseKernelVersion(unix.ByteSliceToString(u.Release[:]))
}

// parseKernelVersion reads "6.1" from a release such as "6.1.0-28-amd64".
func parseKernelVersion(release string) ([2]uint64, error) {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return [2]uint64{}, fmt.Errorf("kernel release %q: no version", release)
	}
	var v [2]uint64
	for i := range v {
		digits := parts[i]
		if end := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }); end >= 0 {
			digits = digits[:end]
		}
		n, err := strconv.ParseUint(digits, 10, 64)
		if err != nil {
			return [2]uint64{}, fmt.Errorf("kernel release %q: %w", release, err)
		}
		v[i] = n
	}
	return v, nil
}
