package seccomp

import (
	"fmt"
	"runtime"
	"sort"
)

//go:generate go run ./internal/gentables -o syscalls_table.go

// An archInfo is an architecture as a filter sees it: its audit number
// (seccomp_data.arch) and its syscall numbers, sorted by name.
type archInfo struct {
	name  string
	id    uint32
	calls []syscallNumber
}

type syscallNumber struct {
	name string
	nr   uint32
}

// x32Bit marks the syscall numbers of the x32 ABI on x86_64
// (__X32_SYSCALL_BIT).
const x32Bit = 0x40000000

// number is the syscall's number on a, if a has it.
func (a *archInfo) number(name string) (uint32, bool) {
	i := sort.Search(len(a.calls), func(i int) bool { return a.calls[i].name >= name })
	if i < len(a.calls) && a.calls[i].name == name {
		return a.calls[i].nr, true
	}
	return 0, false
}

// archFor is the architecture of a GOARCH ("" is this machine's).
func archFor(goarch string) (*archInfo, error) {
	if goarch == "" {
		goarch = runtime.GOARCH
	}
	switch goarch {
	case "amd64":
		return archX86_64, nil
	case "386":
		return archI386, nil
	case "arm64":
		return archAARCH64, nil
	case "arm":
		return archARM, nil
	}
	return nil, fmt.Errorf("seccomp: no syscall table for %s", goarch)
}
