package image

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
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

// sharedLock takes the store's lock shared: pulls run side by side, while
// Remove (which takes it exclusive) cannot delete a layer a pull has
// unpacked but not yet recorded in its image.
func (s Store) sharedLock() (func(), error) {
	if err := os.MkdirAll(filepath.Join(s.Root, "images"), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(s.Root, ".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// layerLock takes the lock of one layer's pull, a file under .pulls that
// any process pulling that layer takes (goC image pull and goCd may pull
// at once), so a second pull of the layer waits for the first and then
// finds it in the store. waiting is called when another pull holds it.
// The file is removed on unlock; a locker that finds its file removed
// meanwhile takes the lock again on a new one.
func (s Store) layerLock(digest string, waiting func()) (func(), error) {
	dir := filepath.Join(s.Root, ".pulls")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, strings.TrimPrefix(digest, "sha256:"))
	for {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, err
		}
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if errors.Is(err, unix.EWOULDBLOCK) {
			waiting()
			err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		var held, now unix.Stat_t
		if unix.Fstat(int(f.Fd()), &held) == nil && unix.Stat(p, &now) == nil && held.Ino == now.Ino {
			return func() { os.Remove(p); f.Close() }, nil
		}
		f.Close() // its holder removed it: lock the new one
	}
}
