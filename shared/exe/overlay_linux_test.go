package exe

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestProtected(t *testing.T) {
	f, err := Protected()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := os.ReadFile("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(Path(f))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("protected binary differs from the running one (%d vs %d bytes)", len(got), len(want))
	}
	// As root (the tests run as root) it is the binary itself, seen
	// through the overlay, not a copy.
	link, err := os.Readlink(Path(f))
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 && strings.HasPrefix(link, "/memfd:") {
		t.Fatalf("Protected copied the binary (%s) where it could mount an overlay", link)
	}
	if err := tryWrite(Path(f)); err == nil {
		t.Fatal("wrote into the protected binary")
	}
}

// TestOverlayStaysReadOnly: unlike a read-only bind mount, the overlay
// cannot be made writable by clearing its mount's read-only flag (its
// superblock has no upper layer to write to).
func TestOverlayStaysReadOnly(t *testing.T) {
	dir, empty := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "goC"), []byte("binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	mnt, err := lowerOnlyOverlay(dir, empty)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(mnt)
	if _, err := unix.Openat(mnt, "goC", unix.O_WRONLY|unix.O_CLOEXEC, 0); err != unix.EROFS {
		t.Fatalf("open for writing: %v, want EROFS", err)
	}
	attr := &unix.MountAttr{Attr_clr: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(mnt, "", unix.AT_EMPTY_PATH, attr); err != nil {
		t.Fatal(err)
	}
	if _, err := unix.Openat(mnt, "goC", unix.O_WRONLY|unix.O_CLOEXEC, 0); err != unix.EROFS {
		t.Fatalf("open for writing once the mount is read-write: %v, want EROFS", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "goC")); string(got) != "binary" {
		t.Fatalf("the binary now holds %q", got)
	}
}

func TestReadOnlyViewRefusesAReplacedBinary(t *testing.T) {
	f, err := os.Open("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := sameFile(f, f); err != nil {
		t.Fatalf("the running binary itself: %v", err)
	}
	other, err := os.Open("/proc/self/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := sameFile(other, f); err == nil {
		t.Fatal("another file passed for the running binary")
	}
}

// TestProtectedBeside: another program, found in the running binary's
// directory (goC-init beside goC), gets the same protection; a missing one
// is named.
func TestProtectedBeside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "goC-init")
	if err := os.WriteFile(path, []byte("the init"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := protect(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, err := os.ReadFile(Path(f)); err != nil || string(got) != "the init" {
		t.Fatalf("read through the protected view: %q, %v", got, err)
	}
	if link, _ := os.Readlink(Path(f)); os.Geteuid() == 0 && strings.HasPrefix(link, "/memfd:") {
		t.Fatalf("protect copied %s (%s) where it could mount an overlay", path, link)
	}
	if err := tryWrite(Path(f)); err == nil {
		t.Fatal("wrote into the protected program")
	}
	// The fallback, where no overlay can be made: a sealed copy, named
	// after the program.
	src, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	mem, err := sealed(src, "goC-init")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if got, err := os.ReadFile(Path(mem)); err != nil || string(got) != "the init" {
		t.Fatalf("read the sealed copy: %q, %v", got, err)
	}
	if link, _ := os.Readlink(Path(mem)); !strings.HasPrefix(link, "/memfd:goC-init") {
		t.Fatalf("sealed copy is %s", link)
	}
	if err := tryWrite(Path(mem)); err == nil {
		t.Fatal("wrote into the sealed copy")
	}
	_, err = ProtectedBeside("no-such-goC-init")
	if err == nil || !strings.Contains(err.Error(), "no-such-goC-init is missing: install it beside") {
		t.Fatalf("a missing program: %v", err)
	}
}

// tryWrite opens name for writing, as the CVE-2019-5736 attack reopens
// /proc/<pid>/exe, and writes a byte.
func tryWrite(name string) error {
	w, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer w.Close()
	_, err = w.Write([]byte("x"))
	return err
}

func TestNested(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"/tmp/", "/tmp", true},
		{"/tmp/x/", "/tmp", true},
		{"/run", "/run/goC", true},
		{"/", "/run", true},
		{"/tmp/", "/run", false},
		{"/runner/bin/", "/run", false},
	} {
		if got := nested(c.a, c.b); got != c.want {
			t.Errorf("nested(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
