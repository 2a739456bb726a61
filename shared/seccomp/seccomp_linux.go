// Package seccomp turns a config.json's linux.seccomp into a BPF program
// (in goC, where an error can still name the field) and loads it (in the
// container's init, just before exec). It resolves the rules as runc
// (libseccomp) does, and assembles the filter itself: a binary search over
// syscall numbers, then each syscall's argument checks. The syscall
// numbers are github.com/elastic/go-seccomp-bpf's tables, copied into
// syscalls_table.go by go generate (the library builds maps of them when
// a process starts).
package seccomp

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"math/bits"
	"net"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"goc.dev/shared/seccomp/filter"
)

// Program is a compiled filter: what the init loads (package filter,
// which the init links without the compiler).
type Program = filter.Program

// A ret is what the filter returns for a syscall: SECCOMP_RET_* and, for
// ERRNO and TRACE, its data.
type ret uint32

var actions = map[specs.LinuxSeccompAction]ret{
	specs.ActKill:        unix.SECCOMP_RET_KILL_THREAD,
	specs.ActKillThread:  unix.SECCOMP_RET_KILL_THREAD,
	specs.ActKillProcess: unix.SECCOMP_RET_KILL_PROCESS,
	specs.ActTrap:        unix.SECCOMP_RET_TRAP,
	specs.ActErrno:       unix.SECCOMP_RET_ERRNO,
	specs.ActTrace:       unix.SECCOMP_RET_TRACE,
	specs.ActAllow:       unix.SECCOMP_RET_ALLOW,
	specs.ActLog:         unix.SECCOMP_RET_LOG,
	specs.ActNotify:      unix.SECCOMP_RET_USER_NOTIF,
}

var flags = map[specs.LinuxSeccompFlag]uint{
	specs.LinuxSeccompFlagLog:              unix.SECCOMP_FILTER_FLAG_LOG,
	specs.LinuxSeccompFlagSpecAllow:        unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW,
	specs.LinuxSeccompFlagWaitKillableRecv: 1 << 5, // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
}

// maxErrno bounds errnoRet, which takes the 16 bits of SECCOMP_RET_DATA.
const maxErrno = 0xffff

// action is a rule's action with its errno (EPERM unless given, as runc).
func action(a specs.LinuxSeccompAction, errno *uint) (ret, error) {
	act, ok := actions[a]
	if !ok {
		return 0, fmt.Errorf("unknown action %q", a)
	}
	if act == unix.SECCOMP_RET_ERRNO || act == unix.SECCOMP_RET_TRACE {
		e := uint(unix.EPERM)
		if errno != nil {
			e = *errno
		}
		if e >= maxErrno {
			return 0, fmt.Errorf("errnoRet %d out of range", e)
		}
		act |= ret(e)
	} else if errno != nil {
		return 0, fmt.Errorf("errnoRet is only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not %s", a)
	}
	return act, nil
}

// An operation compares a syscall argument with a value.
type operation int

const (
	equal operation = iota
	notEqual
	greaterThan
	greaterOrEqual
	lessThan
	lessOrEqual
	bitsSet    // any bit of the value set in the argument
	bitsNotSet // no bit of the value set in the argument
)

// A condition is one comparison of a rule: argument arg op value.
type condition struct {
	arg   uint32
	op    operation
	value uint64
}

