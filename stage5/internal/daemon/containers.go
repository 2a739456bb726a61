package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
)

// The container endpoints but create (create.go).

// Timeouts of stop and remove.
const (
	defaultStopTimeout = 10 * time.Second // the stop signal, then SIGKILL after this
	killTimeout        = 30 * time.Second // how long a killed container has to go
)

func (d *Daemon) list(c echo.Context) error {
	all, err := d.all()
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	f, err := parseFilters(c.QueryParams()["filter"])
	if err != nil {
		return err
	}
	out := []*api.Container{}
	for _, ct := range all {
		// A status filter looks at every container, as Docker's.
		if (c.QueryParam("all") == "1" || f["status"] != nil || ct.Status == api.StatusRunning) && f.match(ct) {
			out = append(out, ct)
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (d *Daemon) inspect(c echo.Context) error {
	ct, err := d.find(c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ct)
}

// signal has goC send sig to the container; goC's refusal (not running,
// unknown signal) is a 409.
func (d *Daemon) signal(ct *api.Container, sig string) error {
	if err := d.goC("kill", ct.ID, sig); err != nil {
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	}
	// A paused container gets the signal once thawed, as Docker's.
	if err := d.thaw(ct); err != nil {
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	}
	return nil
}

func (d *Daemon) kill(c echo.Context) error {
	ct, err := d.find(c.Param("id"))
	if err != nil {
		return err
	}
	sig := c.QueryParam("signal")
	if sig == "" {
		sig = "KILL"
	}
	if err := d.signal(ct, sig); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// stop sends the container's stop signal (SIGTERM unless its image or run
// --stop-signal says otherwise), then SIGKILL after the timeout (10 s by
// default).
func (d *Daemon) stop(c echo.Context) error {
	ct, err := d.find(c.Param("id"))
	if err != nil {
		return err
	}
	timeout, err := stopTimeout(c)
	if err != nil {
		return err
	}
	if ct.Status != api.StatusRunning {
		return c.JSON(http.StatusOK, ct)
	}
	d.markStopped(ct.ID) // its restart policy does not start it again (policy.go)
	ct, err = d.stopContainer(ct, timeout)
	if err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	return c.JSON(http.StatusOK, ct)
}

// stopTimeout is the query's timeout, in seconds (default 10).
func stopTimeout(c echo.Context) (time.Duration, error) {
	t := c.QueryParam("timeout")
	if t == "" {
		return defaultStopTimeout, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return 0, bad("invalid timeout %q", t)
	}
	return time.Duration(n) * time.Second, nil
}

// stopContainer sends its stop signal (SIGTERM by default), then SIGKILL
// after timeout, and returns the container as it is then.
func (d *Daemon) stopContainer(ct *api.Container, timeout time.Duration) (*api.Container, error) {
	_ = d.signal(ct, cmp.Or(ct.StopSignal, "TERM"))
	if !d.waitExit(ct.ID, timeout) {
		_ = d.signal(ct, "KILL")
		d.waitExit(ct.ID, killTimeout)
	}
	return d.load(ct.ID)
}

// waitExit tells whether the container has stopped running (or its record
// has gone) within timeout.
func (d *Daemon) waitExit(cid string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, err := d.awaitExit(ctx, cid)
	return !errors.Is(err, context.DeadlineExceeded)
}

// awaitExit waits until the container has stopped running, and returns it
// then: an error if its record has gone or ctx is done first.
func (d *Daemon) awaitExit(ctx context.Context, cid string) (*api.Container, error) {
	w := d.watchDir(cid)
	defer w.close()
	for {
		ct, err := d.load(cid)
		if err != nil {
			return nil, err
		}
		if ct.Status != api.StatusRunning {
			return ct, nil
		}
		w.wait(ctx, time.Second)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// exitCode is the container's exit code, -1 if it has none.
func exitCode(ct *api.Container) int {
	if ct.ExitCode == nil {
		return -1
	}
	return *ct.ExitCode
}

// wait answers once the container has exited — and, for an autoRemove
// container, once it is gone too, as docker run --rm expects.
func (d *Daemon) wait(c echo.Context) error {
	ctx, ref := c.Request().Context(), c.Param("id")
	if code, ok := d.exitCodeOf(ctx, ref); ok {
		return c.JSON(http.StatusOK, api.Wait{ExitCode: code})
	}
	ct, err := d.find(ref)
	if err != nil {
		// Auto-removed between the two looks: its exit code is kept.
		if code, ok := d.exitCodeOf(ctx, ref); ok {
			return c.JSON(http.StatusOK, api.Wait{ExitCode: code})
		}
		return err
	}
	cid, auto := ct.ID, ct.AutoRemove
	w := d.watchDir(cid)
	defer w.close()
	for {
		if code, ok := d.exitCodeOf(ctx, cid); ok {
			return c.JSON(http.StatusOK, api.Wait{ExitCode: code})
		}
		if ct != nil && ct.Status != api.StatusRunning && !auto {
			return c.JSON(http.StatusOK, api.Wait{ExitCode: exitCode(ct)})
		}
		// An autoRemove container's directory goes: poll for the
		// watcher's note then.
		max := time.Second
		if ct == nil {
			max = 10 * time.Millisecond
		}
		w.wait(ctx, max)
		if ctx.Err() != nil {
			return nil
		}
		if ct, err = d.load(cid); err != nil && !auto {
			return err // removed by someone else
		}
	}
}

// logs streams the container's log; with follow=1 until it has exited.
func (d *Daemon) logs(c echo.Context) error {
	ct, err := d.find(c.Param("id"))
	if err != nil {
		return err
	}
	o, selected, err := parseLogOptions(c)
	if err != nil {
		return err
	}
	if selected { // since, tail or timestamps: line by line (logopts.go)
		if c.QueryParam("follow") == "1" {
			defer d.release(ct.ID)
		}
		return d.logLines(c.Request().Context(), ct, o, c.QueryParam("follow") == "1", c.Response())
	}
	f, err := os.Open(d.dir(ct.ID).Log())
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	defer f.Close()
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, echo.MIMETextPlainCharsetUTF8)
	w.WriteHeader(http.StatusOK)
	if c.QueryParam("follow") != "1" {
		_, _ = io.Copy(w, f)
		return nil
	}
	defer d.release(ct.ID)
	d.follow(c.Request().Context(), ct.ID, f, w)
	return nil
}

// follow copies the log to w as it grows, until the container has stopped
// running and the log is read to its end, or ctx is done.
func (d *Daemon) follow(ctx context.Context, cid string, f *os.File, w *echo.Response) {
	wd := d.watchDir(cid)
	defer wd.close()
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return
			}
			w.Flush()
			continue
		}
		if err != nil && err != io.EOF {
			return
		}
		if cur, err := d.load(cid); err != nil || cur.Status != api.StatusRunning {
			// One last read: what was written just before the end.
			if n, _ := f.Read(buf); n > 0 {
				w.Write(buf[:n])
				continue
			}
			return
		}
		wd.wait(ctx, time.Second)
		if ctx.Err() != nil {
			return
		}
	}
}

func (d *Daemon) remove(c echo.Context) error {
	ct, err := d.find(c.Param("id"))
	if err != nil {
		return err
	}
	if err := d.removeContainer(ct, c.QueryParam("force") == "1"); err != nil {
		return err
	}
	if c.QueryParam("v") == "1" { // rm -v: its anonymous volumes too, as Docker's
		d.removeAnonymous(ct.ID)
	}
	return c.NoContent(http.StatusNoContent)
}

// removeContainer is the one way a container goes: killed first if force,
// then goC delete (cgroup, network lease, writable layer), then the record.
func (d *Daemon) removeContainer(ct *api.Container, force bool) error {
	if ct.Status == api.StatusRunning {
		if !force {
			return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("container %s is running: stop it first, or remove it with force", ct.Name))
		}
		d.markStopped(ct.ID) // its restart policy must not start it again
		_ = d.signal(ct, "KILL")
		d.waitExit(ct.ID, killTimeout)
	}
	// goC run deletes its container when it ends; goC delete is for one
	// whose goC run did not get to (killed with its shim).
	if _, err := os.Stat(filepath.Join(d.StateRoot, ct.ID)); err == nil {
		if err := d.goC("delete", "--force", ct.ID); err != nil {
			slog.Warn("remove: goC delete", "container", ct.Name, "err", err)
		}
	}
	if err := d.removeRecord(ct.ID); err != nil {
		return fmt.Errorf("remove %s: %w", ct.Name, err)
	}
	return nil
}
