// Package seccomp turns a config.json's linux.seccomp into a BPF program
// (in goC, where an error can still name the field) and loads it (in the
// container's init, just before exec). The BPF is assembled by
// github.com/elastic/go-seccomp-bpf, which also knows each architecture's
// syscall numbers; this package maps the runtime-spec onto it.
package seccomp

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"strings"

	libseccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"goc.dev/shared/seccomp/filter"
)

// Program is a compiled filter: what the init loads (package filter,
// which the init links without the compiler).
type Program = filter.Program

var actions = map[specs.LinuxSeccompAction]libseccomp.Action{
	specs.ActKill:        libseccomp.ActionKillThread,
	specs.ActKillThread:  libseccomp.ActionKillThread,
	specs.ActKillProcess: libseccomp.ActionKillProcess,
	specs.ActTrap:        libseccomp.ActionTrap,
	specs.ActErrno:       libseccomp.ActionErrno,
	specs.ActTrace:       libseccomp.ActionTrace,
	specs.ActAllow:       libseccomp.ActionAllow,
	specs.ActLog:         libseccomp.ActionLog,
	specs.ActNotify:      libseccomp.ActionUserNotify,
}

var flags = map[specs.LinuxSeccompFlag]uint{
	specs.LinuxSeccompFlagLog:              unix.SECCOMP_FILTER_FLAG_LOG,
	specs.LinuxSeccompFlagSpecAllow:        unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW,
	specs.LinuxSeccompFlagWaitKillableRecv: 1 << 5, // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
}

// errnoZero marks SCMP_ACT_ERRNO with errnoRet 0 while a group is
// assembled: the assembler turns a bare errno action into EPERM.
const errnoZero = 0xffff

// action is a rule's action with its errno (EPERM unless given, as runc).
func action(a specs.LinuxSeccompAction, errno *uint) (libseccomp.Action, error) {
	act, ok := actions[a]
	if !ok {
		return 0, fmt.Errorf("unknown action %q", a)
	}
	if act == libseccomp.ActionErrno || act == libseccomp.ActionTrace {
		e := uint(unix.EPERM)
		if errno != nil {
			e = *errno
		}
		if e >= errnoZero {
			return 0, fmt.Errorf("errnoRet %d out of range", e)
		}
		act |= libseccomp.Action(e)
	} else if errno != nil {
		return 0, fmt.Errorf("errnoRet is only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not %s", a)
	}
	return act, nil
}

// condition maps one argument comparison. MASKED_EQ is supported in the
// two forms profiles use: "no bit of the mask set" (value 0) and "the
// mask's one bit set".
func condition(a specs.LinuxSeccompArg) (libseccomp.Condition, error) {
	if a.Index > 5 {
		return libseccomp.Condition{}, fmt.Errorf("argument index %d out of range", a.Index)
	}
	c := libseccomp.Condition{Argument: uint32(a.Index), Value: a.Value}
	switch a.Op {
	case specs.OpEqualTo:
		c.Operation = libseccomp.Equal
	case specs.OpNotEqual:
		c.Operation = libseccomp.NotEqual
	case specs.OpGreaterThan:
		c.Operation = libseccomp.GreaterThan
	case specs.OpGreaterEqual:
		c.Operation = libseccomp.GreaterOrEqual
	case specs.OpLessThan:
		c.Operation = libseccomp.LessThan
	case specs.OpLessEqual:
		c.Operation = libseccomp.LessOrEqual
	case specs.OpMaskedEqual:
		switch {
		case a.ValueTwo == 0:
			c.Operation = libseccomp.BitsNotSet
		case a.ValueTwo == a.Value && bits.OnesCount64(a.Value) == 1:
			c.Operation = libseccomp.BitsSet
		default:
			return c, fmt.Errorf("SCMP_CMP_MASKED_EQ with mask %#x and value %#x is not supported by goC (only value 0, or a one-bit mask equal to the value)", a.Value, a.ValueTwo)
		}
	default:
		return c, fmt.Errorf("unknown operator %q", a.Op)
	}
	return c, nil
}

