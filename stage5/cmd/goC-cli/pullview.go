package main

import (
	"fmt"
	"io"
	"os"

	"goc.dev/stage5/api"
)

// pullView shows a pull's progress stream as docker pull does: on a
// terminal, a line per layer redrawn in place,
//
//	0123456789ab: Downloading [=====>      ] 1.2/3.5 MB  34%
//	456789abcdef: Pull complete
//
// and otherwise a plain line each time a layer's status changes (a
// download's bytes are not repeated).
type pullView struct {
	out   io.Writer
	tty   bool
	ids   []string          // layers, in the order they appeared
	lines map[string]string // what each layer's line says now
	drawn int               // lines drawn by the last frame
}

func newPullView(out io.Writer, tty bool) *pullView {
	return &pullView{out: out, tty: tty, lines: map[string]string{}}
}

// stderrPullView is a pullView on stderr, drawing if it is a terminal.
func stderrPullView() *pullView { return newPullView(os.Stderr, isTerminal(os.Stderr)) }

// show takes one message of the stream.
func (v *pullView) show(m api.PullMessage) {
	if m.ID == "" {
		if m.Status != "" && m.Image == nil {
			fmt.Fprintln(v.out, m.Status)
		}
		return
	}
	line := m.Status
	if d := m.ProgressDetail; d != nil && d.Total > 0 && v.tty {
		line += " " + meter(d.Current, d.Total)
	}
	old, seen := v.lines[m.ID]
	if !seen {
		v.ids = append(v.ids, m.ID)
	}
	v.lines[m.ID] = line
	switch {
	case v.tty:
		v.draw()
	case line != old:
		fmt.Fprintf(v.out, "%s: %s\n", m.ID, line)
	}
}

// draw redraws every layer's line in place: up to the first, then each
// line cleared and written.
func (v *pullView) draw() {
	if v.drawn > 0 {
		fmt.Fprintf(v.out, "\x1b[%dA", v.drawn)
	}
	for _, id := range v.ids {
		fmt.Fprintf(v.out, "\r\x1b[2K%s: %s\n", id, v.lines[id])
	}
	v.drawn = len(v.ids)
}
