package shortstrings

import (
	"slices"
	"testing"
)

func TestUpto(t *testing.T) {
	got := Upto([]string{"a", "b"}, 2)
	want := []string{"", "a", "b", "aa", "ab", "ba", "bb"}
	if !slices.Equal(got, want) {
		t.Fatalf("Upto = %q, want %q", got, want)
	}
}