// Compile checks s and assembles it for this machine's architecture.
// Syscall names the architecture does not have are skipped, as runc does
// (profiles list syscalls of newer kernels and other architectures).
// Calls from other architectures (32-bit binaries) get the default action.
func Compile(s *specs.LinuxSeccomp) (*Program, error) { return compileWith(s, assemble) }

// compileWith is Compile with asm as the assembler of the rules.
func compileWith(s *specs.LinuxSeccomp, asm func([]libseccomp.SyscallGroup, *arch.Info, libseccomp.Action) ([]bpf.Instruction, error)) (*Program, error) {
	info, err := arch.GetInfo("")
	if err != nil {
		return nil, err
	}
	prog, def, groups, err := prepare(s, info)
	if err != nil {
		return nil, err
	}
	insts, err := asm(groups, info, def)
	if err != nil {
		return nil, fmt.Errorf("linux.seccomp: %w", err)
	}
	raw, err := bpf.Assemble(append(newerENOSYS(s, info, def), insts...))
	if err != nil {
		return nil, fmt.Errorf("linux.seccomp: %w", err)
	}
	if len(raw) > unix.BPF_MAXINSNS {
		return nil, fmt.Errorf("linux.seccomp: %d BPF instructions, above the kernel's %d", len(raw), unix.BPF_MAXINSNS)
	}
	for _, in := range raw {
		prog.Filter = append(prog.Filter, unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K})
	}
	return prog, nil
}

// Check checks s for the architecture goarch names (amd64, arm64; "" is
// this machine's) as Compile does before it assembles: the actions,
// conditions, flags and rules, with the syscall names of that architecture.
// The assembler only builds filters for the machine it runs on, so this is
// how a profile is checked for another.
func Check(s *specs.LinuxSeccomp, goarch string) error {
	info, err := arch.GetInfo(goarch)
	if err != nil {
		return err
	}
	_, _, _, err = prepare(s, info)
	return err
}

// prepare is what Compile does before it assembles: s's default action,
// its flags and listener in a Program without a filter yet, and its rules
// resolved into groups for info's architecture.
func prepare(s *specs.LinuxSeccomp, info *arch.Info) (*Program, libseccomp.Action, []libseccomp.SyscallGroup, error) {
	if s.DefaultAction == specs.ActNotify { // the init itself would wait on the agent
		return nil, 0, nil, errors.New("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action")
	}
	def, err := action(s.DefaultAction, s.DefaultErrnoRet)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("linux.seccomp.defaultAction: %w", err)
	}
	prog, err := listener(s)
	if err != nil {
		return nil, 0, nil, err
	}
	for _, f := range s.Flags {
		v, ok := flags[f]
		if !ok {
			return nil, 0, nil, fmt.Errorf("linux.seccomp.flags: %q is not supported by goC", f)
		}
		prog.Flags |= v
	}
	groups, err := resolve(s, info, def)
	return prog, def, groups, err
}

// listener is the Program's listener: with an SCMP_ACT_NOTIFY rule the
// filter is loaded with one, for the agent at listenerPath. Without such a
// rule listenerPath is not used (as runc).
func listener(s *specs.LinuxSeccomp) (*Program, error) {
	for _, r := range s.Syscalls {
		if r.Action != specs.ActNotify {
			continue
		}
		if s.ListenerPath == "" {
			return nil, errors.New("linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath, the seccomp agent's socket")
		}
		return &Program{Flags: unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, Listener: s.ListenerPath, Metadata: s.ListenerMetadata}, nil
	}
	return &Program{}, nil
}

// rule is one of linux.seccomp.syscalls, compiled: its action and its
// argument conditions (none: the rule holds for any arguments).
func rule(r specs.LinuxSyscall) (libseccomp.Action, libseccomp.ArgumentConditions, error) {
	act, err := action(r.Action, r.ErrnoRet)
	if err != nil {
		return 0, nil, err
	}
	var conds libseccomp.ArgumentConditions
	for _, a := range r.Args {
		c, err := condition(a)
		if err != nil {
			return 0, nil, err
		}
		conds = append(conds, c)
	}
	return act, conds, nil
}

// use is one rule kept for one syscall: the rule's index, and its
// conditions.
type use struct {
	rule  int
	conds libseccomp.ArgumentConditions
}

