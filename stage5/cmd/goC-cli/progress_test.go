package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	src := strings.NewReader(strings.Repeat("x", 3<<20))
	p := newProgress(src, 3<<20, "img", &out)
	p.every = 0 // draw on every read
	n, err := io.CopyBuffer(io.Discard, p, make([]byte, 1<<20))
	p.done()
	if err != nil || n != 3<<20 {
		t.Fatalf("copied %d, %v", n, err)
	}
	frames := strings.Split(out.String(), "\r")
	last := frames[len(frames)-1]
	if !strings.Contains(out.String(), " 33%") || !strings.Contains(last, "100%") || !strings.Contains(last, "3.1/3.1 MB") || !strings.HasSuffix(last, "\n") {
		t.Fatalf("progress frames %q", out.String())
	}
	if !strings.Contains(last, "[==============================]") {
		t.Fatalf("a full bar expected at the end: %q", last)
	}
}

func TestProgressUnknownSize(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(strings.NewReader(strings.Repeat("x", 2_000_000)), -1, "img", &out)
	p.every = 0
	io.Copy(io.Discard, p)
	p.done()
	if s := out.String(); !strings.Contains(s, "img: 2.0 MB uploaded") || strings.Contains(s, "%") {
		t.Fatalf("progress of a stream of unknown size: %q", s)
	}
}
