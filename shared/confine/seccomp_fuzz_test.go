package confine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSeccompProfile: a Docker-format profile (--security-opt seccomp=FILE)
// is refused with an error, is "unconfined" (no program), or compiles into a
// filter the kernel would take (Program.Verify).
func FuzzSeccompProfile(f *testing.F) {
	def, err := Profile("", DefaultCaps)
	if err != nil {
		f.Fatal(err)
	}
	b, err := json.Marshal(def)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	for _, s := range []string{
		`{}`, `{"defaultAction":"SCMP_ACT_ALLOW"}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],` +
			`"syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"},{"names":["clone"],"action":"SCMP_ACT_ALLOW",` +
			`"args":[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}],"excludes":{"caps":["CAP_SYS_ADMIN"]}},` +
			`{"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4.8"}}]}`,
		`{"defaultAction":"SCMP_ACT_KILL","syscalls":[{"name":"getpid","action":"SCMP_ACT_TRACE"}]}`,
		`{"defaultAction":"SCMP_ACT_NOPE"}`, `[`,
	} {
		f.Add([]byte(s))
	}
	file := filepath.Join(f.TempDir(), "profile.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		p, err := Seccomp(file, DefaultCaps, false)
		if err != nil || p == nil {
			return
		}
		if err := p.Verify(); err != nil {
			t.Fatalf("profile %s: %v", data, err)
		}
	})
}