// resolve decides, syscall by syscall, which rules hold, as libseccomp
// (and so runc) does rather than by their order: a rule with the default
// action is left out; an unconditional rule outweighs the conditional ones
// and the rules after it; the same conditions with another action are an
// error. It returns one group per rule, in order, each with the syscalls
// it kept (the filter tries the groups in order: conditional rules of one
// syscall are tried in the profile's order).
func resolve(s *specs.LinuxSeccomp, info *arch.Info, def libseccomp.Action) ([]libseccomp.SyscallGroup, error) {
	groups := make([]libseccomp.SyscallGroup, len(s.Syscalls))
	kept := map[string][]use{}
	var names []string // in the order first kept
	for i, r := range s.Syscalls {
		act, conds, err := rule(r)
		if err != nil {
			return nil, fmt.Errorf("linux.seccomp.syscalls[%d]: %w", i, err)
		}
		groups[i].Action = act
		if act == def {
			continue // what happens anyway, as runc
		}
		for _, name := range r.Names {
			if _, ok := info.SyscallNames[name]; !ok {
				slog.Debug("seccomp: no such syscall on this architecture, skipped", "name", name)
				continue
			}
			prev, seen := kept[name]
			if !seen {
				names = append(names, name)
			}
			if len(prev) > 0 && prev[0].conds == nil {
				continue // an unconditional rule holds already
			}
			if len(conds) == 0 {
				kept[name] = []use{{rule: i}}
				continue
			}
			if j := slices.IndexFunc(prev, func(u use) bool { return slices.Equal(u.conds, conds) }); j >= 0 {
				if groups[prev[j].rule].Action != act {
					return nil, fmt.Errorf("linux.seccomp.syscalls[%d]: %s: the same arguments as an earlier rule, another action", i, name)
				}
				continue
			}
			kept[name] = append(prev, use{rule: i, conds: conds})
		}
	}
	for _, name := range names {
		for _, u := range kept[name] {
			g := &groups[u.rule]
			if u.conds == nil {
				g.Names = append(g.Names, name)
			} else {
				g.NamesWithCondtions = append(g.NamesWithCondtions, libseccomp.NameWithConditions{Name: name, Conditions: u.conds})
			}
		}
	}
	return groups, nil
}

// newerENOSYS is what goes before the filter when the default action
// denies: a syscall of this architecture numbered above every one the
// profile names is newer than the profile, and gets ENOSYS rather than the
// default action, so that a libc falls back to the older call it replaces
// (clone3 to clone, faccessat2 to faccessat) — as runc does. x32 calls
// (numbered from 1<<30) get ENOSYS too, as the assembler's filter gives them.
func newerENOSYS(s *specs.LinuxSeccomp, info *arch.Info, def libseccomp.Action) []bpf.Instruction {
	enosys := libseccomp.ActionErrno | libseccomp.Action(unix.ENOSYS)
	switch def &^ 0xffff { // the action, without its errno
	case libseccomp.ActionAllow, libseccomp.ActionLog, libseccomp.ActionTrace:
		return nil // permissive already: a tracer handles new syscalls itself
	}
	newest := -1
	for _, r := range s.Syscalls {
		for _, name := range r.Names {
			if n, ok := info.SyscallNames[name]; ok {
				newest = max(newest, n)
			}
		}
	}
	if newest < 0 || def == enosys {
		return nil
	}
	return []bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4}, // seccomp_data.arch
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: uint32(info.ID), SkipTrue: 3},
		bpf.LoadAbsolute{Off: 0, Size: 4}, // seccomp_data.nr
		bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: uint32(newest), SkipFalse: 1},
		bpf.RetConstant{Val: uint32(enosys)},
	}
}

