package console

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A console socket receives the master's name and its descriptor, which
// refers to the same open file.
func TestSend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	master, err := os.CreateTemp(t.TempDir(), "master")
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()

	errc := make(chan error, 1)
	go func() { errc <- Send(path, master) }()
	c, err := l.AcceptUnix()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Send: %v", err)
	}
	if string(buf[:n]) != master.Name() {
		t.Fatalf("name = %q, want %q", buf[:n], master.Name())
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		t.Fatalf("control messages: %v, %v", msgs, err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		t.Fatalf("rights: %v, %v", fds, err)
	}
	got := os.NewFile(uintptr(fds[0]), "received")
	defer got.Close()
	var a, b unix.Stat_t
	if unix.Fstat(fds[0], &a) != nil || unix.Fstat(int(master.Fd()), &b) != nil || a.Ino != b.Ino || a.Dev != b.Dev {
		t.Fatal("the descriptor received is not the master's file")
	}
}

func TestSendNoListener(t *testing.T) {
	err := Send(filepath.Join(t.TempDir(), "nobody.sock"), os.Stdin)
	if err == nil || !strings.HasPrefix(err.Error(), "console socket: ") {
		t.Fatalf("Send to nothing = %v", err)
	}
}

// Receive takes what Send sends: the same open file, by name.
func TestReceive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	master, err := os.CreateTemp(t.TempDir(), "master")
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	go Send(path, master)
	got, err := Receive(l)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	var a, b unix.Stat_t
	if got.Name() != master.Name() || unix.Fstat(int(got.Fd()), &a) != nil || unix.Fstat(int(master.Fd()), &b) != nil || a.Ino != b.Ino {
		t.Fatalf("received %s, not the master's file", got.Name())
	}
	l.Close()
	if _, err := Receive(l); err == nil {
		t.Fatal("a closed listener: no error")
	}
}
