package seccomp

import (
	"math/bits"
	"slices"
	"testing"

	"github.com/elastic/go-seccomp-bpf/arch"
	profiles "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
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

// model is what the filter of s must return for a syscall, worked out
// from the profile directly (MASKED_EQ as libseccomp defines it: argument
// AND value equals valueTwo): the oracle the assembled filter is held to.
// Rules with the default action are left out, the first unconditional rule
// for the syscall wins, else the first conditional one whose conditions all
// hold, else the default action.
func model(t testing.TB, s *specs.LinuxSeccomp, audit, nr uint32, args []uint64) uint32 {
	t.Helper()
	a, err := archFor("")
	if err != nil {
		t.Fatal(err)
	}
	def, err := action(s.DefaultAction, s.DefaultErrnoRet)
	if err != nil {
		t.Fatal(err)
	}
	enosys := uint32(unix.SECCOMP_RET_ERRNO | unix.ENOSYS)
	if audit != a.id {
		return uint32(def)
	}
	newest := -1
	for _, r := range s.Syscalls {
		for _, name := range r.Names {
			if n, ok := a.number(name); ok {
				newest = max(newest, int(n))
			}
		}
	}
	switch def & unix.SECCOMP_RET_ACTION_FULL {
	case unix.SECCOMP_RET_ALLOW, unix.SECCOMP_RET_LOG, unix.SECCOMP_RET_TRACE:
	default:
		if uint32(def) != enosys && newest >= 0 && int64(nr) > int64(newest) {
			return enosys
		}
	}
	if a == archX86_64 && nr >= x32Bit {
		return enosys
	}
	arg := func(i uint) uint64 {
		if int(i) < len(args) {
			return args[i]
		}
		return 0
	}
	holds := func(c specs.LinuxSeccompArg) bool {
		v := arg(c.Index)
		switch c.Op {
		case specs.OpEqualTo:
			return v == c.Value
		case specs.OpNotEqual:
			return v != c.Value
		case specs.OpGreaterThan:
			return v > c.Value
		case specs.OpGreaterEqual:
			return v >= c.Value
		case specs.OpLessThan:
			return v < c.Value
		case specs.OpLessEqual:
			return v <= c.Value
		case specs.OpMaskedEqual:
			return v&c.Value == c.ValueTwo
		}
		t.Fatalf("operator %q", c.Op)
		return false
	}
	names := func(r specs.LinuxSyscall) bool {
		return slices.ContainsFunc(r.Names, func(name string) bool { n, ok := a.number(name); return ok && n == nr })
	}
	var conditional []specs.LinuxSyscall
	for _, r := range s.Syscalls {
		act, err := action(r.Action, r.ErrnoRet)
		if err != nil {
			t.Fatal(err)
		}
		if act == def || !names(r) {
			continue
		}
		if len(r.Args) == 0 {
			return uint32(act)
		}
		conditional = append(conditional, r)
	}
	for _, r := range conditional {
		if !slices.ContainsFunc(r.Args, func(c specs.LinuxSeccompArg) bool { return !holds(c) }) {
			act, _ := action(r.Action, r.ErrnoRet)
			return uint32(act)
		}
	}
	return uint32(def)
}

// agrees checks p against the model for every syscall number up to 1024,
// of this architecture, x32 and another, with several argument sets.
func agrees(t testing.TB, s *specs.LinuxSeccomp, p *Program) {
	t.Helper()
	a, err := archFor("")
	if err != nil {
		t.Fatal(err)
	}
	argSets := [][]uint64{nil, {8}, {40, 1}, {0x7e020000}, {0xffffffff, 9}, {1 << 33}, {0x20000000, 0, 0xffffffffffffffff}}
	for _, audit := range []uint32{a.id, a.id ^ 1} {
		for nr := uint32(0); nr < 1024; nr++ {
			for _, args := range argSets {
				for _, n := range []uint32{nr, nr | x32Bit} {
					got, _ := steps(t, p, audit, n, args...)
					if want := model(t, s, audit, n, args); got != want {
						t.Fatalf("arch %#x, syscall %d, args %#x: the filter returns %#x, the profile says %#x", audit, n, args, got, want)
					}
				}
			}
		}
	}
}

// Every syscall number, from this architecture, x32 and another, with
// arguments that do and do not meet the profiles' conditions, gets what
// the profile says.
func TestFilterAgreesWithProfile(t *testing.T) {
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
		"every operator": {DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 8, Op: specs.OpNotEqual}, {Index: 1, Value: 1 << 33, Op: specs.OpLessThan}}},
			{Names: []string{"write"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 40, Op: specs.OpGreaterThan}}},
			{Names: []string{"close"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 1 << 33, Op: specs.OpGreaterEqual}}},
			{Names: []string{"openat"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 2, Value: 0xffffffff, Op: specs.OpLessEqual}}},
			{Names: []string{"clone"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0x7e020000, Op: specs.OpMaskedEqual}}},
			{Names: []string{"clone"}, Action: specs.ActKillProcess, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0x20000000, ValueTwo: 0x20000000, Op: specs.OpMaskedEqual}}},
			{Names: []string{"kill"}, Action: specs.ActTrap, Args: []specs.LinuxSeccompArg{{Index: 1, Value: 9, Op: specs.OpEqualTo}, {Index: 0, Value: 40, Op: specs.OpLessEqual}}},
		}},
	}
	for name, s := range profiles {
		t.Run(name, func(t *testing.T) {
			p, err := Compile(s)
			if err != nil {
				t.Fatal(err)
			}
			agrees(t, s, p)
			t.Logf("%d instructions", len(p.Filter))
		})
	}
}

// The syscall tables go generate copied are the library's.
func TestTablesMatchTheLibrary(t *testing.T) {
	for goarch, lib := range map[string]*arch.Info{"amd64": arch.X86_64, "386": arch.I386, "arm64": arch.AARCH64, "arm": arch.ARM} {
		a, err := archFor(goarch)
		if err != nil {
			t.Fatal(err)
		}
		if a.id != uint32(lib.ID) || len(a.calls) != len(lib.SyscallNames) {
			t.Errorf("%s: id %#x, %d syscalls; the library: %#x, %d (go generate in shared/seccomp)", goarch, a.id, len(a.calls), uint32(lib.ID), len(lib.SyscallNames))
		}
		for name, nr := range lib.SyscallNames {
			if got, ok := a.number(name); !ok || got != uint32(nr) {
				t.Errorf("%s: %s is %d, %v; the library: %d", goarch, name, got, ok, nr)
			}
		}
	}
	if _, err := archFor("mips"); err == nil {
		t.Error("archFor(mips): no error")
	}
}
