package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"goc.dev/stage5/api"
	"goc.dev/stage5/shim"
)

// Output from before the first client is kept for it, framed by stream,
// and also goes to the log; a client's input reaches the container's, and
// its end (without a terminal) closes it.
func TestAttacherPendingAndInput(t *testing.T) {
	dir := t.TempDir()
	log, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	a := &attacher{dir: shim.Dir(dir), opts: shim.Attach{Stdin: true}, log: log, input: inW, first: make(chan struct{}),
		clients: map[net.Conn]io.Writer{}, errOut: map[net.Conn]io.Writer{}}
	a.output(api.Stdout, []byte("before "))
	a.output(api.Stderr, []byte("oops "))
	client, shimEnd := net.Pipe()
	go func() {
		io.WriteString(client, "attach\n")
		io.WriteString(client, "typed")
	}()
	done := make(chan struct{})
	go func() { a.handle(shimEnd); close(done) }()
	var out, errw bytes.Buffer
	demuxed := make(chan error, 1)
	go func() { demuxed <- api.Demux(&out, &errw, client) }()
	got := make([]byte, 5)
	if _, err := io.ReadFull(inR, got); err != nil || string(got) != "typed" {
		t.Fatalf("the container read %q, %v", got, err)
	}
	a.output(api.Stdout, []byte("after"))
	client.Close() // the end of the client's input (io.EOF on the shim's end), and of its stream
	<-done
	<-demuxed
	if out.String() != "before after" || errw.String() != "oops " {
		t.Fatalf("client got stdout %q stderr %q", out.String(), errw.String())
	}
	b, _ := os.ReadFile(filepath.Join(dir, "log"))
	if string(b) != "before oops after" {
		t.Fatalf("log %q", b)
	}
	if n, err := inR.Read(got); n != 0 || err != io.EOF {
		t.Fatalf("the container's input is still open: %d %v", n, err)
	}
}
