package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress counts what an upload has read and draws a bar on a terminal:
//
//	img5 [==========>                   ]  1.2/3.5 MB  34%
type progress struct {
	r     io.Reader
	total int64 // -1: unknown
	name  string
	out   io.Writer
	every time.Duration // between two frames

	n    int64
	last time.Time
}

func newProgress(r io.Reader, total int64, name string, out io.Writer) *progress {
	return &progress{r: r, total: total, name: name, out: out, every: 100 * time.Millisecond}
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		p.draw()
	}
	return n, err
}

func (p *progress) draw() {
	mb := func(n int64) string { return fmt.Sprintf("%.1f", float64(n)/1e6) }
	if p.total <= 0 {
		fmt.Fprintf(p.out, "\r%s: %s MB uploaded", p.name, mb(p.n))
		return
	}
	fmt.Fprintf(p.out, "\r%s %s", p.name, meter(p.n, p.total))
}

// meter is a bar of n bytes of total, with the figures:
//
//	[==========>                   ]  1.2/3.5 MB  34%
func meter(n, total int64) string {
	mb := func(n int64) string { return fmt.Sprintf("%.1f", float64(n)/1e6) }
	const width = 30
	n = min(n, total)
	pct := n * 100 / total
	fill := int(n * width / total)
	bar := strings.Repeat("=", fill)
	if fill < width {
		bar += ">" + strings.Repeat(" ", width-fill-1)
	}
	return fmt.Sprintf("[%s] %s/%s MB %3d%%", bar, mb(n), mb(total), pct)
}

// done draws the last frame and ends its line.
func (p *progress) done() {
	p.draw()
	fmt.Fprintln(p.out)
}

// isTerminal says whether f is a character device (a tty), without pulling
// a terminal library into the client.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