// condition maps one argument comparison. MASKED_EQ is supported in the
// two forms profiles use: "no bit of the mask set" (value 0) and "the
// mask's one bit set".
func newCondition(a specs.LinuxSeccompArg) (condition, error) {
	if a.Index > 5 {
		return condition{}, fmt.Errorf("argument index %d out of range", a.Index)
	}
	c := condition{arg: uint32(a.Index), value: a.Value}
	switch a.Op {
	case specs.OpEqualTo:
		c.op = equal
	case specs.OpNotEqual:
		c.op = notEqual
	case specs.OpGreaterThan:
		c.op = greaterThan
	case specs.OpGreaterEqual:
		c.op = greaterOrEqual
	case specs.OpLessThan:
		c.op = lessThan
	case specs.OpLessEqual:
		c.op = lessOrEqual
	case specs.OpMaskedEqual:
		switch {
		case a.ValueTwo == 0:
			c.op = bitsNotSet
		case a.ValueTwo == a.Value && bits.OnesCount64(a.Value) == 1:
			c.op = bitsSet
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
func Compile(s *specs.LinuxSeccomp) (*Program, error) {
	a, err := archFor("")
	if err != nil {
		return nil, err
	}
	prog, def, rules, err := prepare(s, a)
	if err != nil {
		return nil, err
	}
	raw, err := bpf.Assemble(append(newerENOSYS(rules, a, def), assemble(rules, a, def)...))
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
func Check(s *specs.LinuxSeccomp, goarch string) error {
	a, err := archFor(goarch)
	if err != nil {
		return err
	}
	_, _, _, err = prepare(s, a)
	return err
}

// rules are a profile's rules resolved for an architecture, by syscall
// number: the action of those without argument conditions (plain), and
// for the others their conditional rules, in the profile's order.
type rules struct {
	plain  map[uint32]ret
	checks map[uint32][]checked
	newest int // the highest number any rule names, -1 for none
}

// A checked rule returns its action when all its conditions hold.
type checked struct {
	act   ret
	conds []condition
}

// prepare is what Compile does before it assembles: s's default action,
// its flags and listener in a Program without a filter yet, and its rules
// resolved for a.
func prepare(s *specs.LinuxSeccomp, a *archInfo) (*Program, ret, rules, error) {
	if s.DefaultAction == specs.ActNotify { // the init itself would wait on the agent
		return nil, 0, rules{}, errors.New("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action")
	}
	def, err := action(s.DefaultAction, s.DefaultErrnoRet)
	if err != nil {
		return nil, 0, rules{}, fmt.Errorf("linux.seccomp.defaultAction: %w", err)
	}
	prog, err := listener(s)
	if err != nil {
		return nil, 0, rules{}, err
	}
	for _, f := range s.Flags {
		v, ok := flags[f]
		if !ok {
			return nil, 0, rules{}, fmt.Errorf("linux.seccomp.flags: %q is not supported by goC", f)
		}
		prog.Flags |= v
	}
	rs, err := resolve(s, a, def)
	return prog, def, rs, err
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
func rule(r specs.LinuxSyscall) (ret, []condition, error) {
	act, err := action(r.Action, r.ErrnoRet)
	if err != nil {
		return 0, nil, err
	}
	var conds []condition
	for _, a := range r.Args {
		c, err := newCondition(a)
		if err != nil {
			return 0, nil, err
		}
		conds = append(conds, c)
	}
	return act, conds, nil
}

// resolve resolves the rules that name one syscall as libseccomp does,
// not by their order: a rule with the default action is left out, the
// first unconditional rule outweighs every conditional one, and the same
// conditions with two actions are refused.
func resolve(s *specs.LinuxSeccomp, a *archInfo, def ret) (rules, error) {
	rs := rules{plain: map[uint32]ret{}, checks: map[uint32][]checked{}, newest: -1}
	for i, r := range s.Syscalls {
		act, conds, err := rule(r)
		if err != nil {
			return rules{}, fmt.Errorf("linux.seccomp.syscalls[%d]: %w", i, err)
		}
		for _, name := range r.Names {
			if nr, ok := a.number(name); ok {
				rs.newest = max(rs.newest, int(nr))
			}
		}
		if act == def {
			continue // what happens anyway, as runc
		}
		for _, name := range r.Names {
			nr, ok := a.number(name)
			if !ok {
				slog.Debug("seccomp: no such syscall on this architecture, skipped", "name", name)
				continue
			}
			if _, ok := rs.plain[nr]; ok {
				continue // an unconditional rule holds already
			}
			if len(conds) == 0 {
				rs.plain[nr] = act
				delete(rs.checks, nr)
				continue
			}
			prev := rs.checks[nr]
			if j := slices.IndexFunc(prev, func(c checked) bool { return slices.Equal(c.conds, conds) }); j >= 0 {
				if prev[j].act != act {
					return rules{}, fmt.Errorf("linux.seccomp.syscalls[%d]: %s: the same arguments as an earlier rule, another action", i, name)
				}
				continue
			}
			rs.checks[nr] = append(prev, checked{act, conds})
		}
	}
	return rs, nil
}

// newerENOSYS is what goes before the filter when the default action
// denies: a syscall of this architecture numbered above every one the
// profile names is newer than the profile, and gets ENOSYS rather than the
// default action, so that a libc falls back to the older call it replaces
// (clone3 to clone, faccessat2 to faccessat) — as runc does. x32 calls
// (numbered from x32Bit) get ENOSYS too, in the filter.
func newerENOSYS(rs rules, a *archInfo, def ret) []bpf.Instruction {
	enosys := ret(unix.SECCOMP_RET_ERRNO | unix.ENOSYS)
	switch def & unix.SECCOMP_RET_ACTION_FULL {
	case unix.SECCOMP_RET_ALLOW, unix.SECCOMP_RET_LOG, unix.SECCOMP_RET_TRACE:
		return nil // permissive already: a tracer handles new syscalls itself
	}
	if def == enosys || rs.newest < 0 {
		return nil
	}
	return []bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4}, // seccomp_data.arch
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: a.id, SkipTrue: 3},
		bpf.LoadAbsolute{Off: 0, Size: 4}, // seccomp_data.nr
		bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: uint32(rs.newest), SkipFalse: 1},
		bpf.RetConstant{Val: uint32(enosys)},
	}
}

// assemble turns the rules into BPF. For this architecture the syscall
// number is loaded and x32 calls get ENOSYS. Then a binary search over
// ranges of syscall numbers (lookup) returns the action of a syscall whose
// rule has no argument conditions, most of a profile, or the default
// action for one no rule names, or jumps to the argument checks of that
// syscall's rules, tried in their order. A syscall so runs a dozen
// instructions of the filter, not the hundreds of a filter that tries
// rule after rule; so does the kernel when it loads the filter, which it
// runs then for every syscall number (to cache those always allowed).
// Calls from another architecture get the default action.
func assemble(rs rules, a *archInfo, def ret) []bpf.Instruction {
	after := []bpf.Instruction{bpf.LoadAbsolute{Off: 0, Size: 4}} // seccomp_data.nr
	if a == archX86_64 {
		after = append(after, bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32Bit, SkipFalse: 1},
			bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)})
	}
	checks := map[uint32][]bpf.Instruction{}
	for nr, cs := range rs.checks {
		for _, c := range cs {
			checks[nr] = append(checks[nr], ruleChecks(c)...)
		}
	}
	after = append(after, lookup(rs.plain, checks, def)...)
	head := []bpf.Instruction{bpf.LoadAbsolute{Off: 4, Size: 4}} // seccomp_data.arch
	if len(after) <= 255 {
		head = append(head, bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: a.id, SkipTrue: uint8(len(after))})
	} else {
		head = append(head, bpf.JumpIf{Cond: bpf.JumpEqual, Val: a.id, SkipTrue: 1}, bpf.Jump{Skip: uint32(len(after))})
	}
	return append(append(head, after...), bpf.RetConstant{Val: uint32(def)})
}

