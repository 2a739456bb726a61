package seccomp

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
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
		{"notify", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActNotify}}}, "SCMP_ACT_NOTIFY is not supported"},
		{"listener", specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/run/x.sock"}, "listenerPath is not supported"},
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
