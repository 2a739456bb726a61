package syncsock

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"golang.org/x/sys/unix"
)

type payload struct {
	Name string   `json:"name"`
	Args []string `json:"args"`
}

func TestRoundTrip(t *testing.T) {
	a, b, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := New(a), New(b)
	defer pb.Close()

	want := payload{Name: "x", Args: []string{strings.Repeat("a", 200_000), "b"}}
	if err := pa.Send(want); err != nil {
		t.Fatal(err)
	}
	var got payload
	if err := pb.Recv(&got); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("config mismatch (-want +got):\n%s", d)
	}

	// A descriptor travels with its message.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := pa.SendFile(Message{Type: Pty}, w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var m Message
	f, err := pb.RecvFile(&m)
	if err != nil || f == nil || m.Type != Pty {
		t.Fatalf("RecvFile = %v, %v, %+v", f, err, m)
	}
	if _, err := f.WriteString("hi"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	buf := make([]byte, 2)
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "hi" {
		t.Fatalf("read through passed fd: %q, %v", buf, err)
	}

	// Closing one end reads as EOF on the other.
	pa.Close()
	if err := pb.Recv(&m); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after close = %v, want io.EOF", err)
	}
}

func TestTooLarge(t *testing.T) {
	a, b, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	err = New(a).Send(payload{Args: []string{strings.Repeat("a", maxPacket)}})
	if err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
		t.Fatalf("Send of an oversized message = %v", err)
	}
}

func TestMoveAbove(t *testing.T) {
	a, b, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := New(a), New(b)
	defer pa.Close()
	defer pb.Close()
	old := int(pb.File().Fd())
	if err := pb.MoveAbove(200); err != nil {
		t.Fatal(err)
	}
	if fd := int(pb.File().Fd()); fd < 200 {
		t.Fatalf("moved to %d, want >= 200", fd)
	}
	if _, err := unix.FcntlInt(uintptr(old), unix.F_GETFD, 0); err == nil {
		t.Fatalf("descriptor %d still open after the move", old)
	}
	if flags, _ := unix.FcntlInt(pb.File().Fd(), unix.F_GETFD, 0); flags&unix.FD_CLOEXEC == 0 {
		t.Fatal("moved descriptor lost close-on-exec")
	}
	if err := pa.Send(Message{Type: Ready}); err != nil {
		t.Fatal(err)
	}
	var m Message
	if err := pb.Recv(&m); err != nil || m.Type != Ready {
		t.Fatalf("after the move: %+v, %v", m, err)
	}
}

func TestPeerClosed(t *testing.T) {
	a, b, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := New(a), New(b)
	defer pb.Close()
	if pb.PeerClosed() {
		t.Fatal("PeerClosed with the other end open")
	}
	// A message waiting to be read is not a closed peer.
	if err := pa.Send(Message{Type: Go}); err != nil {
		t.Fatal(err)
	}
	if pb.PeerClosed() {
		t.Fatal("PeerClosed with a message pending and the other end open")
	}
	pa.Close()
	if !pb.PeerClosed() {
		t.Fatal("PeerClosed = false once the other end is closed")
	}
}

// A handled message goes to its handler, with its descriptor, between the
// others; the handler's error is the reader's.
func TestHandle(t *testing.T) {
	a, b, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := New(a), New(b)
	defer pa.Close()
	defer pb.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got string
	pb.Handle(Seccomp, func(f *os.File) error {
		buf := make([]byte, 2)
		_, err := f.Read(buf)
		got = string(buf)
		return err
	})
	w.WriteString("fd")
	if err := pa.SendSeccomp(r); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := pa.Send(Message{Type: Waiting}); err != nil {
		t.Fatal(err)
	}
	var m Message
	if err := pb.Recv(&m); err != nil || m.Type != Waiting || got != "fd" {
		t.Fatalf("Recv = %+v, %v; the handler read %q", m, err, got)
	}
	pb.Handle(Seccomp, func(*os.File) error { return errors.New("no agent") })
	if err := pa.SendSeccomp(r); err != nil {
		t.Fatal(err)
	}
	if err := pb.Recv(&m); err == nil || err.Error() != "no agent" {
		t.Fatalf("Recv = %v, want the handler's error", err)
	}
}
