package daemon

import (
	"context"
	"log/slog"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// notifier tells when something changes in a container's record
// directory, where the shim writes its files (package shim: Info, Result,
// the log): goCd reacts to the shim at once instead of at its next poll.
// There is one inotify instance for the whole daemon: tearing an instance
// down waits for an SRCU grace period (10–20 ms measured), which neither a
// request nor the Go scheduler (a thread blocked in close) should pay for
// each container.
type notifier struct {
	fd    int
	mu    sync.Mutex
	dirs  map[string]*watched
	byWd  map[int32]*watched
	ready bool
}

type watched struct {
	wd      int32
	refs    int
	changed chan struct{} // closed at the next change, then replaced
}

func newNotifier() *notifier {
	n := &notifier{dirs: map[string]*watched{}, byWd: map[int32]*watched{}}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil { // say so: waits then take up to their poll interval longer
		slog.Warn("no inotify instance (fs.inotify.max_user_instances?): containers' records are polled", "err", err)
		return n
	}
	n.fd, n.ready = fd, true
	go n.read()
	return n
}

func (n *notifier) read() {
	buf := make([]byte, 64<<10)
	for {
		size, err := unix.Read(n.fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return
		}
		n.mu.Lock()
		for off := 0; off+unix.SizeofInotifyEvent <= size; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			if w := n.byWd[ev.Wd]; w != nil {
				close(w.changed)
				w.changed = make(chan struct{})
				if ev.Mask&unix.IN_IGNORED != 0 { // the directory is gone
					delete(n.byWd, ev.Wd)
					w.wd = -1
				}
			}
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
		n.mu.Unlock()
	}
}

// dirWatch is one waiter's view of a directory.
type dirWatch struct {
	n       *notifier
	dir     string
	w       *watched
	changed chan struct{}
}

// watch starts watching dir; the first wait returns on any change after
// this call.
func (n *notifier) watch(dir string) *dirWatch {
	dw := &dirWatch{n: n, dir: dir}
	if !n.ready {
		return dw
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	w := n.dirs[dir]
	if w == nil || w.wd < 0 {
		wd, err := unix.InotifyAddWatch(n.fd, dir, unix.IN_CREATE|unix.IN_MOVED_TO|unix.IN_MODIFY|unix.IN_DELETE|unix.IN_DELETE_SELF)
		if err != nil {
			return dw
		}
		if w = n.byWd[int32(wd)]; w == nil { // a second path to the same directory shares the wd
			w = &watched{wd: int32(wd), changed: make(chan struct{})}
			n.byWd[int32(wd)] = w
		}
		n.dirs[dir] = w
	}
	w.refs++
	dw.w, dw.changed = w, w.changed
	return dw
}

// wait returns after a change, when ctx is done, or after max at the most.
func (dw *dirWatch) wait(ctx context.Context, max time.Duration) {
	if dw.w == nil {
		select { // no inotify: poll
		case <-time.After(min(max, 20*time.Millisecond)):
		case <-ctx.Done():
		}
		return
	}
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-dw.changed:
	case <-t.C:
	case <-ctx.Done():
	}
	dw.n.mu.Lock()
	dw.changed = dw.w.changed
	dw.n.mu.Unlock()
}

func (dw *dirWatch) close() {
	if dw.w == nil {
		return
	}
	n := dw.n
	n.mu.Lock()
	defer n.mu.Unlock()
	dw.w.refs--
	if dw.w.refs > 0 {
		return
	}
	if n.dirs[dw.dir] == dw.w {
		delete(n.dirs, dw.dir)
	}
	if dw.w.wd >= 0 {
		delete(n.byWd, dw.w.wd)
		_, _ = unix.InotifyRmWatch(n.fd, uint32(dw.w.wd))
	}
	dw.w = nil
}
