package main

import (
	"bytes"
	"strings"
	"testing"

	"goc.dev/stage5/api"
)

var pullStream = []api.PullMessage{
	{ID: "aaaaaaaaaaaa", Status: "Pulling fs layer"},
	{ID: "bbbbbbbbbbbb", Status: "Already exists"},
	{ID: "aaaaaaaaaaaa", Status: "Downloading", ProgressDetail: &api.ProgressDetail{Current: 1e6, Total: 4e6}},
	{ID: "aaaaaaaaaaaa", Status: "Downloading", ProgressDetail: &api.ProgressDetail{Current: 4e6, Total: 4e6}},
	{ID: "aaaaaaaaaaaa", Status: "Pull complete"},
	{Status: "Digest: sha256:0123"},
	{Status: "Status: Downloaded image for x:1", Image: &api.Image{Name: "x:1"}},
}

// Not a terminal: a plain line per change of a layer's status.
func TestPullViewPlain(t *testing.T) {
	var out bytes.Buffer
	v := newPullView(&out, false)
	for _, m := range pullStream {
		v.show(m)
	}
	want := "aaaaaaaaaaaa: Pulling fs layer\nbbbbbbbbbbbb: Already exists\naaaaaaaaaaaa: Downloading\n" +
		"aaaaaaaaaaaa: Pull complete\nDigest: sha256:0123\n"
	if out.String() != want {
		t.Errorf("plain progress:\n%s\nwant:\n%s", out.String(), want)
	}
}

// A terminal: each layer's line redrawn in place, with a bar.
func TestPullViewTerminal(t *testing.T) {
	var out bytes.Buffer
	v := newPullView(&out, true)
	for _, m := range pullStream[:4] {
		v.show(m)
	}
	s := out.String()
	frames := strings.Split(s, "\x1b[2A")
	last := frames[len(frames)-1]
	if len(frames) != 3 || !strings.Contains(s, " 25%") ||
		!strings.Contains(last, "aaaaaaaaaaaa: Downloading [==============================] 4.0/4.0 MB 100%\n") ||
		!strings.Contains(last, "bbbbbbbbbbbb: Already exists\n") {
		t.Errorf("terminal frames: %q", s)
	}
}
