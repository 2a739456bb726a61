package shim

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A socket in a directory whose path is too long for a socket address is
// reached all the same.
func TestSocketInALongDir(t *testing.T) {
	d := Dir(filepath.Join(t.TempDir(), strings.Repeat("x", 100), strings.Repeat("y", 60)))
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		t.Fatal(err)
	}
	l, err := d.ListenUnix(AttachSocket)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.WriteString(c, "hello")
			c.Close()
		}
	}()
	c, err := d.DialUnix(AttachSocket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b, _ := io.ReadAll(c)
	if string(b) != "hello" {
		t.Fatalf("read %q", b)
	}
	if _, err := os.Stat(filepath.Join(string(d), AttachSocket)); err != nil {
		t.Fatal("the socket is not in the directory")
	}
}

func TestAttachFile(t *testing.T) {
	d := Dir(t.TempDir())
	if _, err := d.ReadAttach(); !IsMissing(err) {
		t.Fatalf("no file: %v", err)
	}
	if err := d.WriteAttach(Attach{Stdin: true, Tty: true}); err != nil {
		t.Fatal(err)
	}
	if a, err := d.ReadAttach(); err != nil || !a.Stdin || !a.Tty {
		t.Fatalf("%+v %v", a, err)
	}
}
