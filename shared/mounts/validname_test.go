package mounts

import (
	"regexp"
	"testing"

	"goc.dev/shared/internal/shortstrings"
)

// ValidName accepts what Docker's pattern accepts: every string of up to
// three characters over the bytes that matter, and some longer ones.
func TestValidNameAgreesWithPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)
	alphabet := []string{"a", "Z", "0", "9", "_", ".", "-", "/", " ", "é", "\x00", ":"}
	tries := []string{"", "data", "my_vol.1-x", "-vol", ".vol", "_vol", "vol/x", "a", "ab"}
	tries = append(tries, shortstrings.Upto(alphabet, 3)...)
	for _, s := range tries {
		if got, want := ValidName(s) == nil, pattern.MatchString(s); got != want {
			t.Errorf("ValidName(%q) accepts: %v, the pattern: %v", s, got, want)
		}
	}
}
