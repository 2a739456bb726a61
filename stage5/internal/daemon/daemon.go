// Package daemon is goCd: an HTTP API (echo) over containers whose
// low-level work goes to the stage-4 goC binary, one monitor process
// ("goC shim") per container. Everything goCd knows is on disk under its
// data root, so a goCd that restarts — even after kill -9 — finds every
// container as it is.
package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"

	"golang.org/x/sys/unix"

	"goc.dev/shared/atomicfile"
	"goc.dev/shared/cgroups"
	"goc.dev/shared/id"
	"goc.dev/shared/image"
	"goc.dev/shared/process"
	"goc.dev/stage5/api"
)

// Daemon holds goCd's configuration.
type Daemon struct {
	Runtime   string // the goC binary
	DataRoot  string // images, writable layers, and goCd's own records
	StateRoot string // goC's --root
	Version   string
	MaxUpload int64 // the largest image archive import takes; 0: DefaultMaxUpload

	mu sync.Mutex // serializes name reservations

	once sync.Once
	done chan struct{} // closed by Close: autoRemove watchers stop

	goneMu sync.Mutex
	gone   map[string]*gone         // auto-removed containers, by ID and name
	holds  map[string]chan struct{} // closed once an attached client has read the whole log

	notify *notifier
}

// attachHold is how long an autoRemove container waits for its attached
// client to come and read its log.
const attachHold = 10 * time.Second

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
// that exited meanwhile are removed, running ones watched again.
func (d *Daemon) Recover() {
	d.init()
	all, err := d.all()
	if err != nil {
		slog.Warn("recover", "err", err)
		return
	}
	for _, ct := range all {
		if ct.AutoRemove {
			d.watch(ct.ID)
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

// watch removes an autoRemove container once it has exited, keeping its
// exit code for wait.
func (d *Daemon) watch(cid string) {
	go func() {
		w := d.notify.watch(d.dir(cid))
		defer w.close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-d.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		for {
			ct, err := d.load(cid)
			if err != nil {
				return
			}
			if ct.Status != api.StatusRunning {
				code := -1
				if ct.ExitCode != nil {
					code = *ct.ExitCode
				}
				d.goneMu.Lock()
				hold := d.holds[cid]
				d.goneMu.Unlock()
				if hold != nil {
					select {
					case <-hold:
					case <-time.After(attachHold):
						d.release(cid)
					case <-ctx.Done():
						return
					}
				}
				g := &gone{code: code, removed: make(chan struct{})}
				d.goneMu.Lock()
				d.gone[ct.ID], d.gone[ct.Name] = g, g
				d.goneMu.Unlock()
				if err := d.removeContainer(ct, false); err != nil {
					slog.Warn("auto-remove", "container", ct.Name, "err", err)
				}
				close(g.removed)
				return
			}
			w.wait(ctx, time.Second)
			if ctx.Err() != nil {
				return
			}
		}
	}()
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

// gone is an auto-removed container: its exit code, and a channel closed
// once it is removed.
type gone struct {
	code    int
	removed chan struct{}
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

// record is what goCd keeps of one container: meta.json, written once.
type record struct {
	api.Container
	Request api.ContainerCreate `json:"request"`
}

func (d *Daemon) dir(cid string) string {
	return filepath.Join(d.DataRoot, "daemon", "containers", cid)
}

// Routes registers the API.
func (d *Daemon) Routes(e *echo.Echo) {
	d.init()
	e.HTTPErrorHandler = errorHandler
	v := e.Group("/" + api.Version)
	v.GET("/ping", func(c echo.Context) error { return c.String(http.StatusOK, "OK") })
	v.GET("/version", func(c echo.Context) error {
		return c.JSON(http.StatusOK, api.VersionInfo{Version: d.Version, APIVersion: api.Version, Runtime: d.Runtime})
	})
	v.GET("/info", d.info)
	v.POST("/containers", d.create)
	v.GET("/containers", d.list)
	v.GET("/containers/:id", d.inspect)
	v.POST("/containers/:id/stop", d.stop)
	v.POST("/containers/:id/kill", d.kill)
	v.POST("/containers/:id/wait", d.wait)
	v.GET("/containers/:id/logs", d.logs)
	v.DELETE("/containers/:id", d.remove)
	v.POST("/images", d.importImage)
	v.GET("/images", d.images)
	v.DELETE("/images/:name", d.removeImage)
}

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

func bad(format string, args ...any) error {
	return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(format, args...))
}

func (d *Daemon) create(c echo.Context) error {
	var req api.ContainerCreate
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return bad("invalid request body: %v", err)
	}
	if req.Image == "" {
		return bad("image is required")
	}
	if _, err := (image.Store{Root: d.DataRoot}).Get(req.Image); err != nil {
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	if len(req.Cmd) == 0 {
		return bad("cmd is required")
	}
	cid := id.New()
	if req.Name == "" {
		req.Name = id.Short(cid)
	}
	if err := id.Validate(req.Name); err != nil {
		return bad("invalid name %q", req.Name)
	}
	args := []string{"--root", d.StateRoot, "--data-root", d.DataRoot, "shim", "--dir", d.dir(cid), "--",
		"run", "--id", cid, "--hostname", id.Short(cid)}
	for _, e := range req.Env {
		args = append(args, "-e", e)
	}
	if req.Workdir != "" {
		args = append(args, "-w", req.Workdir)
	}
	if req.Memory != "" {
		args = append(args, "--memory", req.Memory)
	}
	if req.CPU != "" {
		args = append(args, "--cpu", req.CPU)
	}
	if req.Pids > 0 {
		args = append(args, "--pids", strconv.Itoa(req.Pids))
	}
	if req.Network != "" {
		args = append(args, "--network="+req.Network)
	}
	for _, p := range req.Ports {
		args = append(args, "-p", p)
	}
	args = append(append(args, req.Image), req.Cmd...)

	rec := record{Container: api.Container{ID: cid, Name: req.Name, Image: req.Image, Cmd: req.Cmd, Ports: req.Ports,
		AutoRemove: req.AutoRemove, Created: time.Now().UTC()}, Request: req}
	if err := d.reserve(rec); err != nil {
		return err
	}
	if req.Attach && req.AutoRemove {
		d.goneMu.Lock()
		d.holds[cid] = make(chan struct{})
		d.goneMu.Unlock()
	}
	cmd := exec.Command(d.Runtime, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // not in goCd's session: it outlives goCd
	if err := cmd.Start(); err != nil {
		os.RemoveAll(d.dir(cid))
		d.release(cid)
		return err
	}
	go cmd.Wait() // reap it if goCd is still there when it ends

	// Up and running, or failed: one or the other within a while.
	w := d.notify.watch(d.dir(cid))
	defer w.close()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); w.wait(c.Request().Context(), time.Second) {
		ct, err := d.load(cid)
		if err != nil {
			return err
		}
		if ct.Status == api.StatusExited && ct.ExitCode != nil && *ct.ExitCode == 125 {
			log, _ := os.ReadFile(filepath.Join(d.dir(cid), "log"))
			os.RemoveAll(d.dir(cid))
			d.release(cid)
			return bad("%s", strings.TrimSpace(strings.TrimPrefix(lastLine(string(log)), "goC: ")))
		}
		if ct.Status != api.StatusRunning || exists(filepath.Join(d.dir(cid), "info.json")) {
			if req.AutoRemove {
				d.watch(cid)
			}
			return c.JSON(http.StatusCreated, ct)
		}
	}
	return errors.New("container did not start in time")
}

// reserve writes a new container's record, its name unique: only this is
// serialized, not the containers' starts.
func (d *Daemon) reserve(rec record) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.find(rec.Name); err == nil {
		return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("name %q is in use", rec.Name))
	}
	if err := os.MkdirAll(d.dir(rec.ID), 0o700); err != nil {
		return err
	}
	b, _ := json.Marshal(rec)
	if err := atomicfile.Write(filepath.Join(d.dir(rec.ID), "meta.json"), b, 0o600); err != nil {
		os.RemoveAll(d.dir(rec.ID))
		return err
	}
	return nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// load reads a container's record and derives its status: exited once the
// shim recorded a result, running while the shim lives, dead otherwise.
func (d *Daemon) load(cid string) (*api.Container, error) {
	b, err := os.ReadFile(filepath.Join(d.dir(cid), "meta.json"))
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusNotFound, "no such container: "+cid)
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, err
	}
	ct := rec.Container
	var info struct{ IP string }
	if b, err := os.ReadFile(filepath.Join(d.dir(cid), "info.json")); err == nil {
		_ = json.Unmarshal(b, &info)
		ct.IP = info.IP
	}
	var res struct {
		Status   int   `json:"status"`
		OOMKills int64 `json:"oomKills"`
	}
	if fi, err := os.Stat(filepath.Join(d.dir(cid), "result.json")); err == nil {
		b, _ := os.ReadFile(filepath.Join(d.dir(cid), "result.json"))
		_ = json.Unmarshal(b, &res)
		ct.Status, ct.ExitCode, ct.OOMKilled = api.StatusExited, &res.Status, res.OOMKills > 0
		t := fi.ModTime().UTC()
		ct.Finished = &t
		return &ct, nil
	}
	ct.Status = api.StatusRunning
	var shim struct {
		PID   int    `json:"pid"`
		Start uint64 `json:"start"`
	}
	if b, err := os.ReadFile(filepath.Join(d.dir(cid), "shim")); err == nil {
		_ = json.Unmarshal(b, &shim)
		if !process.Alive(shim.PID, shim.Start) && !exists(filepath.Join(d.dir(cid), "result.json")) {
			ct.Status = api.StatusDead
		}
	}
	return &ct, nil
}

// find resolves an ID, a unique ID prefix of 4+ characters, or a name.
func (d *Daemon) find(ref string) (*api.Container, error) {
	all, err := d.all()
	if err != nil {
		return nil, err
	}
	var found []*api.Container
	for _, ct := range all {
		if ct.ID == ref || ct.Name == ref || (len(ref) >= 4 && strings.HasPrefix(ct.ID, ref)) {
			found = append(found, ct)
		}
	}
	switch len(found) {
	case 0:
		return nil, echo.NewHTTPError(http.StatusNotFound, "no such container: "+ref)
	case 1:
		return found[0], nil
	}
	return nil, bad("%q matches %d containers", ref, len(found))
}

func (d *Daemon) all() ([]*api.Container, error) {
	entries, err := os.ReadDir(filepath.Join(d.DataRoot, "daemon", "containers"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*api.Container
	for _, e := range entries {
		if ct, err := d.load(e.Name()); err == nil {
			out = append(out, ct)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

func (d *Daemon) list(c echo.Context) error {
	all, err := d.all()
	if err != nil {
		return err
	}
	out := []*api.Container{}
	for _, ct := range all {
		if c.QueryParam("all") == "1" || ct.Status == api.StatusRunning {
			out = append(out, ct)
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (d *Daemon) info(c echo.Context) error {
	info := api.Info{VersionInfo: api.VersionInfo{Version: d.Version, APIVersion: api.Version, Runtime: d.Runtime},
		DataRoot: d.DataRoot, StateRoot: d.StateRoot}
	all, err := d.all()
	if err != nil {
		return err
	}
	for _, ct := range all {
		info.Containers++
		if ct.Status == api.StatusRunning {
			info.Running++
		}
	}
	imgs, err := (image.Store{Root: d.DataRoot}).List()
	if err != nil {
		return err
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

func (d *Daemon) inspect(c echo.Context) error {
	ct, err := d.find(c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ct)
}

func (d *Daemon) signal(ct *api.Container, sig string) error {
	out, err := exec.Command(d.Runtime, "--root", d.StateRoot, "kill", ct.ID, sig).CombinedOutput()
	if err != nil {
		return echo.NewHTTPError(http.StatusConflict, strings.TrimPrefix(strings.TrimSpace(string(out)), "goC: "))
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

// stop sends SIGTERM, then SIGKILL after the timeout (10 s by default).
func (d *Daemon) stop(c echo.Context) error {
	ct, err := d.find(c.Param("id"))
	if err != nil {
		return err
	}
	timeout := 10 * time.Second
	if t := c.QueryParam("timeout"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			return bad("invalid timeout %q", t)
		}
		timeout = time.Duration(n) * time.Second
	}
	if ct.Status != api.StatusRunning {
		return c.JSON(http.StatusOK, ct)
	}
	_ = d.signal(ct, "TERM")
	if !d.waitExit(ct.ID, timeout) {
		_ = d.signal(ct, "KILL")
		d.waitExit(ct.ID, 30*time.Second)
	}
	ct, err = d.load(ct.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ct)
}

func (d *Daemon) waitExit(cid string, timeout time.Duration) bool {
	w := d.notify.watch(d.dir(cid))
	defer w.close()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); w.wait(context.Background(), time.Until(deadline)) {
		if ct, err := d.load(cid); err != nil || ct.Status != api.StatusRunning {
			return true
		}
	}
	return false
}

// wait answers once the container has exited — and, for an autoRemove
// container, once it is gone too, as docker run --rm expects.
func (d *Daemon) wait(c echo.Context) error {
	ref := c.Param("id")
	if code, ok := d.exitCodeOf(c.Request().Context(), ref); ok {
		return c.JSON(http.StatusOK, api.Wait{ExitCode: code})
	}
	ct, err := d.find(ref)
	if err != nil {
		return err
	}
	cid, auto := ct.ID, ct.AutoRemove
	w := d.notify.watch(d.dir(cid))
	defer w.close()
	for {
		if code, ok := d.exitCodeOf(c.Request().Context(), cid); ok {
			return c.JSON(http.StatusOK, api.Wait{ExitCode: code})
		}
		if ct != nil && ct.Status != api.StatusRunning && !auto {
			code := -1
			if ct.ExitCode != nil {
				code = *ct.ExitCode
			}
			return c.JSON(http.StatusOK, api.Wait{ExitCode: code})
		}
		// An autoRemove container's directory goes: poll for the
		// watcher's note then.
		max := time.Second
		if ct == nil {
			max = 10 * time.Millisecond
		}
		w.wait(c.Request().Context(), max)
		if c.Request().Context().Err() != nil {
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
	f, err := os.Open(filepath.Join(d.dir(ct.ID), "log"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, echo.MIMETextPlainCharsetUTF8)
	w.WriteHeader(http.StatusOK)
	follow := c.QueryParam("follow") == "1"
	var wd *dirWatch
	if follow {
		defer d.release(ct.ID)
		wd = d.notify.watch(d.dir(ct.ID))
		defer wd.close()
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil
			}
			w.Flush()
			continue
		}
		if err != nil && err != io.EOF {
			return nil
		}
		if !follow {
			return nil
		}
		if cur, lerr := d.load(ct.ID); lerr != nil || cur.Status != api.StatusRunning {
			// One last read: what was written just before the end.
			if n, _ := f.Read(buf); n > 0 {
				w.Write(buf[:n])
				continue
			}
			return nil
		}
		wd.wait(c.Request().Context(), time.Second)
		if c.Request().Context().Err() != nil {
			return nil
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
	return c.NoContent(http.StatusNoContent)
}

// removeContainer is the one way a container goes: killed first if force,
// then goC delete (cgroup, network lease, writable layer), then the record.
func (d *Daemon) removeContainer(ct *api.Container, force bool) error {
	if ct.Status == api.StatusRunning {
		if !force {
			return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("container %s is running: stop it first, or remove it with force", ct.Name))
		}
		_ = d.signal(ct, "KILL")
		d.waitExit(ct.ID, 30*time.Second)
	}
	// goC run deletes its container when it ends; goC delete is for one
	// whose goC run did not get to (killed with its shim).
	if exists(filepath.Join(d.StateRoot, ct.ID)) {
		_ = exec.Command(d.Runtime, "--root", d.StateRoot, "--data-root", d.DataRoot, "delete", "--force", ct.ID).Run()
	}
	err := os.RemoveAll(d.dir(ct.ID))
	if err != nil {
		// The shim may have been writing its last record just then.
		time.Sleep(50 * time.Millisecond)
		err = os.RemoveAll(d.dir(ct.ID))
	}
	return err
}

// importImage takes a tar (or tar.gz) of a rootfs, or of an OCI image
// layout, as the request body.
func (d *Daemon) importImage(c echo.Context) error {
	name := c.QueryParam("name")
	if err := id.Validate(name); err != nil {
		return bad("invalid image name %q", name)
	}
	tmp, err := os.MkdirTemp(d.DataRoot, ".upload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	archive := filepath.Join(tmp, "archive")
	f, err := os.Create(archive)
	if err != nil {
		return err
	}
	limit := d.MaxUpload
	if limit <= 0 {
		limit = DefaultMaxUpload
	}
	_, err = io.Copy(f, http.MaxBytesReader(c.Response(), c.Request().Body, limit))
	f.Close()
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("image archive larger than %d bytes, goCd's limit (--max-upload)", limit))
	}
	if err != nil {
		return bad("upload: %v", err)
	}
	out, err := exec.Command(d.Runtime, "--data-root", d.DataRoot, "image", "import", name, archive).CombinedOutput()
	if err != nil {
		msg := strings.TrimPrefix(strings.TrimSpace(string(out)), "goC: ")
		if strings.Contains(msg, "already exists") {
			return echo.NewHTTPError(http.StatusConflict, msg)
		}
		return bad("%s", msg)
	}
	return d.imageJSON(c, name, http.StatusCreated)
}

func (d *Daemon) imageJSON(c echo.Context, name string, code int) error {
	img, err := (image.Store{Root: d.DataRoot}).Get(name)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	return c.JSON(code, api.Image{Name: img.Name, Layers: len(img.Layers), Size: img.Size, Created: img.Created})
}

func (d *Daemon) images(c echo.Context) error {
	imgs, err := (image.Store{Root: d.DataRoot}).List()
	if err != nil {
		return err
	}
	out := []api.Image{}
	for _, i := range imgs {
		out = append(out, api.Image{Name: i.Name, Layers: len(i.Layers), Size: i.Size, Created: i.Created})
	}
	return c.JSON(http.StatusOK, out)
}

func (d *Daemon) removeImage(c echo.Context) error {
	name := c.Param("name")
	if _, err := (image.Store{Root: d.DataRoot}).Get(name); err != nil {
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	out, err := exec.Command(d.Runtime, "--root", d.StateRoot, "--data-root", d.DataRoot, "image", "rm", name).CombinedOutput()
	if err != nil {
		return echo.NewHTTPError(http.StatusConflict, strings.TrimPrefix(strings.TrimSpace(string(out)), "goC: "))
	}
	return c.NoContent(http.StatusNoContent)
}
