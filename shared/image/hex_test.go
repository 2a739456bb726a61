package image

import (
	"regexp"
	"strings"
	"testing"
)

// isDigest and isIDPrefix are the patterns they replaced.
func TestDigestChecksAgreeWithPatterns(t *testing.T) {
	digest := regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	prefix := regexp.MustCompile(`^(sha256:)?[0-9a-f]{1,64}$`)
	h64 := strings.Repeat("0123456789abcdef", 4)
	var tries []string
	for _, p := range []string{"", "sha256:", "sha256:sha256:", "SHA256:", "sha512:", "sha256"} {
		for _, h := range []string{"", "a", "f0", h64[:63], h64, h64 + "0", strings.ToUpper(h64), h64[:10] + "g" + h64[11:], h64[:5] + " ", "é"} {
			tries = append(tries, p+h)
		}
	}
	for b := 0; b < 256; b++ {
		tries = append(tries, string([]byte{byte(b)}), "sha256:"+string([]byte{byte(b)})+h64[1:])
	}
	for _, s := range tries {
		if got, want := isDigest(s), digest.MatchString(s); got != want {
			t.Errorf("isDigest(%q) = %v, the pattern says %v", s, got, want)
		}
		if got, want := isIDPrefix(s), prefix.MatchString(s); got != want {
			t.Errorf("isIDPrefix(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
