package seccomp

import (
	"encoding/json"
	"testing"

	"github.com/elastic/go-seccomp-bpf/arch"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// FuzzCompile: a config.json linux.seccomp either fails with an error or
// compiles into a filter the kernel would take (Verify), which gives each
// syscall what the filter that tries rule after rule gives it.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`{"defaultAction":"SCMP_ACT_ALLOW"}`,
		`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"},{"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","no_such_call_2099"],"action":"SCMP_ACT_ALLOW"},` +
			`{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}]},` +
			`{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}]}`,
		`{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_SPEC_ALLOW"]}`,
		`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}],"listenerPath":"/run/x.sock"}`,
		`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"value":3,"valueTwo":1,"op":"SCMP_CMP_MASKED_EQ"}]}]}`,
		`{"defaultAction":"SCMP_ACT_KILL","architectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"],"syscalls":[{"names":["getpid"],"action":"SCMP_ACT_TRACE"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s specs.LinuxSeccomp
		if json.Unmarshal(data, &s) != nil {
			return
		}
		p, err := Compile(&s)
		if err != nil {
			return
		}
		if err := p.Verify(); err != nil {
			t.Fatalf("Compile(%s): %v", data, err)
		}
		model, err := compileWith(&s, assembleLinear)
		if err != nil {
			t.Fatalf("Compile(%s) took it, the linear assembly: %v", data, err)
		}
		for _, audit := range []uint32{uint32(arch.X86_64.ID), uint32(arch.I386.ID)} {
			for nr := uint32(0); nr < 512; nr++ {
				for _, args := range [][]uint64{nil, {8}, {0x7e020000, 1}, {1 << 33, 9}} {
					got, _ := steps(t, p, audit, nr, args...)
					want, _ := steps(t, model, audit, nr, args...)
					if got != want {
						t.Fatalf("Compile(%s): arch %#x, syscall %d, args %v: %#x, the linear assembly %#x", data, audit, nr, args, got, want)
					}
				}
			}
		}
	})
}
