package seccomp

import (
	"encoding/binary"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/elastic/go-seccomp-bpf/arch"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

func TestCompile(t *testing.T) {
	errno := uint(38)
	cases := []struct {
		name string
		s    specs.LinuxSeccomp
		want string // error, "" for none
	}{
		{"allow all", specs.LinuxSeccomp{DefaultAction: specs.ActAllow}, ""},
		{"deny list", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno},
			{Names: []string{"clone3"}, Action: specs.ActErrno, ErrnoRet: &errno},
		}}, ""},
		{"allow list with args, unknown names skipped", specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "write", "no_such_call_2099"}, Action: specs.ActAllow},
			{Names: []string{"clone"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 2114060288, Op: specs.OpMaskedEqual}}},
			{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 8, Op: specs.OpEqualTo}}},
			{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0, Op: specs.OpEqualTo}}},
		}}, ""},
		{"flags", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagSpecAllow}}, ""},
		{"unknown default", specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_MAYBE"}, `linux.seccomp.defaultAction: unknown action "SCMP_ACT_MAYBE"`},
		{"notify without a listener", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActNotify}}}, "linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath"},
		{"notify by default", specs.LinuxSeccomp{DefaultAction: specs.ActNotify, ListenerPath: "/run/x.sock"}, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"},
		{"listener without notify", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/run/x.sock"}, ""},
		{"errno on allow", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, DefaultErrnoRet: &errno}, "errnoRet is only for"},
		{"bad op", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"kill"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 1, Op: "SCMP_CMP_ABOUT"}}}}}, `unknown operator "SCMP_CMP_ABOUT"`},
		{"bad index", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"kill"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 6, Op: specs.OpEqualTo}}}}}, "argument index 6 out of range"},
		{"general masked eq", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"kill"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 1, Value: 3, ValueTwo: 1, Op: specs.OpMaskedEqual}}}}}, "SCMP_CMP_MASKED_EQ with mask 0x3 and value 0x1 is not supported"},
		{"unknown flag", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_FAST"}}, `flags: "SECCOMP_FILTER_FLAG_FAST" is not supported`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(&tc.s)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Compile = %v, want an error with %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Filter) < 4 {
				t.Fatalf("a %d-instruction filter", len(p.Filter))
			}
			// The program ends with the default action; no placeholder is left.
			last := p.Filter[len(p.Filter)-1]
			def, _ := action(tc.s.DefaultAction, tc.s.DefaultErrnoRet)
			if last.Code != unix.BPF_RET|unix.BPF_K || last.K != uint32(def) {
				t.Fatalf("last instruction %+v, want ret %#x", last, uint32(def))
			}
			for _, in := range p.Filter {
				if in.Code == unix.BPF_RET|unix.BPF_K && in.K == unix.SECCOMP_RET_TRACE {
					t.Fatal("placeholder left in the program")
				}
			}
		})
	}
}

// The errno of a default ERRNO action is EPERM unless given.
func TestDefaultErrno(t *testing.T) {
	p, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActErrno})
	if err != nil {
		t.Fatal(err)
	}
	if last := p.Filter[len(p.Filter)-1]; last.K != unix.SECCOMP_RET_ERRNO|uint32(unix.EPERM) {
		t.Fatalf("default ret %#x", last.K)
	}
}

