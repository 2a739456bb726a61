package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
)

// Restart policies (run --restart): a supervisor per container that has
// one starts it again when it exits, if its policy says so, after a
// back-off. What the policy needs is on disk, in the container's record,
// so that a goCd started again (Recover) carries on: restartsFile, how
// many times it was restarted, and stoppedFile, that a user stopped it.

const (
	restartsFile = "restarts" // a number
	stoppedFile  = "stopped"  // empty: stop was asked for
)

// Back-off: the first restart after minBackoff, each next one after twice
// as long, maxBackoff at the most; a run of resetAfter or longer starts
// the back-off again.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = time.Minute
	resetAfter = 10 * time.Second
)

// policy is a parsed restart policy.
type policy struct {
	name string // api.Restart*
	max  int    // on-failure's maximum count, 0: no maximum
}

// parsePolicy reads --restart's value; empty is "no".
func parsePolicy(s string) (policy, error) {
	name, n, hasMax := strings.Cut(s, ":")
	p := policy{name: name}
	switch name {
	case "":
		p.name = api.RestartNo
	case api.RestartNo, api.RestartAlways, api.RestartUnlessStopped, api.RestartOnFailure:
	default:
		return p, bad("invalid restart policy %q: want no, always, unless-stopped or on-failure[:N]", s)
	}
	if !hasMax {
		return p, nil
	}
	if name != api.RestartOnFailure {
		return p, bad("invalid restart policy %q: only on-failure takes a maximum retry count", s)
	}
	max, err := strconv.Atoi(n)
	if err != nil || max < 0 {
		return p, bad("invalid restart policy %q: the maximum retry count is a number, 0 or more", s)
	}
	p.max = max
	return p, nil
}

// checkRestart is a 400 for a policy no container can have.
func checkRestart(req api.ContainerCreate) error {
	p, err := parsePolicy(req.Restart)
	if err != nil {
		return err
	}
	if p.name != api.RestartNo && req.AutoRemove {
		return bad("conflicting options: --restart and --rm")
	}
	return nil
}

// again tells whether a container that has exited starts again: its
// policy, its exit code, how many times it was restarted, whether a user
// stopped it.
func (p policy) again(ct *api.Container, stopped bool) bool {
	switch p.name {
	case api.RestartAlways, api.RestartUnlessStopped:
		return !stopped
	case api.RestartOnFailure:
		return !stopped && exitCode(ct) != 0 && (p.max == 0 || ct.RestartCount < p.max)
	}
	return false
}

// supervise starts the supervisor of a container with a restart policy
// (none for others, one per container). It ends when the container is
// removed, or goCd closes.
func (d *Daemon) supervise(cid string, name string) {
	p, err := parsePolicy(name)
	if err != nil || p.name == api.RestartNo {
		return
	}
	d.goneMu.Lock()
	if d.supervised == nil {
		d.supervised = map[string]bool{}
	}
	if d.supervised[cid] {
		d.goneMu.Unlock()
		return
	}
	d.supervised[cid] = true
	d.goneMu.Unlock()
	go func() {
		defer func() {
			d.goneMu.Lock()
			delete(d.supervised, cid)
			d.goneMu.Unlock()
		}()
		ctx, cancel := d.untilClosed()
		defer cancel()
		d.superviseLoop(ctx, cid, p)
	}()
}

