package process

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestChdir(t *testing.T) {
	here, _ := os.Getwd()
	defer os.Chdir(here)
	base := t.TempDir()

	// Entered at once (as root, before the user is set): nothing left.
	again, err := Chdir(base)
	if err != nil {
		t.Fatal(err)
	}
	if wd, _ := os.Getwd(); wd != base {
		t.Errorf("in %s, want %s", wd, base)
	}
	if err := again(); err != nil {
		t.Errorf("again: %v", err)
	}

	// A missing one is made, then entered.
	missing := filepath.Join(base, "a", "b")
	if _, err := Chdir(missing); err != nil {
		t.Fatal(err)
	}
	if wd, _ := os.Getwd(); wd != missing {
		t.Errorf("in %s, want %s", wd, missing)
	}

	// A file is an error.
	file := filepath.Join(base, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Chdir(file); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Chdir(file) = %v", err)
	}

	// Denied now (root squashed out of it): tried again once the user is
	// set; still denied then, an error.
	real := chdir
	defer func() { chdir = real }()
	denied := true
	chdir = func(dir string) error {
		if denied {
			return unix.EACCES
		}
		return real(dir)
	}
	again, err = Chdir(missing)
	if err != nil {
		t.Fatalf("a first EACCES is no error: %v", err)
	}
	if err := again(); !errors.Is(err, unix.EACCES) || !strings.Contains(err.Error(), missing) {
		t.Errorf("again, still denied: %v", err)
	}
	_ = os.Chdir("/")
	if again, err = Chdir(base); err != nil {
		t.Fatal(err)
	}
	denied = false
	if err := again(); err != nil {
		t.Errorf("again, allowed: %v", err)
	}
	if wd, _ := os.Getwd(); wd != base {
		t.Errorf("in %s, want %s", wd, base)
	}
}
