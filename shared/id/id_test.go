package id

import (
	"regexp"
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

// Validate's characters are those of the pattern it had (as runc's):
// ^[A-Za-z0-9_+.-]+$, every byte and a few runes tried alone and inside
// an ID.
func TestValidateAgreesWithPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9_+.-]+$`)
	var tries []string
	for b := 0; b < 256; b++ {
		tries = append(tries, string(rune(b)), string([]byte{byte(b)}), "a"+string([]byte{byte(b)})+"b")
	}
	tries = append(tries, "é", "ａ", "٣", "a\u200bb", "web-1.prod_2+x")
	for _, s := range tries {
		if s == "." || s == ".." {
			continue // refused apart from the characters
		}
		if got, want := Validate(s) == nil, pattern.MatchString(s); got != want {
			t.Errorf("Validate(%q) accepts: %v, the pattern: %v", s, got, want)
		}
	}
}
