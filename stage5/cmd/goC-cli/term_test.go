package main

import (
	"bytes"
	"strings"
	"testing"
)

// The detach keys end the copy and are not sent; other ctrl-p's are.
func TestCopyInputDetachKeys(t *testing.T) {
	for _, tc := range []struct {
		in, sent string
		detached bool
	}{
		{"echo hi\n", "echo hi\n", false},
		{"ab\x10\x11cd", "ab", true},
		{"a\x10b", "a\x10b", false},
		{"a\x10\x10\x11z", "a\x10", true},
		{"\x10", "\x10", false}, // the input ended: a held key is sent
	} {
		var w bytes.Buffer
		got := copyInput(&w, oneByteAtATime{strings.NewReader(tc.in)})
		if w.String() != tc.sent || got != tc.detached {
			t.Errorf("%q: sent %q detached %v, want %q %v", tc.in, w.String(), got, tc.sent, tc.detached)
		}
	}
}

type oneByteAtATime struct{ r *strings.Reader }

func (o oneByteAtATime) Read(p []byte) (int, error) { return o.r.Read(p[:1]) }
