// Package daemon is goCd: an HTTP API (echo) over containers whose
// low-level work goes to the goC binary, one monitor process ("goC shim")
// per container. Everything goCd knows is on disk under its data root, so a
// goCd that restarts — even after kill -9 — finds every container as it is.
//
// The files, by concern: daemon.go (configuration, routes, the daemon's
// own endpoints), create.go (POST /containers: the goC command line, the
// shim's start), containers.go (the other container endpoints),
// records.go (what is on disk of a container, and its status),
// autoremove.go (removing --rm containers once they have exited),
// images.go (the image endpoints), notify.go (inotify on the records),
// options.go (run's --hostname, --entrypoint, --label), filter.go (ps
// --filter), logopts.go (logs --since, --tail, -t), manage.go (pause,
// unpause, top), start.go (start, restart), policy.go (restart policies).
package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os/exec"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"golang.org/x/sys/unix"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/image"
	"goc.dev/shared/process"
	"goc.dev/stage5/api"
	"goc.dev/stage5/shim"
)

// Daemon holds goCd's configuration.
type Daemon struct {
	Runtime   string // the goC binary
	DataRoot  string // images, writable layers, and goCd's own records
	StateRoot string // goC's --root
	Version   string
	MaxUpload int64 // the largest image archive import takes; 0: DefaultMaxUpload
	// InsecureRegistries may be reached over plain HTTP besides loopback
	// ones; CertsDir holds registries' CAs (auth.go).
	InsecureRegistries []string
	CertsDir           string

	mu sync.Mutex // serializes name reservations

	volMu sync.Mutex // serializes making and removing volumes (volumes.go)

	once sync.Once
	done chan struct{} // closed by Close: autoRemove watchers stop

	goneMu sync.Mutex
	gone   map[string]*gone         // auto-removed containers, by ID and name
	holds  map[string]chan struct{} // closed once an attached client has read the whole log
	// supervised: the containers whose restart policy a supervisor
	// watches (policy.go), under goneMu.
	supervised map[string]bool

	notify *notifier

	execs execTable // exec.go
}

// DefaultMaxUpload bounds an image upload unless MaxUpload says otherwise.
const DefaultMaxUpload = 8 << 30

func (d *Daemon) init() {
	d.once.Do(func() {
		d.done = make(chan struct{})
		d.gone = map[string]*gone{}
		d.holds = map[string]chan struct{}{}
		d.notify = newNotifier()
	})
}

// Recover picks up what a goCd before this one left: autoRemove containers
// that exited meanwhile are removed, running ones watched again; those with
// a restart policy are supervised again (started, if their policy says so).
// What is due now is done before Recover returns, and so before goCd
// serves: the first ps after a restart lists what runs (issue 17).
func (d *Daemon) Recover() {
	d.init()
	d.sweep()
	all, err := d.all()
	if err != nil {
		slog.Warn("recover", "err", err)
		return
	}
	for _, ct := range all {
		if ct.Status == api.StatusRunning && d.neverStarted(ct) {
			// As a start that failed: the record says so.
			warnf(d.dir(ct.ID).WriteResult(shim.Result{Status: process.StatusRuntimeError}), "recover: a result")
			if ct, err = d.load(ct.ID); err != nil {
				continue
			}
		}
		switch {
		case ct.AutoRemove && ct.Status != api.StatusRunning:
			d.reap(ct)
		case ct.AutoRemove:
			d.autoRemove(ct.ID)
		default:
			d.recoverPolicy(ct)
		}
	}
}

// Close stops the watchers. Containers keep running.
func (d *Daemon) Close() {
	d.init()
	select {
	case <-d.done:
	default:
		close(d.done)
	}
}

