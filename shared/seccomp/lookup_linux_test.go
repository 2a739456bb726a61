package seccomp

import (
	"math/bits"
	"testing"

	libseccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	profiles "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// dockerDefault is Docker's default profile for its default capabilities.
func dockerDefault(t testing.TB) *specs.LinuxSeccomp {
	t.Helper()
	caps := []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
		"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
		"CAP_KILL", "CAP_AUDIT_WRITE"}
	s, err := profiles.GetDefaultProfile(&specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// steps runs p as the kernel would for one syscall and returns what it
// returns and how many instructions it ran.
func steps(t testing.TB, p *Program, audit, nr uint32, args ...uint64) (ret uint32, n int) {
	t.Helper()
	data := map[uint32]uint32{0: nr, 4: audit}
	for i, a := range args {
		data[uint32(16+8*i)], data[uint32(20+8*i)] = uint32(a), uint32(a>>32)
	}
	var acc uint32
	for pc := 0; pc < len(p.Filter); pc++ {
		n++
		in := p.Filter[pc]
		switch in.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			acc = data[in.K]
		case unix.BPF_ALU | unix.BPF_AND | unix.BPF_K:
			acc &= in.K
		case unix.BPF_JMP | unix.BPF_JA:
			pc += int(in.K)
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, unix.BPF_JMP | unix.BPF_JGT | unix.BPF_K,
			unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K, unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			var hold bool
			switch in.Code &^ (unix.BPF_JMP | unix.BPF_K) {
			case unix.BPF_JEQ:
				hold = acc == in.K
			case unix.BPF_JGT:
				hold = acc > in.K
			case unix.BPF_JGE:
				hold = acc >= in.K
			default:
				hold = acc&in.K != 0
			}
			if hold {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case unix.BPF_RET | unix.BPF_K:
			return in.K, n
		default:
			t.Fatalf("instruction %d: %+v not known here", pc, in)
		}
	}
	t.Fatal("ran off the end of the filter")
	return 0, n
}

// The syscalls a profile allows (or denies) whatever their arguments are
// found by a binary search, not by trying each rule in turn: with Docker's
// profile no such syscall runs more than a few instructions of the filter,
// where the linear filter ran up to hundreds, for each syscall the
// container makes and, at load, for each syscall number the kernel tries.
func TestPlainSyscallsAreLookedUp(t *testing.T) {
	info, err := arch.GetInfo("")
	if err != nil {
		t.Fatal(err)
	}
	s := dockerDefault(t)
	p, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	conditional := map[uint32]bool{}
	for _, r := range s.Syscalls {
		for _, name := range r.Names {
			if nr, ok := info.SyscallNames[name]; ok && len(r.Args) > 0 {
				conditional[uint32(nr)] = true
			}
		}
	}
	limit := 2*bits.Len(uint(len(p.Filter))) + 8
	worst := 0
	for nr := uint32(0); nr < 1024; nr++ {
		if conditional[nr] {
			continue
		}
		_, n := steps(t, p, uint32(info.ID), nr)
		worst = max(worst, n)
	}
	if worst > limit {
		t.Errorf("a syscall without argument rules ran %d of the %d instructions, want at most %d", worst, len(p.Filter), limit)
	}
	t.Logf("%d instructions; at most %d run for a syscall without argument rules", len(p.Filter), worst)
}

// assembleLinear is how goC assembled a filter before the lookup: each
// group tried in turn. It is the model the lookup must agree with.
func assembleLinear(groups []libseccomp.SyscallGroup, info *arch.Info, def libseccomp.Action) ([]bpf.Instruction, error) {
	loadNr := bpf.LoadAbsolute{Off: 0, Size: 4}
	after := []bpf.Instruction{loadNr}
	if info.ID == arch.X86_64.ID {
		after = append(after, bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: uint32(arch.X32.SeccompMask), SkipFalse: 1},
			bpf.RetConstant{Val: uint32(libseccomp.ActionErrno) | uint32(unix.ENOSYS)})
	}
	for _, g := range groups {
		if len(g.Names)+len(g.NamesWithCondtions) == 0 {
			continue
		}
		body, err := assembleGroup(g, info, loadNr)
		if err != nil {
			return nil, err
		}
		after = append(append(after, loadNr), body...)
	}
	head := []bpf.Instruction{bpf.LoadAbsolute{Off: 4, Size: 4}}
	if len(after) <= 255 {
		head = append(head, bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: uint32(info.ID), SkipTrue: uint8(len(after))})
	} else {
		head = append(head, bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(info.ID), SkipTrue: 1}, bpf.Jump{Skip: uint32(len(after))})
	}
	return append(append(head, after...), bpf.RetConstant{Val: uint32(def)}), nil
}

// Every syscall number, from this architecture, x32 and another, with
// arguments that do and do not meet the profiles' conditions, gets what
// the linear filter gave it.
func TestLookupAgreesWithLinear(t *testing.T) {
	zero, enosys := uint(0), uint(unix.ENOSYS)
	profiles := map[string]*specs.LinuxSeccomp{
		"docker": dockerDefault(t),
		"deny list": {DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"mkdir", "mkdirat", "rmdir"}, Action: specs.ActErrno},
			{Names: []string{"clone3"}, Action: specs.ActErrno, ErrnoRet: &enosys},
			{Names: []string{"kill"}, Action: specs.ActKillProcess, Args: []specs.LinuxSeccompArg{{Index: 1, Value: 9, Op: specs.OpEqualTo}}},
		}},
		"mixed": {DefaultAction: specs.ActErrno, DefaultErrnoRet: &zero, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "write", "close", "openat"}, Action: specs.ActAllow},
			{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 8, Op: specs.OpEqualTo}}},
			{Names: []string{"getpid", "gettid"}, Action: specs.ActTrap},
			{Names: []string{"socket"}, Action: specs.ActErrno, ErrnoRet: &enosys, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 40, Op: specs.OpEqualTo}}},
			{Names: []string{"socket"}, Action: specs.ActAllow},
			{Names: []string{"exit", "exit_group"}, Action: specs.ActLog},
		}},
	}
	info, err := arch.GetInfo("")
	if err != nil {
		t.Fatal(err)
	}
	audit := uint32(info.ID)
	argSets := [][]uint64{nil, {8}, {40, 1}, {0x7e020000}, {0xffffffff, 9}, {1 << 33}}
	for name, s := range profiles {
		t.Run(name, func(t *testing.T) {
			p, err := Compile(s)
			if err != nil {
				t.Fatal(err)
			}
			model, err := compileWith(s, assembleLinear)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range []uint32{audit, audit ^ 1} {
				for nr := uint32(0); nr < 1024; nr++ {
					for _, args := range argSets {
						for _, n := range []uint32{nr, nr | uint32(arch.X32.SeccompMask)} {
							got, _ := steps(t, p, a, n, args...)
							want, _ := steps(t, model, a, n, args...)
							if got != want {
								t.Fatalf("arch %#x, syscall %d, args %v: %#x, the linear filter %#x", a, n, args, got, want)
							}
						}
					}
				}
			}
			t.Logf("%d instructions, linear %d", len(p.Filter), len(model.Filter))
		})
	}
}
