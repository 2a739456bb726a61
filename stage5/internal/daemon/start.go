package daemon

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/process"
	"goc.dev/stage5/api"
	"goc.dev/stage5/shim"
)

// POST /containers/{id}/start and /restart: a container that has stopped
// runs again — a new shim, a new goC run, for the same record (ID, name,
// request). Its log and its log's times go on; the shim's files of the run
// before go, so that the new run's result is the container's. goC run
// removes its writable layer when it ends: the new run starts from the
// image (Docker keeps the layer).

// startMu makes relaunches one at a time: two at once would both find the
// container stopped.
var startMu sync.Mutex

func (d *Daemon) startHandler(c echo.Context) error {
	ct, err := d.find(c.Param("id"))
	if err != nil {
		return err
	}
	if ct.Status != api.StatusRunning {
		d.startedByHand(ct.ID) // its policy's count starts again (policy.go)
	}
	if ct, err = d.rerun(ct); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ct)
}

// restart stops the container if it runs (as stop does), then starts it.
func (d *Daemon) restart(c echo.Context) error {
	ct, err := d.find(c.Param("id"))
	if err != nil {
		return err
	}
	timeout, err := stopTimeout(c)
	if err != nil {
		return err
	}
	if ct.Status == api.StatusRunning {
		d.markStopped(ct.ID) // not the policy's to start it again
		if ct, err = d.stopContainer(ct, timeout); err != nil {
			return fmt.Errorf("restart: %w", err)
		}
	}
	d.startedByHand(ct.ID)
	if ct, err = d.rerun(ct); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ct)
}

// rerun starts a new goC run for a container that is not running, and
// returns it once it runs (or has ended).
func (d *Daemon) rerun(ct *api.Container) (*api.Container, error) {
	if err := d.relaunch(ct.ID); err != nil {
		return nil, err
	}
	return d.awaitRun(ct.ID, d.failedAgain)
}

// relaunch starts the shim of a new run. Once it has started, the
// container counts as running (its shim has not recorded itself yet).
func (d *Daemon) relaunch(cid string) error {
	startMu.Lock()
	defer startMu.Unlock()
	ct, err := d.load(cid) // as it is now that no other start runs
	if err != nil {
		return err
	}
	if ct.Status == api.StatusRunning {
		return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("container %s is already running", ct.Name))
	}
	req, err := d.request(ct.ID)
	if err != nil {
		return fmt.Errorf("start %s: %w", ct.Name, err)
	}
	args, err := d.shimArgs(req, ct.ID)
	if err != nil {
		return fmt.Errorf("start %s: %w", ct.Name, err)
	}
	// goC run deletes its container when it ends; goC delete is for one
	// whose goC run did not get to (killed with its shim: dead).
	if _, err := os.Stat(filepath.Join(d.StateRoot, ct.ID)); err == nil {
		if err := d.goC("delete", "--force", ct.ID); err != nil {
			return fmt.Errorf("start %s: goC delete: %w", ct.Name, err)
		}
	}
	for _, f := range []string{shim.RecordFile, shim.InfoFile, shim.ResultFile, pausedFile} {
		if err := os.Remove(filepath.Join(string(d.dir(ct.ID)), f)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("start %s: %w", ct.Name, err)
		}
	}
	if err := d.start(args); err != nil {
		// No shim: the record says so, else it would seem to run.
		warnf(d.dir(ct.ID).WriteResult(shim.Result{Status: process.StatusRuntimeError}), "start: a result")
		return fmt.Errorf("start %s: %w", ct.Name, err)
	}
	return nil
}

func warnf(err error, what string) {
	if err != nil {
		slog.Warn(what, "err", err)
	}
}

// request is the create request a container's record keeps.
func (d *Daemon) request(cid string) (api.ContainerCreate, error) {
	var rec record
	b, err := os.ReadFile(filepath.Join(string(d.dir(cid)), metaFile))
	if err == nil {
		err = json.Unmarshal(b, &rec)
	}
	return rec.Request, err
}

// failedAgain is a 400 with goC's reason for not starting a container
// again; its record stays, exited with goC's status 125.
func (d *Daemon) failedAgain(cid string) error {
	log, err := os.ReadFile(d.dir(cid).Log())
	if err != nil {
		return fmt.Errorf("goC failed; its log: %w", err)
	}
	return bad("%s", goCMessage(string(log)))
}