// assemble turns the groups into BPF. For this architecture the syscall
// number is loaded and x32 calls get ENOSYS (as the assembler's own filter
// gives them). Then a binary search over ranges of syscall numbers
// (lookup) returns the action of a syscall whose rule has no argument
// conditions, most of a profile, or the default action for one no rule
// names, or jumps to the argument checks of that syscall's rules, tried
// in their order. A syscall so runs a dozen instructions of the filter,
// not the hundreds of a filter that tries rule after rule; so does the
// kernel when it loads the filter, which it runs then for every syscall
// number (to cache those always allowed). Calls from another
// architecture get the default action.
func assemble(groups []libseccomp.SyscallGroup, info *arch.Info, def libseccomp.Action) ([]bpf.Instruction, error) {
	loadNr := bpf.LoadAbsolute{Off: 0, Size: 4} // seccomp_data.nr
	after := []bpf.Instruction{loadNr}
	if info.ID == arch.X86_64.ID {
		after = append(after, bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: uint32(arch.X32.SeccompMask), SkipFalse: 1},
			bpf.RetConstant{Val: uint32(libseccomp.ActionErrno) | uint32(unix.ENOSYS)})
	}
	// resolve puts a name in one group without conditions, or in groups
	// with conditions only.
	plain := map[uint32]libseccomp.Action{}
	checks := map[uint32][]bpf.Instruction{}
	for _, g := range groups {
		for _, name := range g.Names {
			plain[uint32(info.SyscallNames[name])] = g.Action
		}
		for _, nc := range g.NamesWithCondtions {
			// The number is loaded again before each rule: one whose
			// argument checks fail leaves an argument in the accumulator.
			body, err := assembleGroup(libseccomp.SyscallGroup{Action: g.Action, NamesWithCondtions: []libseccomp.NameWithConditions{nc}}, info, loadNr)
			if err != nil {
				return nil, err
			}
			nr := uint32(info.SyscallNames[nc.Name])
			checks[nr] = append(append(checks[nr], loadNr), body...)
		}
	}
	after = append(after, lookup(plain, checks, def)...)
	head := []bpf.Instruction{bpf.LoadAbsolute{Off: 4, Size: 4}} // seccomp_data.arch
	if len(after) <= 255 {
		head = append(head, bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: uint32(info.ID), SkipTrue: uint8(len(after))})
	} else {
		head = append(head, bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(info.ID), SkipTrue: 1}, bpf.Jump{Skip: uint32(len(after))})
	}
	return append(append(head, after...), bpf.RetConstant{Val: uint32(def)}), nil
}

// A leaf is what lookup does for a syscall number: return ret, or (block
// ≥ 0) jump to the argument checks of the number's rules.
type leaf struct {
	ret   libseccomp.Action
	block int
}

// A span is the syscall numbers from first up to the next span's.
type span struct {
	first uint32
	leaf  leaf
}

// lookup is a binary search of the syscall number in the accumulator:
// those in plain return their action, those in checks run their argument
// checks (which return, or go on) and then return def, and all others
// return def.
func lookup(plain map[uint32]libseccomp.Action, checks map[uint32][]bpf.Instruction, def libseccomp.Action) []bpf.Instruction {
	if len(plain)+len(checks) == 0 {
		return nil
	}
	none := leaf{ret: def, block: -1}
	nrs := slices.Sorted(maps.Keys(plain))
	var blocks [][]bpf.Instruction
	for _, nr := range slices.Sorted(maps.Keys(checks)) {
		nrs = append(nrs, nr)
		blocks = append(blocks, append(checks[nr], bpf.RetConstant{Val: uint32(def)}))
	}
	slices.Sort(nrs)
	block := map[uint32]int{}
	for i, nr := range slices.Sorted(maps.Keys(checks)) {
		block[nr] = i
	}
	var spans []span
	add := func(first uint32, l leaf) {
		if len(spans) == 0 || spans[len(spans)-1].leaf != l {
			spans = append(spans, span{first, l})
		}
	}
	for i, nr := range nrs {
		if i == 0 && nr > 0 || i > 0 && nrs[i-1] != nr-1 {
			from := uint32(0)
			if i > 0 {
				from = nrs[i-1] + 1
			}
			add(from, none)
		}
		if b, ok := block[nr]; ok {
			add(nr, leaf{block: b})
		} else {
			add(nr, leaf{ret: plain[nr], block: -1})
		}
	}
	if last := nrs[len(nrs)-1]; last != math.MaxUint32 {
		add(last+1, none)
	}
	var t searchTree
	t.emit(spans)
	starts := make([]int, len(blocks))
	at := len(t.code)
	for i, b := range blocks {
		starts[i] = at
		at += len(b)
	}
	for _, j := range t.jumps {
		t.code[j.at] = bpf.Jump{Skip: uint32(starts[j.block] - j.at - 1)}
	}
	for _, b := range blocks {
		t.code = append(t.code, b...)
	}
	return t.code
}

