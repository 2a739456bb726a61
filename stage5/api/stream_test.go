package api

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// A frame is Docker's: stream, three zero bytes, big-endian length.
func TestMuxerFrames(t *testing.T) {
	var b bytes.Buffer
	m := NewMuxer(&b)
	if _, err := m.Stream(Stdout).Write([]byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Stream(Stderr).Write([]byte("oops")); err != nil {
		t.Fatal(err)
	}
	if n, _ := m.Stream(Stdout).Write(nil); n != 0 {
		t.Fatalf("an empty write wrote %d", n)
	}
	want := []byte{1, 0, 0, 0, 0, 0, 0, 3, 'h', 'i', '\n', 2, 0, 0, 0, 0, 0, 0, 4, 'o', 'o', 'p', 's'}
	if !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("frames % x, want % x", b.Bytes(), want)
	}
}

// Demux undoes the Muxer, keeping the streams apart, one byte at a time too.
func TestDemuxRoundTrip(t *testing.T) {
	var b bytes.Buffer
	m := NewMuxer(&b)
	io.WriteString(m.Stream(Stdout), "out1 ")
	io.WriteString(m.Stream(Stderr), "err1 ")
	io.WriteString(m.Stream(Stdout), strings.Repeat("x", 70000))
	io.WriteString(m.Stream(Stderr), "err2")
	var out, errw bytes.Buffer
	if err := Demux(&out, &errw, oneByte{bytes.NewReader(b.Bytes())}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "out1 "+strings.Repeat("x", 70000) || errw.String() != "err1 err2" {
		t.Fatalf("stdout %d bytes, stderr %q", out.Len(), errw.String())
	}
}

func TestDemuxBadInput(t *testing.T) {
	for name, in := range map[string][]byte{
		"unknown stream":   {3, 0, 0, 0, 0, 0, 0, 1, 'x'},
		"not zero":         {1, 0, 1, 0, 0, 0, 0, 1, 'x'},
		"too long":         {1, 0, 0, 0, 0xff, 0, 0, 0},
		"truncated header": {1, 0, 0},
		"short payload":    {1, 0, 0, 0, 0, 0, 0, 5, 'x'},
	} {
		if err := Demux(io.Discard, io.Discard, bytes.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	err := Demux(io.Discard, io.Discard, bytes.NewReader([]byte{1, 0, 0, 0, 0, 0, 0, 5, 'x'}))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short payload: %v, want unexpected EOF", err)
	}
	if err := Demux(io.Discard, io.Discard, bytes.NewReader(nil)); err != nil {
		t.Errorf("empty stream: %v", err)
	}
}

type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}