// ruleChecks is a conditional rule's code: each condition in turn on the
// argument's two 32-bit halves; all hold, it returns the rule's action;
// one fails, it jumps past, to what follows (the next rule).
func ruleChecks(c checked) []bpf.Instruction {
	const fail = 0xff // placeholder: the jump past the rule, set below
	var code []bpf.Instruction
	for _, cond := range c.conds {
		hi, lo := uint32(cond.value>>32), uint32(cond.value)
		ldHi := bpf.LoadAbsolute{Off: 16 + 8*cond.arg + 4, Size: 4} // seccomp_data.args, little-endian
		ldLo := bpf.LoadAbsolute{Off: 16 + 8*cond.arg, Size: 4}
		if !littleEndian {
			ldHi.Off, ldLo.Off = ldLo.Off, ldHi.Off
		}
		code = append(code, ldHi)
		switch cond.op {
		case equal:
			code = append(code, bpf.JumpIf{Cond: bpf.JumpEqual, Val: hi, SkipFalse: fail}, ldLo,
				bpf.JumpIf{Cond: bpf.JumpEqual, Val: lo, SkipFalse: fail})
		case notEqual:
			code = append(code, bpf.JumpIf{Cond: bpf.JumpEqual, Val: hi, SkipFalse: 2}, ldLo,
				bpf.JumpIf{Cond: bpf.JumpEqual, Val: lo, SkipTrue: fail})
		case greaterThan, greaterOrEqual:
			cmp := bpf.JumpGreaterThan
			if cond.op == greaterOrEqual {
				cmp = bpf.JumpGreaterOrEqual
			}
			code = append(code, bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: hi, SkipTrue: 3},
				bpf.JumpIf{Cond: bpf.JumpEqual, Val: hi, SkipFalse: fail}, ldLo,
				bpf.JumpIf{Cond: cmp, Val: lo, SkipFalse: fail})
		case lessThan, lessOrEqual:
			cmp := bpf.JumpGreaterOrEqual // lo < value: not lo >= value
			if cond.op == lessOrEqual {
				cmp = bpf.JumpGreaterThan // lo <= value: not lo > value
			}
			code = append(code, bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: hi, SkipFalse: 3},
				bpf.JumpIf{Cond: bpf.JumpEqual, Val: hi, SkipFalse: fail}, ldLo,
				bpf.JumpIf{Cond: cmp, Val: lo, SkipTrue: fail})
		case bitsSet:
			code = append(code, bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: hi, SkipTrue: 2}, ldLo,
				bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: lo, SkipFalse: fail})
		case bitsNotSet:
			code = append(code, bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: hi, SkipTrue: fail}, ldLo,
				bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: lo, SkipTrue: fail})
		}
	}
	code = append(code, bpf.RetConstant{Val: uint32(c.act)})
	for i, in := range code { // fail: to the first instruction after the rule
		if j, ok := in.(bpf.JumpIf); ok {
			past := uint8(len(code) - i - 1)
			if j.SkipTrue == fail {
				j.SkipTrue = past
			}
			if j.SkipFalse == fail {
				j.SkipFalse = past
			}
			code[i] = j
		}
	}
	return code
}