// run evaluates p as the kernel would for one syscall of architecture
// audit, in golang.org/x/net/bpf's interpreter. That one reads big-endian
// words; seccomp_data is native-endian, so each 32-bit word the filter
// loads is laid out big-endian at its offset (an argument's low half first,
// as on the little-endian machines goC runs on).
func run(t *testing.T, p *Program, audit, nr uint32, args ...uint64) uint32 {
	t.Helper()
	raw := make([]bpf.RawInstruction, len(p.Filter))
	for i, in := range p.Filter {
		raw[i] = bpf.RawInstruction{Op: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	insts, ok := bpf.Disassemble(raw)
	if !ok {
		t.Fatal("the filter does not disassemble")
	}
	vm, err := bpf.NewVM(insts)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 64)
	binary.BigEndian.PutUint32(data[0:], nr)
	binary.BigEndian.PutUint32(data[4:], audit)
	for i, a := range args {
		binary.BigEndian.PutUint32(data[16+8*i:], uint32(a))
		binary.BigEndian.PutUint32(data[20+8*i:], uint32(a>>32))
	}
	ret, err := vm.Run(data)
	if err != nil {
		t.Fatal(err)
	}
	return uint32(ret)
}

// A syscall numbered above every one the profile names is newer than the
// profile: it gets ENOSYS, so that a libc falls back to an older one (clone3
// to clone, faccessat2 to faccessat), as under runc. One the profile could
// have named but did not keeps the default action.
func TestNewerSyscallsGetENOSYS(t *testing.T) {
	info, err := arch.GetInfo("")
	if err != nil {
		t.Fatal(err)
	}
	audit := uint32(info.ID)
	nr := func(name string) uint32 { return uint32(info.SyscallNames[name]) }
	const (
		allow  = unix.SECCOMP_RET_ALLOW
		eperm  = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
		enosys = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
		kill   = unix.SECCOMP_RET_KILL_PROCESS
	)
	enosysRet := uint(unix.ENOSYS)
	profile := func(def specs.LinuxSeccompAction, errno *uint) *specs.LinuxSeccomp {
		return &specs.LinuxSeccomp{DefaultAction: def, DefaultErrnoRet: errno, Syscalls: []specs.LinuxSyscall{
			{Names: []string{"read", "write", "no_such_call_2099"}, Action: specs.ActAllow},
			// The newest named, with a condition: it counts all the same.
			{Names: []string{"mkdir"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 1, Value: 0o700, Op: specs.OpEqualTo}}},
		}}
	}
	cases := []struct {
		name  string
		s     *specs.LinuxSeccomp
		audit uint32
		nr    uint32
		args  []uint64
		want  uint32
	}{
		{"allowed", profile(specs.ActErrno, nil), audit, nr("read"), nil, allow},
		{"the newest named, condition met", profile(specs.ActErrno, nil), audit, nr("mkdir"), []uint64{0, 0o700}, allow},
		{"the newest named, condition not met", profile(specs.ActErrno, nil), audit, nr("mkdir"), []uint64{0, 0o755}, eperm},
		{"older, not named", profile(specs.ActErrno, nil), audit, nr("close"), nil, eperm},
		{"newer", profile(specs.ActErrno, nil), audit, nr("mkdir") + 1, nil, enosys},
		{"clone3", profile(specs.ActErrno, nil), audit, nr("clone3"), nil, enosys},
		{"newer, default kill", profile(specs.ActKillProcess, nil), audit, nr("clone3"), nil, enosys},
		{"older, default kill", profile(specs.ActKillProcess, nil), audit, nr("close"), nil, kill},
		{"newer, default allow", profile(specs.ActAllow, nil), audit, nr("clone3"), nil, allow},
		{"newer, default log", profile(specs.ActLog, nil), audit, nr("clone3"), nil, unix.SECCOMP_RET_LOG},
		{"newer, default already ENOSYS", profile(specs.ActErrno, &enosysRet), audit, nr("clone3"), nil, enosys},
		{"another architecture", profile(specs.ActErrno, nil), audit ^ 1, nr("clone3"), nil, eperm},
		{"nothing named: no newest", &specs.LinuxSeccomp{DefaultAction: specs.ActErrno}, audit, nr("clone3"), nil, eperm},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compile(c.s)
			if err != nil {
				t.Fatal(err)
			}
			if got := run(t, p, c.audit, c.nr, c.args...); got != c.want {
				t.Errorf("syscall %d: ret %#x, want %#x", c.nr, got, c.want)
			}
		})
	}
}

// LoadIf loads only when told to, and nothing without a profile. (An empty
// filter is one Load refuses before any syscall: nothing is loaded here.)
func TestLoadIf(t *testing.T) {
	var none *Program
	if err := none.LoadIf(true, nil); err != nil {
		t.Errorf("no profile: %v", err)
	}
	empty := &Program{}
	if err := empty.LoadIf(false, nil); err != nil {
		t.Errorf("not now: %v", err)
	}
	if err := empty.LoadIf(true, nil); err == nil || !strings.Contains(err.Error(), "empty filter") {
		t.Errorf("now: %v, want Load's error", err)
	}
}

