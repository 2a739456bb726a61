package remote

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress receives a pull's per-layer events, in Docker's words: id is
// the layer's short digest (12 hex digits), status one of "Already
// exists", "Waiting", "Pulling fs layer", "Downloading" (with bytes
// current of total), "Verifying Checksum", "Download complete",
// "Extracting", "Pull complete". A progress writer given to Pull that
// also implements Progress gets these events instead of lines. Pull calls
// it from several goroutines, never at once.
type Progress interface {
	Layer(id, status string, current, total int64)
}

// ShortID is a digest as Docker shows a layer: its first 12 hex digits.
func ShortID(digest string) string {
	h := strings.TrimPrefix(digest, "sha256:")
	return h[:min(12, len(h))]
}

// pullProgress serializes what a pull's goroutines report to w: events
// if w is a Progress, else a line per layer step.
type pullProgress struct {
	mu sync.Mutex
	w  io.Writer
	ev Progress
}

func newPullProgress(w io.Writer) *pullProgress {
	p := &pullProgress{w: w}
	p.ev, _ = w.(Progress)
	return p
}

// event reports a layer's step.
func (p *pullProgress) event(digest, status string, current, total int64) {
	if p.ev == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ev.Layer(ShortID(digest), status, current, total)
}

// line reports a line, for a writer that takes no events.
func (p *pullProgress) line(format string, args ...any) {
	if p.ev != nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// Write passes what addLayer reports on as lines (not as events).
func (p *pullProgress) Write(b []byte) (int, error) {
	p.line("%s", strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

// downloadReader reports a layer's download as it is read, at most every
// 100 ms and at its end.
type downloadReader struct {
	r      io.Reader
	p      *pullProgress
	digest string
	n, tot int64
	last   time.Time
}

func (d *downloadReader) Read(b []byte) (int, error) {
	n, err := d.r.Read(b)
	d.n += int64(n)
	if now := time.Now(); now.Sub(d.last) >= 100*time.Millisecond || err == io.EOF {
		d.last = now
		d.p.event(d.digest, "Downloading", d.n, d.tot)
	}
	return n, err
}
