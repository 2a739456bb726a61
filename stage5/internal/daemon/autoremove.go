package daemon

import (
	"context"
	"log/slog"
	"time"

	"goc.dev/stage5/api"
)

// An autoRemove container (run --rm) is goCd's to remove once it has
// exited: a watcher per container does it, keeping the exit code for wait.
// If the client attached to its log, the container waits for that client
// to have read all of it (attachHold at the most).

// attachHold is how long an autoRemove container waits for its attached
// client to come and read its log.
const attachHold = 10 * time.Second

// gone is an auto-removed container: its exit code, and a channel closed
// once it is removed.
type gone struct {
	code    int
	removed chan struct{}
}

// autoRemove starts the watcher of an autoRemove container; it stops when
// the container is removed, or goCd closes.
func (d *Daemon) autoRemove(cid string) {
	go func() {
		ctx, cancel := d.untilClosed()
		defer cancel()
		ct, err := d.awaitExit(ctx, cid)
		if err != nil || !d.awaitReader(ctx, cid) {
			return // removed by someone else, or goCd closes
		}
		d.reap(ct)
	}()
}

// reap removes an autoRemove container that has exited, keeping its exit
// code for wait.
func (d *Daemon) reap(ct *api.Container) {
	g := &gone{code: exitCode(ct), removed: make(chan struct{})}
	d.goneMu.Lock()
	d.gone[ct.ID], d.gone[ct.Name] = g, g
	d.goneMu.Unlock()
	if err := d.removeContainer(ct, false); err != nil {
		slog.Warn("auto-remove", "container", ct.Name, "err", err)
	} else {
		d.removeAnonymous(ct.ID) // as docker run --rm's
	}
	close(g.removed)
}

// untilClosed is a context that is done once goCd closes.
func (d *Daemon) untilClosed() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-d.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// hold keeps cid's record, once it has exited, until release (an attached
// client has read the whole log) or for attachHold.
func (d *Daemon) hold(cid string) {
	d.goneMu.Lock()
	defer d.goneMu.Unlock()
	d.holds[cid] = make(chan struct{})
}

// release ends the hold of an attached client on cid's record.
func (d *Daemon) release(cid string) {
	d.goneMu.Lock()
	defer d.goneMu.Unlock()
	if ch := d.holds[cid]; ch != nil {
		close(ch)
		delete(d.holds, cid)
	}
}

// awaitReader waits for the hold on cid's record to end; false if ctx is
// done first.
func (d *Daemon) awaitReader(ctx context.Context, cid string) bool {
	d.goneMu.Lock()
	hold := d.holds[cid]
	d.goneMu.Unlock()
	if hold == nil {
		return true
	}
	select {
	case <-hold:
	case <-time.After(attachHold):
		d.release(cid)
	case <-ctx.Done():
		return false
	}
	return true
}

// exitCodeOf is the exit code of a container auto-removed since goCd
// started, once it is removed.
func (d *Daemon) exitCodeOf(ctx context.Context, ref string) (int, bool) {
	d.goneMu.Lock()
	g, ok := d.gone[ref]
	d.goneMu.Unlock()
	if !ok {
		return 0, false
	}
	select {
	case <-g.removed:
	case <-ctx.Done():
	}
	return g.code, true
}

// forget drops what is kept of an auto-removed container under name: a new
// container has it now.
func (d *Daemon) forget(name string) {
	d.goneMu.Lock()
	defer d.goneMu.Unlock()
	delete(d.gone, name)
}
