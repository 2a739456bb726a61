package id

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzValidate: an accepted ID holds no /, NUL or "..", is at most MaxLen
// long, and a path built from it stays a direct child of its parent.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"abc", "web-1.prod_2+x", New(), "", ".", "..", "a/b", "../etc", "a b", "a\x00b", "...", "a..b", ".hidden"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Validate(s) != nil {
			return
		}
		if strings.ContainsAny(s, "/\x00") || s == ".." || len(s) > MaxLen || len(s) == 0 {
			t.Fatalf("Validate(%q) accepted", s)
		}
		parent := "/run/goC"
		rel, err := filepath.Rel(parent, filepath.Join(parent, s))
		if err != nil || rel != s {
			t.Fatalf("ID %q: %s/%s is %q relative to %s (%v)", s, parent, s, rel, parent, err)
		}
		if Short(s) != s[:min(len(s), 12)] {
			t.Fatalf("Short(%q) = %q", s, Short(s))
		}
	})
}
