package seccomp

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestProgramJSONRoundTrip(t *testing.T) {
	for _, p := range []Program{
		{},
		{Flags: unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, Listener: "/run/agent.sock", Metadata: "m",
			Filter: []unix.SockFilter{{Code: 0x20, K: 4}, {Code: 0x15, Jt: 1, Jf: 255, K: 0xc000003e}, {Code: 0x6, K: 0x7fff0000}}},
	} {
		b, err := json.Marshal(&p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `"Code"`) {
			t.Errorf("an object per instruction: %s", b)
		}
		var got Program
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if len(p.Filter) == 0 && len(got.Filter) == 0 {
			got.Filter = p.Filter
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("round trip of %+v: %+v (%s)", p, got, b)
		}
	}
}

func TestProgramJSONRefusesPartialInstructions(t *testing.T) {
	var p Program
	if err := json.Unmarshal([]byte(`{"filter":"AAECAwQF"}`), &p); err == nil {
		t.Fatal("accepted a filter of 6 bytes")
	}
}

// BenchmarkProgramJSON sends a 300-instruction program as the init
// receives it: encoded, then decoded.
func BenchmarkProgramJSON(b *testing.B) {
	var rules []specs.LinuxSyscall
	for v := range uint64(100) {
		rules = append(rules, specs.LinuxSyscall{Names: []string{"personality"}, Action: specs.ActAllow,
			Args: []specs.LinuxSeccompArg{{Index: 0, Value: v, Op: specs.OpEqualTo}}})
	}
	p, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActKillProcess, Syscalls: rules})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		raw, err := json.Marshal(p)
		if err != nil {
			b.Fatal(err)
		}
		var got Program
		if err := json.Unmarshal(raw, &got); err != nil {
			b.Fatal(err)
		}
	}
}
