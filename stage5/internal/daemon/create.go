package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/id"
	"goc.dev/shared/process"
	"goc.dev/stage5/api"
	"goc.dev/stage5/shim"
)

// maxCreateBody bounds the body of POST /containers.
const maxCreateBody = 1 << 20

// startTimeout is how long a container has to run, or fail, once its shim
// is started.
const startTimeout = 60 * time.Second

// create is POST /containers: the request checked and made into a goC
// command line, the container's record reserved, its shim started, and the
// answer once the container runs — or the error goC gave.
func (d *Daemon) create(c echo.Context) error {
	req, err := decodeCreate(c.Request().Body)
	if err != nil {
		return err
	}
	if req.Image != "" { // an unknown image is a 404 whatever else is wrong
		if req, err = d.withImage(req); err != nil { // imageconfig.go
			return err
		}
	}
	cid := id.New()
	if req.Name == "" {
		req.Name = id.Short(cid)
	}
	args, err := d.shimArgs(req, cid)
	if err != nil {
		return err
	}
	rec := record{Container: api.Container{ID: cid, Name: req.Name, Image: req.Image, Cmd: req.Cmd, Ports: req.Ports,
		AutoRemove: req.AutoRemove, Created: time.Now().UTC()}, Request: req}
	rec.Hostname, rec.Entrypoint, rec.Labels = hostname(req.Options, cid), req.Entrypoint, req.Labels
	rec.StopSignal = req.StopSignal
	if err := d.reserve(rec); err != nil {
		d.removeAnonymous(cid)
		return fmt.Errorf("create %s: %w", req.Name, err)
	}
	if err := d.writeProfile(cid, req.Security); err != nil {
		d.discard(cid)
		return fmt.Errorf("create %s: %w", req.Name, err)
	}
	if err := d.writeAttach(cid, req); err != nil { // attach.go
		d.discard(cid)
		return fmt.Errorf("create %s: %w", req.Name, err)
	}
	if req.Attach && req.AutoRemove {
		d.hold(cid)
	}
	if err := d.start(args); err != nil {
		d.discard(cid)
		return fmt.Errorf("create %s: %w", req.Name, err)
	}
	ct, err := d.await(cid)
	if err != nil {
		return fmt.Errorf("create %s: %w", req.Name, err)
	}
	if req.AutoRemove {
		d.autoRemove(cid)
	}
	d.supervise(cid, req.Restart)
	return c.JSON(http.StatusCreated, ct)
}

// decodeCreate reads the body of POST /containers: JSON, at most
// maxCreateBody bytes, no field the API does not know.
func decodeCreate(body io.Reader) (api.ContainerCreate, error) {
	var req api.ContainerCreate
	dec := json.NewDecoder(io.LimitReader(body, maxCreateBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, bad("invalid request body: %v", err)
	}
	return req, nil
}

// shimArgs is the goC command line that runs the container cid of req
// under a shim, or a 400 if req cannot make one. The name, autoRemove and
// attach are goCd's business, not goC's: only the name is checked. The
// network is always named (bridge by default, where goC run's is the
// host's), and the confinement is checked before any shim starts.
func (d *Daemon) shimArgs(req api.ContainerCreate, cid string) ([]string, error) {
	switch {
	case req.Image == "":
		return nil, bad("image is required")
	case len(command(req)) == 0:
		return nil, bad("cmd is required")
	case req.Name != "" && id.Validate(req.Name) != nil:
		return nil, bad("invalid name %q", req.Name)
	}
	netFlag, err := network(req)
	if err != nil {
		return nil, err
	}
	if err := checkSecurity(req.Security); err != nil {
		return nil, err
	}
	if err := checkOptions(req.Options); err != nil {
		return nil, err
	}
	if err := checkRestart(req); err != nil {
		return nil, err
	}
	args := append(d.globals(), shim.VerbName, "--dir", string(d.dir(cid)), "--",
		"run", "--id", cid, "--hostname", hostname(req.Options, cid))
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
	if netFlag != "" {
		args = append(args, netFlag)
	}
	for _, p := range req.Ports {
		args = append(args, "-p", p)
	}
	args = append(args, securityArgs(req.Security, d.dir(cid).Seccomp())...)
	margs, err := d.mountArgs(req.MountFlags, cid)
	if err != nil {
		return nil, err
	}
	args = append(args, margs...)
	return append(append(args, req.Image), command(req)...), nil
}

// start starts the shim in a session of its own, not goCd's: it outlives
// goCd, and goCd does not wait for it.
func (d *Daemon) start(args []string) error {
	cmd := exec.Command(d.Runtime, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// goC run takes a directory before an image of the same name: the shim
	// starts in an empty one, never in goCd's working directory.
	cmd.Dir = filepath.Join(d.DataRoot, "daemon", "empty")
	if err := os.MkdirAll(cmd.Dir, 0o555); err != nil {
		return fmt.Errorf("start the shim: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the shim: %w", err)
	}
	reapChild(cmd) // if goCd is still there when it ends (reap.go)
	return nil
}

// await waits until the container runs (its shim has recorded Info) or has
// ended. If goC failed to start it, its record goes and the error is a 400
// with goC's message. It waits on even if the client has gone, so that an
// autoRemove container is still watched.
func (d *Daemon) await(cid string) (*api.Container, error) { return d.awaitRun(cid, d.failed) }

// awaitRun is await, failed saying what goC's failure to start the
// container makes of it (start.go keeps the record of a container that
// had run before).
func (d *Daemon) awaitRun(cid string, failed func(cid string) error) (*api.Container, error) {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	w := d.watchDir(cid)
	defer w.close()
	for {
		ct, err := d.load(cid)
		if err != nil {
			return nil, err
		}
		if ct.Status == api.StatusExited && ct.ExitCode != nil && *ct.ExitCode == process.StatusRuntimeError {
			return nil, failed(cid)
		}
		if ct.Status != api.StatusRunning || d.started(cid) {
			return ct, nil
		}
		w.wait(ctx, time.Second)
		if ctx.Err() != nil {
			return nil, errors.New("container did not start in time")
		}
	}
}

// failed discards the record of a container goC failed to start, and
// returns goC's reason, the last line of the log, as a 400.
func (d *Daemon) failed(cid string) error {
	log, err := os.ReadFile(d.dir(cid).Log())
	d.discard(cid)
	if err != nil {
		return fmt.Errorf("goC failed; its log: %w", err)
	}
	return bad("%s", goCMessage(string(log)))
}