// Rules naming the same syscall are resolved as libseccomp (and so runc)
// resolves them, not by their order: a rule whose action is the default
// one is left out; an unconditional rule outweighs every conditional one,
// and the first unconditional one stays; the same conditions with two
// actions are an error. (Found side by side with runc 1.1.5.)
func TestRulePrecedence(t *testing.T) {
	info, err := arch.GetInfo("")
	if err != nil {
		t.Fatal(err)
	}
	mkdir := uint32(info.SyscallNames["mkdir"])
	errno := func(e uint) *uint { return &e }
	mode := []specs.LinuxSeccompArg{{Index: 1, Value: 0o777, Op: specs.OpEqualTo}}
	ret := func(e uint) uint32 { return unix.SECCOMP_RET_ERRNO | uint32(e) }
	cases := []struct {
		name  string
		def   specs.LinuxSeccompAction
		rules []specs.LinuxSyscall
		want  uint32
	}{
		{"conditional then unconditional: the unconditional", specs.ActAllow, []specs.LinuxSyscall{
			{Names: []string{"mkdir"}, Action: specs.ActErrno, ErrnoRet: errno(22), Args: mode},
			{Names: []string{"mkdir"}, Action: specs.ActErrno, ErrnoRet: errno(13)},
		}, ret(13)},
		{"two unconditional: the first", specs.ActAllow, []specs.LinuxSyscall{
			{Names: []string{"mkdir", "rmdir"}, Action: specs.ActErrno, ErrnoRet: errno(13)},
			{Names: []string{"mkdir"}, Action: specs.ActErrno, ErrnoRet: errno(17)},
		}, ret(13)},
		{"a conditional rule with the default action is left out", specs.ActAllow, []specs.LinuxSyscall{
			{Names: []string{"mkdir"}, Action: specs.ActAllow, Args: mode},
			{Names: []string{"mkdir"}, Action: specs.ActErrno, ErrnoRet: errno(13)},
		}, ret(13)},
		{"two conditional rules: the second's conditions hold", specs.ActAllow, []specs.LinuxSyscall{
			{Names: []string{"mkdir"}, Action: specs.ActErrno, ErrnoRet: errno(22), Args: []specs.LinuxSeccompArg{{Index: 1, Value: 0o700, Op: specs.OpEqualTo}}},
			{Names: []string{"mkdir"}, Action: specs.ActErrno, ErrnoRet: errno(13), Args: mode},
		}, ret(13)},
		{"default errno: a conditional rule with it is left out", specs.ActErrno, []specs.LinuxSyscall{
			{Names: []string{"mkdir"}, Action: specs.ActErrno, Args: mode},
			{Names: []string{"mkdir"}, Action: specs.ActAllow},
		}, unix.SECCOMP_RET_ALLOW},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compile(&specs.LinuxSeccomp{DefaultAction: c.def, Syscalls: c.rules})
			if err != nil {
				t.Fatal(err)
			}
			if got := run(t, p, uint32(info.ID), mkdir, 0, 0o777); got != c.want {
				t.Errorf("mkdir: ret %#x, want %#x", got, c.want)
			}
		})
	}
	// An argument that failed a condition is not taken for a syscall
	// number: personality(mkdir's number) is not mkdir.
	p, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{
		{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 8, Op: specs.OpEqualTo}}},
		{Names: []string{"mkdir"}, Action: specs.ActAllow},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, p, uint32(info.ID), uint32(info.SyscallNames["personality"]), uint64(mkdir)); got != ret(1) {
		t.Errorf("personality(%d): ret %#x, want EPERM", mkdir, got)
	}
	_, err = Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{
		{Names: []string{"mkdir"}, Action: specs.ActErrno, ErrnoRet: errno(22), Args: mode},
		{Names: []string{"mkdir"}, Action: specs.ActErrno, ErrnoRet: errno(13), Args: mode},
	}})
	if err == nil || !strings.Contains(err.Error(), "linux.seccomp.syscalls[1]: mkdir: the same arguments as an earlier rule, another action") {
		t.Errorf("same conditions, two actions: %v", err)
	}
}

// SCMP_ACT_NOTIFY: the filter is loaded with a listener, whose descriptor
// goes to the agent at listenerPath.
func TestNotify(t *testing.T) {
	p, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/run/agent.sock", ListenerMetadata: "m=1",
		Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActNotify}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Flags&unix.SECCOMP_FILTER_FLAG_NEW_LISTENER == 0 || p.Listener != "/run/agent.sock" || p.Metadata != "m=1" {
		t.Fatalf("program %+v", p)
	}
	info, err := arch.GetInfo("")
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, p, uint32(info.ID), uint32(info.SyscallNames["mkdir"])); got != unix.SECCOMP_RET_USER_NOTIF {
		t.Errorf("mkdir: ret %#x, want USER_NOTIF", got)
	}
	if got := run(t, p, uint32(info.ID), uint32(info.SyscallNames["rmdir"])); got != unix.SECCOMP_RET_ALLOW {
		t.Errorf("rmdir: ret %#x, want ALLOW", got)
	}
}

