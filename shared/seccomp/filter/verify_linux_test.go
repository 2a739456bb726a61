package filter

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestVerify(t *testing.T) {
	ret := unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW}
	ldNr := unix.SockFilter{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}
	for _, tc := range []struct {
		name string
		f    []unix.SockFilter
		want string
	}{
		{"allow", []unix.SockFilter{ldNr, ret}, ""},
		{"empty", nil, "0 instructions"},
		{"too long", make([]unix.SockFilter, unix.BPF_MAXINSNS+1), "4097 instructions"},
		{"no return", []unix.SockFilter{ret, ldNr}, "not a return"},
		{"jump out", []unix.SockFilter{{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1}, ret}, "past the end"},
		{"ja out", []unix.SockFilter{{Code: unix.BPF_JMP | unix.BPF_JA, K: 1}, ret}, "past the end"},
		{"load beyond", []unix.SockFilter{{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 64}, ret}, "offset 64"},
	} {
		err := (&Program{Filter: tc.f}).Verify()
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: Verify = %v, want %q", tc.name, err, tc.want)
		}
	}
}