// littleEndian: the low half of a 64-bit argument comes first.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// A leaf is what lookup does for a syscall number: return ret, or (block
// ≥ 0) jump to the argument checks of the number's rules.
type leaf struct {
	ret   ret
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
func lookup(plain map[uint32]ret, checks map[uint32][]bpf.Instruction, def ret) []bpf.Instruction {
	if len(plain)+len(checks) == 0 {
		return nil
	}
	none := leaf{ret: def, block: -1}
	withChecks := slices.Sorted(maps.Keys(checks))
	block := map[uint32]int{}
	var blocks [][]bpf.Instruction
	for i, nr := range withChecks {
		block[nr] = i
		blocks = append(blocks, append(checks[nr], bpf.RetConstant{Val: uint32(def)}))
	}
	nrs := slices.Sorted(maps.Keys(plain))
	nrs = append(nrs, withChecks...)
	slices.Sort(nrs)
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

// HandOff gives the seccomp agent listening at p.Listener the notify
// descriptor fd and the container process state (runtime-spec runtime.md,
// "seccomp state": the process pid, the container's state st), in one
// message on a new connection, as runc does. It is
// goC's (the init sends goC the descriptor), apart from package filter:
// goC-init links no package net.
func HandOff(p *Program, fd *os.File, pid int, st specs.State) error {
	b, err := json.Marshal(specs.ContainerProcessState{Version: specs.Version, Fds: []string{specs.SeccompFdName},
		Pid: pid, Metadata: p.Metadata, State: st})
	if err != nil {
		return err
	}
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: p.Listener, Net: "unix"})
	if err != nil {
		return fmt.Errorf("seccomp agent: %w", err)
	}
	defer c.Close()
	if _, _, err := c.WriteMsgUnix(b, unix.UnixRights(int(fd.Fd())), nil); err != nil {
		return fmt.Errorf("seccomp agent: %w", err)
	}
	return nil
}
