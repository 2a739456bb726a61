package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"goc.dev/shared/syncsock"
)

// The sources of the bind mounts travel over the socket; the receiver's
// mounts then name its descriptors, through which the files read.
func TestSources(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	ms := []Mount{
		{Source: "proc", Destination: "/proc", Type: "proc"},
		{Source: filepath.Join(dir, "f"), Destination: "/f", Type: "bind", Flags: unix.MS_BIND},
		{Source: dir, Destination: "/d", Type: "bind", Flags: unix.MS_BIND | unix.MS_REC},
	}
	idx := Binds(ms)
	if len(idx) != 2 || idx[0] != 1 || idx[1] != 2 {
		t.Fatalf("Binds = %v", idx)
	}
	a, b, err := syncsock.Pair()
	if err != nil {
		t.Fatal(err)
	}
	parent, child := syncsock.New(a), syncsock.New(b)
	defer parent.Close()
	defer child.Close()
	errc := make(chan error, 1)
	go func() { errc <- SendSources(parent, os.Getpid(), ms, idx) }()
	got := append([]Mount(nil), ms...)
	if err := RecvSources(child, got, idx); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got[0].Source != "proc" || !strings.HasPrefix(got[1].Source, "/proc/self/fd/") || !strings.HasPrefix(got[2].Source, "/proc/self/fd/") {
		t.Fatalf("sources = %q, %q, %q", got[0].Source, got[1].Source, got[2].Source)
	}
	if b, err := os.ReadFile(got[1].Source); err != nil || string(b) != "hello" {
		t.Fatalf("read through %s: %q, %v", got[1].Source, b, err)
	}
	if b, err := os.ReadFile(filepath.Join(got[2].Source, "f")); err != nil || string(b) != "hello" {
		t.Fatalf("read below %s: %q, %v", got[2].Source, b, err)
	}
}

// A source that cannot be opened fails the sending, naming the mount.
func TestSendSourcesMissing(t *testing.T) {
	a, b, err := syncsock.Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	ms := []Mount{{Source: "/nonexistent/x", Destination: "/x", Type: "bind", Flags: unix.MS_BIND}}
	err = SendSources(syncsock.New(a), os.Getpid(), ms, Binds(ms))
	if err == nil || !strings.Contains(err.Error(), "mount /x: ") {
		t.Fatalf("SendSources = %v", err)
	}
}
