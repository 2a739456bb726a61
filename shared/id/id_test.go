package id

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		id string
		ok bool
	}{
		{"abc", true},
		{"web-1.prod_2+x", true},
		{New(), true},
		{"", false},
		{".", false},
		{"..", false},
		{"a/b", false},
		{"../etc", false},
		{"a b", false},
		{"a\x00b", false},
		{strings.Repeat("a", MaxLen), true},
		{strings.Repeat("a", MaxLen+1), false},
	}
	for _, tc := range cases {
		if err := Validate(tc.id); (err == nil) != tc.ok {
			t.Errorf("Validate(%q) = %v, want ok=%v", tc.id, err, tc.ok)
		}
	}
}

func TestNewShort(t *testing.T) {
	a, b := New(), New()
	if len(a) != 64 || a == b {
		t.Fatalf("New() = %q, %q: want two distinct 64-character IDs", a, b)
	}
	if s := Short(a); s != a[:12] {
		t.Fatalf("Short(%q) = %q", a, s)
	}
}