// Routes registers the API.
func (d *Daemon) Routes(e *echo.Echo) {
	d.init()
	e.HTTPErrorHandler = errorHandler
	v := e.Group("/" + api.Version)
	v.GET("/ping", func(c echo.Context) error { return c.String(http.StatusOK, "OK") })
	v.GET("/version", func(c echo.Context) error { return c.JSON(http.StatusOK, d.versionInfo()) })
	v.GET("/info", d.info)
	v.POST("/containers", d.create)
	v.GET("/containers", d.list)
	v.GET("/containers/:id", d.inspect)
	v.POST("/containers/:id/stop", d.stop)
	v.POST("/containers/:id/kill", d.kill)
	v.POST("/containers/:id/wait", d.wait)
	v.GET("/containers/:id/logs", d.logs)
	v.DELETE("/containers/:id", d.remove)
	v.POST("/containers/:id/pause", d.pause)
	v.POST("/containers/:id/unpause", d.unpause)
	v.GET("/containers/:id/top", d.top)
	v.POST("/containers/:id/start", d.startHandler)
	v.POST("/containers/:id/restart", d.restart)
	v.POST("/images", d.importImage)
	v.POST("/images/pull", d.pullImage)
	v.POST("/images/tag", d.tagImage)
	v.POST("/images/push", d.pushImage)
	v.GET("/images", d.listImages)
	v.DELETE("/images/:name", d.removeImage)
	v.POST("/volumes", d.createVolume)
	v.GET("/volumes", d.listVolumes)
	v.GET("/volumes/:name", d.inspectVolume)
	v.DELETE("/volumes/:name", d.removeVolume)
	v.POST("/containers/:id/exec", d.execCreate)
	v.POST("/exec/:id/start", d.execStart)
	v.POST("/exec/:id/resize", d.execResize)
	v.GET("/exec/:id/json", d.execInspect)
	v.POST("/containers/:id/attach", d.attach)
	v.POST("/containers/:id/resize", d.resize)
	v.GET("/containers/:id/stats", d.stats)
	v.POST("/auth", d.checkAuth)
}

// errorHandler answers every error as {"message": …}: an echo.HTTPError
// (wrapped or not) with its code and message, anything else with 500 and
// the whole chain of context.
func errorHandler(err error, c echo.Context) {
	code, msg := http.StatusInternalServerError, err.Error()
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code, msg = he.Code, fmt.Sprint(he.Message)
	}
	if !c.Response().Committed {
		_ = c.JSON(code, api.Error{Message: msg})
	}
}

// bad is a 400: the request is at fault.
func bad(format string, args ...any) error {
	return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(format, args...))
}

func (d *Daemon) versionInfo() api.VersionInfo {
	return api.VersionInfo{Version: d.Version, APIVersion: api.Version, Runtime: d.Runtime}
}

func (d *Daemon) info(c echo.Context) error {
	info := api.Info{VersionInfo: d.versionInfo(), DataRoot: d.DataRoot, StateRoot: d.StateRoot}
	all, err := d.all()
	if err != nil {
		return fmt.Errorf("info: %w", err)
	}
	for _, ct := range all {
		info.Containers++
		if ct.Status == api.StatusRunning {
			info.Running++
		}
	}
	imgs, err := d.store().List()
	if err != nil {
		return fmt.Errorf("info: %w", err)
	}
	info.Images = len(imgs)
	if h, err := cgroups.Detect(); err == nil {
		info.Cgroup = h.Mode()
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		info.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	return c.JSON(http.StatusOK, info)
}

// store is goCd's image store, which goC shares.
func (d *Daemon) store() image.Store { return image.Store{Root: d.DataRoot} }

// globals are the flags every goC command line of goCd's starts with.
func (d *Daemon) globals() []string {
	return []string{"--root", d.StateRoot, "--data-root", d.DataRoot}
}

// goC runs goC with args after the global flags. Its error says what goC
// said on failing (for an HTTP answer), or why goC did not run.
func (d *Daemon) goC(args ...string) error {
	out, err := exec.Command(d.Runtime, append(d.globals(), args...)...).CombinedOutput()
	if err == nil {
		return nil
	}
	if msg := goCMessage(string(out)); msg != "" {
		return errors.New(msg)
	}
	return fmt.Errorf("goC %s: %w", args[0], err)
}

// goCMessage is what goC said last on failing, without its "goC: ".
func goCMessage(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(strings.TrimPrefix(lines[len(lines)-1], "goC: "))
}
