// Package id makes and checks container IDs. An ID becomes a directory
// name, a hostname and a cgroup name, so it is checked before any of those
// is built from it.
package id

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
)

// MaxLen bounds an ID's length.
const MaxLen = 1024

var valid = regexp.MustCompile(`^[A-Za-z0-9_+.-]+$`)

// New returns a random 64-hex-character ID.
func New() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err)) // crypto/rand does not fail on Linux
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
	case !valid.MatchString(id):
		return fmt.Errorf("invalid container ID %q: only letters, digits and _ + . - are allowed", id)
	}
	return nil
}
