// Package id makes and checks container IDs. An ID becomes a directory
// name, a hostname and a cgroup name, so it is checked before any of those
// is built from it.
package id

import (
	"encoding/hex"
	"fmt"

	"golang.org/x/sys/unix"
)

// MaxLen bounds an ID's length.
const MaxLen = 1024

// New returns a random 64-hex-character ID: 32 bytes of the kernel's
// getrandom(2), as crypto/rand reads them on Linux, without crypto/rand's
// package initialisation in goC-init, which validates IDs and never makes
// one.
func New() string {
	b := make([]byte, 32)
	for n := 0; n < len(b); {
		m, err := unix.Getrandom(b[n:], 0)
		if err != nil && err != unix.EINTR {
			panic(fmt.Sprintf("getrandom: %v", err)) // only before Linux 3.17
		}
		n += max(m, 0)
	}
	return hex.EncodeToString(b)
}

// Short is the 12-character form of an ID, as Docker shows it.
func Short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// Validate refuses IDs that would be unsafe as a path component.
func Validate(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("invalid container ID: empty")
	case len(id) > MaxLen:
		return fmt.Errorf("invalid container ID: longer than %d characters", MaxLen)
	case id == "." || id == "..":
		return fmt.Errorf("invalid container ID %q", id)
	case !validChars(id):
		return fmt.Errorf("invalid container ID %q: only letters, digits and _ + . - are allowed", id)
	}
	return nil
}

// validChars: only letters, digits and _ + . - (runc's ^[A-Za-z0-9_+.-]+$).
// A loop, not that regexp: compiling it took some 50 µs at the start of
// every goC process and goC-init (GODEBUG=inittrace=1), for a check this
// simple.
func validChars(id string) bool {
	for i := 0; i < len(id); i++ {
		if !idChar(id[i]) {
			return false
		}
	}
	return true
}

func idChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '+' || c == '.' || c == '-'
}
