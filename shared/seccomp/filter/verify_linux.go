package filter

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// seccompDataSize is sizeof(struct seccomp_data): nr, arch,
// instruction_pointer and six arguments.
const seccompDataSize = 64

// Verify checks p's filter as the kernel's seccomp_check_filter would
// refuse it: 1 to BPF_MAXINSNS instructions, every jump landing inside the
// program (forward, as classic BPF jumps are), loads only from aligned
// offsets of seccomp_data, and a return as the last instruction, so that no
// path runs off the end.
func (p *Program) Verify() error {
	f := p.Filter
	if len(f) == 0 || len(f) > unix.BPF_MAXINSNS {
		return fmt.Errorf("seccomp filter: %d instructions, want 1 to %d", len(f), unix.BPF_MAXINSNS)
	}
	for pc, in := range f {
		switch in.Code & 0x07 { // the instruction class
		case unix.BPF_JMP:
			if err := checkJump(pc, in, len(f)); err != nil {
				return err
			}
		case unix.BPF_LD:
			if in.Code == unix.BPF_LD|unix.BPF_W|unix.BPF_ABS && (in.K >= seccompDataSize || in.K%4 != 0) {
				return fmt.Errorf("seccomp filter: instruction %d loads seccomp_data offset %d", pc, in.K)
			}
		}
	}
	if last := f[len(f)-1]; last.Code&0x07 != unix.BPF_RET {
		return fmt.Errorf("seccomp filter: ends with %#x, not a return", last.Code)
	}
	return nil
}

// checkJump checks that the jump at pc lands inside an n-instruction program.
func checkJump(pc int, in unix.SockFilter, n int) error {
	targets := []int{pc + 1 + int(in.Jt), pc + 1 + int(in.Jf)}
	if in.Code&0xf0 == unix.BPF_JA {
		targets = []int{pc + 1 + int(in.K)}
	}
	for _, t := range targets {
		if t >= n {
			return fmt.Errorf("seccomp filter: jump at %d to %d, past the end (%d instructions)", pc, t, n)
		}
	}
	return nil
}