// A searchTree is lookup's search as it is laid out, with the places of
// its jumps to argument checks, which follow it.
type searchTree struct {
	code  []bpf.Instruction
	jumps []struct{ at, block int }
}

// emit lays out the search of spans: for more than one, a test of the
// middle one's first number, the search of those below it, then of the
// rest, where the test jumps when the number is not below (over a jump,
// when those below take more than a conditional jump's 255).
func (t *searchTree) emit(spans []span) {
	if len(spans) == 1 {
		if l := spans[0].leaf; l.block >= 0 {
			t.jumps = append(t.jumps, struct{ at, block int }{len(t.code), l.block})
			t.code = append(t.code, bpf.Jump{})
		} else {
			t.code = append(t.code, bpf.RetConstant{Val: uint32(l.ret)})
		}
		return
	}
	mid := len(spans) / 2
	below, from := searchSize(spans[:mid]), spans[mid].first
	if below <= 255 {
		t.code = append(t.code, bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: from, SkipTrue: uint8(below)})
	} else {
		t.code = append(t.code, bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: from, SkipFalse: 1}, bpf.Jump{Skip: uint32(below)})
	}
	t.emit(spans[:mid])
	t.emit(spans[mid:])
}

// searchSize is how many instructions emit lays out for spans.
func searchSize(spans []span) int {
	if len(spans) == 1 {
		return 1
	}
	mid := len(spans) / 2
	below := searchSize(spans[:mid])
	n := 1 + below + searchSize(spans[mid:])
	if below > 255 {
		n++
	}
	return n
}

// assembleGroup is the assembler's code for one group: what it makes for
// a policy of that group alone, without the header (up to the syscall
// number's load and the x32 check) and the default action's return at the
// end, where the group's "no match" jumps land — on what follows it now.
// An SCMP_ACT_ERRNO with errno 0 is kept (the assembler makes a bare
// errno action EPERM).
func assembleGroup(g libseccomp.SyscallGroup, info *arch.Info, loadNr bpf.Instruction) ([]bpf.Instruction, error) {
	if g.Action == libseccomp.ActionErrno {
		g.Action |= errnoZero
	}
	insts, err := (&libseccomp.Policy{DefaultAction: libseccomp.ActionAllow, Syscalls: []libseccomp.SyscallGroup{g}}).Assemble()
	if err != nil {
		return nil, err
	}
	start := slices.Index(insts, loadNr) + 1
	if info.ID == arch.X86_64.ID {
		start += 2
	}
	body := insts[start : len(insts)-1]
	for i, in := range body {
		if r, ok := in.(bpf.RetConstant); ok && r.Val == uint32(libseccomp.ActionErrno|errnoZero) {
			body[i] = bpf.RetConstant{Val: uint32(libseccomp.ActionErrno)}
		}
	}
	return body, nil
}

// Actions, Operators and Flags are what Compile accepts, for "goC features".
func Actions() []string {
	var out []string
	for a := range actions {
		out = append(out, string(a))
	}
	sort.Strings(out)
	return out
}

func Operators() []string {
	return []string{string(specs.OpEqualTo), string(specs.OpGreaterEqual), string(specs.OpGreaterThan),
		string(specs.OpLessEqual), string(specs.OpLessThan), string(specs.OpMaskedEqual), string(specs.OpNotEqual)}
}

func Flags() []string {
	var out []string
	for f := range flags {
		out = append(out, string(f))
	}
	sort.Strings(out)
	return out
}

// NativeArch is the machine's architecture as libseccomp names it.
func NativeArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "SCMP_ARCH_X86_64"
	case "arm64":
		return "SCMP_ARCH_AARCH64"
	case "386":
		return "SCMP_ARCH_X86"
	}
	return "SCMP_ARCH_" + strings.ToUpper(runtime.GOARCH)
}
