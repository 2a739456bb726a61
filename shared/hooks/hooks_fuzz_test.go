package hooks

import (
	"encoding/json"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// FuzzValidate: a config.json hooks section whose hooks Validate accepts has
// only absolute paths and positive timeouts.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{
		`{"prestart":[{"path":"/bin/true"}]}`,
		`{"poststop":[{"path":"bin/true"}]}`,
		`{"poststart":[{"path":"/bin/true","timeout":0}]}`,
		`{"createRuntime":[{"path":"/bin/sh","args":["sh","-c","exit 0"],"env":["A=b"],"timeout":5}]}`,
		`{"startContainer":[{"path":"/x","timeout":-1}],"createContainer":[{"path":""}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var h specs.Hooks
		if json.Unmarshal(data, &h) != nil {
			return
		}
		for kind, hs := range map[string][]specs.Hook{"prestart": h.Prestart, "createRuntime": h.CreateRuntime,
			"createContainer": h.CreateContainer, "startContainer": h.StartContainer, "poststart": h.Poststart, "poststop": h.Poststop} {
			if Validate(kind, hs) != nil {
				continue
			}
			for _, x := range hs {
				if !filepath.IsAbs(x.Path) || (x.Timeout != nil && *x.Timeout <= 0) {
					t.Fatalf("Validate(%s) accepted %+v", kind, x)
				}
			}
		}
	})
}
