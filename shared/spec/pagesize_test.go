package spec

import (
	"regexp"
	"testing"

	"goc.dev/shared/internal/shortstrings"
)

// isPageSize is the pattern it replaced: every string of up to four
// characters over the bytes that matter, and some longer ones.
func TestIsPageSizeAgreesWithPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[1-9][0-9]*[KMG]B$`)
	alphabet := []string{"0", "1", "9", "K", "M", "G", "B", "b", "k", " ", "é", "-"}
	tries := []string{"", "64KB", "2MB", "1GB", "1024KB", "2M", "02MB", "2MBB", "2 MB", "-2MB", "20000000000GB"}
	tries = append(tries, shortstrings.Upto(alphabet, 4)...)
	for _, s := range tries {
		if got, want := isPageSize(s), pattern.MatchString(s); got != want {
			t.Errorf("isPageSize(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