// superviseLoop waits for each exit, and starts the container again if
// its policy says so; else it waits until a user starts it.
func (d *Daemon) superviseLoop(ctx context.Context, cid string, p policy) {
	backoff, started := minBackoff, time.Now()
	for {
		ct, err := d.awaitExit(ctx, cid)
		if err != nil {
			return // removed, or goCd closes
		}
		if !p.again(ct, d.marked(cid, stoppedFile)) {
			if !d.awaitRunning(ctx, cid) {
				return
			}
			backoff, started = minBackoff, time.Now()
			continue
		}
		if ct.Finished != nil && ct.Finished.Sub(started) >= resetAfter {
			backoff = minBackoff
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
		started = time.Now()
		if err := d.relaunch(cid); err != nil {
			var he *echo.HTTPError
			// 409: started by hand meanwhile; 404: removed.
			if !errors.As(err, &he) || (he.Code != http.StatusConflict && he.Code != http.StatusNotFound) {
				slog.Warn("restart policy", "container", ct.Name, "err", err)
			}
			continue
		}
		d.setRestarts(cid, ct.RestartCount+1)
		slog.Info("restart policy: started again", "container", ct.Name, "policy", p.name, "count", ct.RestartCount+1)
	}
}

// awaitRunning waits until the container runs again (a user started it):
// false if it is removed, or goCd closes, first.
func (d *Daemon) awaitRunning(ctx context.Context, cid string) bool {
	w := d.watchDir(cid)
	defer w.close()
	for {
		ct, err := d.load(cid)
		if err != nil {
			return false
		}
		if ct.Status == api.StatusRunning {
			return true
		}
		w.wait(ctx, time.Second)
		if ctx.Err() != nil {
			return false
		}
	}
}

func (d *Daemon) recordFile(cid, name string) string {
	return filepath.Join(string(d.dir(cid)), name)
}

// marked tells whether the record has the file name.
func (d *Daemon) marked(cid, name string) bool {
	_, err := os.Stat(d.recordFile(cid, name))
	return err == nil
}

// markStopped notes that a user stopped the container: its policy does
// not start it again (always: until goCd starts again).
func (d *Daemon) markStopped(cid string) {
	if err := os.WriteFile(d.recordFile(cid, stoppedFile), nil, 0o600); err != nil {
		slog.Warn("restart policy: mark stopped", "container", cid, "err", err)
	}
}

// startedByHand forgets the stop and the count: a container a user starts
// has its policy's whole count again.
func (d *Daemon) startedByHand(cid string) {
	for _, f := range []string{stoppedFile, restartsFile} {
		if err := os.Remove(d.recordFile(cid, f)); err != nil && !os.IsNotExist(err) {
			slog.Warn("restart policy: forget", "container", cid, "err", err)
		}
	}
}

// restarts is how many times the policy has started the container again.
func (d *Daemon) restarts(cid string) int {
	b, err := os.ReadFile(d.recordFile(cid, restartsFile))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

func (d *Daemon) setRestarts(cid string, n int) {
	if err := os.WriteFile(d.recordFile(cid, restartsFile), []byte(fmt.Sprintln(n)), 0o600); err != nil {
		slog.Warn("restart policy: count", "container", cid, "err", err)
	}
}

// recoverPolicy is Recover's part for a container with a restart policy:
// as Docker's daemon does when it starts, an always container a user had
// stopped is started again (unless-stopped's stays stopped), and its
// supervisor runs again. One that has exited and is to start again starts
// at once, no back-off, before goCd serves (as Docker's daemon, before its
// API answers): else the first ps after a restart lists it exited.
func (d *Daemon) recoverPolicy(ct *api.Container) {
	p, err := parsePolicy(ct.RestartPolicy)
	if err != nil || p.name == api.RestartNo || ct.Status == api.StatusRunning {
		d.supervise(ct.ID, ct.RestartPolicy)
		return
	}
	if p.name == api.RestartAlways && d.marked(ct.ID, stoppedFile) {
		if err := os.Remove(d.recordFile(ct.ID, stoppedFile)); err != nil {
			slog.Warn("restart policy: recover", "container", ct.Name, "err", err)
		}
	}
	if p.again(ct, d.marked(ct.ID, stoppedFile)) {
		if err := d.relaunch(ct.ID); err != nil {
			slog.Warn("restart policy: recover", "container", ct.Name, "err", err)
		} else {
			d.setRestarts(ct.ID, ct.RestartCount+1)
			slog.Info("restart policy: started again", "container", ct.Name, "policy", p.name, "count", ct.RestartCount+1)
		}
	}
	d.supervise(ct.ID, ct.RestartPolicy)
}
