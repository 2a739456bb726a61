package initproc

import "testing"

func TestLookup(t *testing.T) {
	env := []string{"PATH=/bin", "HOME=/root", "EMPTY=", "PATH=/usr/bin:/bin", "NOEQUALS"}
	for key, want := range map[string]string{"PATH": "/usr/bin:/bin", "HOME": "/root", "EMPTY": "", "NOEQUALS": "", "MISSING": ""} {
		if got := lookup(env, key); got != want {
			t.Errorf("lookup(%s) = %q, want %q", key, got, want)
		}
	}
}
