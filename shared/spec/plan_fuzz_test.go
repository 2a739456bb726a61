package spec

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzConvert: a config.json either fails to parse or convert with an
// error, or gives a plan whose rootfs is a directory and whose mount
// targets are absolute and, cleaned and joined to the rootfs, stay inside it.
func FuzzConvert(f *testing.F) {
	def, err := json.Marshal(Default())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	if runc, err := os.ReadFile("testdata/runc-spec.json"); err == nil {
		f.Add(runc)
	}
	f.Add([]byte(`{"root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/"},"linux":{},` +
		`"mounts":[{"destination":"/a/../../etc","type":"tmpfs"},{"destination":"/b","type":"bind","source":"."}]}`))
	f.Add([]byte(`{"root":{"path":"../x"},"process":{},"linux":{"namespaces":[{"type":"mount","path":"/proc/self/ns/mnt"}]}}`))
	b := f.TempDir()
	if err := os.Mkdir(filepath.Join(b, "rootfs"), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		p, _, err := Convert(s, b, "c1")
		if err != nil {
			return
		}
		if fi, err := os.Stat(p.Rootfs); err != nil || !fi.IsDir() {
			t.Fatalf("plan rootfs %q: %v", p.Rootfs, err)
		}
		for _, m := range p.Mounts {
			// The mount code cleans a destination before it walks it in the rootfs (openIn).
			rel, err := filepath.Rel(p.Rootfs, filepath.Join(p.Rootfs, filepath.Clean(m.Destination)))
			if !filepath.IsAbs(m.Destination) || err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
				t.Fatalf("mount %q leaves rootfs %s (%q, %v)", m.Destination, p.Rootfs, rel, err)
			}
		}
	})
}