// HandOff sends the agent the container process state (runtime-spec
// runtime.md) and the descriptor, in one message.
func TestHandOff(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	p := &Program{Listener: sock, Metadata: "m=1"}
	done := make(chan error, 1)
	go func() {
		done <- HandOff(p, r, 43, specs.State{Version: specs.Version, ID: "c1", Status: specs.StateRunning, Pid: 42, Bundle: "/b"})
	}()
	c, err := l.AcceptUnix()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf, oob := make([]byte, 8192), make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf[:n], &got); err != nil {
		t.Fatalf("%q: %v", buf[:n], err)
	}
	want := map[string]any{"ociVersion": specs.Version, "fds": []any{"seccompFd"}, "pid": float64(43), "metadata": "m=1",
		"state": map[string]any{"ociVersion": specs.Version, "id": "c1", "status": "running", "pid": float64(42), "bundle": "/b"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("state (-want +got):\n%s", d)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		t.Fatalf("no descriptor: %v", err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		t.Fatalf("no descriptor: %v", err)
	}
	got2 := os.NewFile(uintptr(fds[0]), "received")
	defer got2.Close()
	w.WriteString("x")
	b := make([]byte, 1)
	if _, err := got2.Read(b); err != nil || b[0] != 'x' {
		t.Fatalf("the descriptor received is not the pipe: %q, %v", b, err)
	}
}

// errnoRet 0 is kept: the syscall "succeeds" without running, as under
// runc (the assembler alone would make a bare errno EPERM).
func TestErrnoZero(t *testing.T) {
	info, err := arch.GetInfo("")
	if err != nil {
		t.Fatal(err)
	}
	zero := uint(0)
	rules := []specs.LinuxSyscall{
		{Names: []string{"mkdir"}, Action: specs.ActAllow},
		{Names: []string{"rmdir"}, Action: specs.ActErrno, ErrnoRet: &zero, Args: []specs.LinuxSeccompArg{{Index: 1, Value: 0, Op: specs.OpEqualTo}}},
		{Names: []string{"rmdir"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 1, Value: 1, Op: specs.OpEqualTo}}},
	}
	audit, nr := uint32(info.ID), func(n string) uint32 { return uint32(info.SyscallNames[n]) }
	for _, c := range []struct {
		name   string
		def    specs.LinuxSeccompAction
		defErr *uint
		nr     uint32
		arg    uint64
		want   uint32
	}{
		{"the rule's errno 0", specs.ActAllow, nil, nr("rmdir"), 0, unix.SECCOMP_RET_ERRNO},
		{"another rule's EPERM", specs.ActAllow, nil, nr("rmdir"), 1, unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
		{"the default's errno 0", specs.ActErrno, &zero, nr("close"), 0, unix.SECCOMP_RET_ERRNO},
		{"allowed", specs.ActErrno, &zero, nr("mkdir"), 0, unix.SECCOMP_RET_ALLOW},
	} {
		p, err := Compile(&specs.LinuxSeccomp{DefaultAction: c.def, DefaultErrnoRet: c.defErr, Syscalls: rules})
		if err != nil {
			t.Fatal(err)
		}
		if got := run(t, p, audit, c.nr, 0, c.arg); got != c.want {
			t.Errorf("%s: ret %#x, want %#x", c.name, got, c.want)
		}
	}
}

// A filter too long for a short jump over it: another architecture's call
// still reaches the default action, and this one's the rules.
func TestLongFilter(t *testing.T) {
	info, err := arch.GetInfo("")
	if err != nil {
		t.Fatal(err)
	}
	var rules []specs.LinuxSyscall
	for v := range uint64(100) {
		rules = append(rules, specs.LinuxSyscall{Names: []string{"personality"}, Action: specs.ActAllow,
			Args: []specs.LinuxSeccompArg{{Index: 0, Value: v, Op: specs.OpEqualTo}}})
	}
	rules = append(rules, specs.LinuxSyscall{Names: []string{"read"}, Action: specs.ActAllow})
	p, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActKillProcess, Syscalls: rules})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Filter) < 300 {
		t.Fatalf("%d instructions: not long enough", len(p.Filter))
	}
	audit, personality := uint32(info.ID), uint32(info.SyscallNames["personality"])
	for _, c := range []struct {
		name      string
		audit, nr uint32
		arg       uint64
		want      uint32
	}{
		{"another architecture", audit ^ 1, uint32(info.SyscallNames["read"]), 0, unix.SECCOMP_RET_KILL_PROCESS},
		{"read", audit, uint32(info.SyscallNames["read"]), 0, unix.SECCOMP_RET_ALLOW},
		{"the last personality rule", audit, personality, 99, unix.SECCOMP_RET_ALLOW},
		{"no personality rule", audit, personality, 100, unix.SECCOMP_RET_KILL_PROCESS},
	} {
		if got := run(t, p, c.audit, c.nr, c.arg); got != c.want {
			t.Errorf("%s: ret %#x, want %#x", c.name, got, c.want)
		}
	}
}
