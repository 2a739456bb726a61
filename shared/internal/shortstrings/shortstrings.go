// Package shortstrings lists every short string over an alphabet, for the
// tests that hold a hand-written check to the regular expression it
// replaced.
package shortstrings

// Upto returns every string made of at most n pieces of alphabet, "" first.
func Upto(alphabet []string, n int) []string {
	out := []string{""}
	last := []string{""}
	for range n {
		var next []string
		for _, p := range last {
			for _, a := range alphabet {
				next = append(next, p+a)
			}
		}
		out = append(out, next...)
		last = next
	}
	return out
}
