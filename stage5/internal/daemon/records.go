package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/atomicfile"
	"goc.dev/shared/process"
	"goc.dev/stage5/api"
	"goc.dev/stage5/shim"
)

// A container's record is a directory, <data-root>/daemon/containers/<id>:
// goCd's own metaFile, written once when the container is created, and the
// shim's files (package shim), which say how the container is doing.

// metaFile is goCd's part of a container's record (a record, as JSON).
const metaFile = "meta.json"

// record is what goCd keeps of one container: the request, and what it
// made of it.
type record struct {
	api.Container
	Request api.ContainerCreate `json:"request"`
}

func (d *Daemon) containers() string { return filepath.Join(d.DataRoot, "daemon", "containers") }

// dir is a container's record directory, which its shim writes to.
func (d *Daemon) dir(cid string) shim.Dir { return shim.Dir(filepath.Join(d.containers(), cid)) }

// watchDir watches a container's record for changes.
func (d *Daemon) watchDir(cid string) *dirWatch { return d.notify.watch(string(d.dir(cid))) }

// reserve writes a new container's record, its name unique: only this is
// serialized, not the containers' starts.
func (d *Daemon) reserve(rec record) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.find(rec.Name); err == nil {
		return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("name %q is in use", rec.Name))
	}
	dir := string(d.dir(rec.ID))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	b, err := json.Marshal(rec)
	if err == nil {
		err = atomicfile.Write(filepath.Join(dir, metaFile), b, 0o600)
	}
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("record: %s: %w", metaFile, err)
	}
	d.forget(rec.Name) // the name is this container's now, no longer an auto-removed one's
	return nil
}

// removedPrefix names a record set aside to be removed (removeRecord).
const removedPrefix = ".removed-"

// removeRecord removes a container's record. It is renamed aside first, so
// that a goCd killed midway leaves no record without its meta.json (which
// no list shows and no rm removes), only a directory the next goCd's
// Recover sweeps. A shim writing its last file just then may add one to
// the directory set aside: the second try removes it.
func (d *Daemon) removeRecord(cid string) error {
	aside := filepath.Join(d.containers(), removedPrefix+cid)
	if err := os.Rename(string(d.dir(cid)), aside); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("record: %w", err)
	}
	err := os.RemoveAll(aside)
	if err != nil {
		time.Sleep(50 * time.Millisecond)
		err = os.RemoveAll(aside)
	}
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return nil
}

// sweep removes what goCds killed midway left under containers/: records
// set aside by removeRecord, and records without meta.json (it is written
// when the directory is made, and removed first by a RemoveAll) whose shim
// is gone. For Recover, before goCd serves: no create is under way.
func (d *Daemon) sweep() {
	entries, err := os.ReadDir(d.containers())
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		dir := filepath.Join(d.containers(), name)
		if !strings.HasPrefix(name, removedPrefix) {
			if _, err := os.Lstat(filepath.Join(dir, metaFile)); !errors.Is(err, os.ErrNotExist) {
				continue
			}
			if _, err := shim.Dir(dir).FindShim(); err == nil {
				slog.Warn("a container's record has no "+metaFile+", but its shim runs: left", "container", name)
				continue
			}
			slog.Warn("a container's record has no "+metaFile+" (a goCd killed while making or removing it): removed", "container", name)
			if _, err := os.Stat(filepath.Join(d.StateRoot, name)); err == nil && d.goC("delete", "--force", name) != nil {
				continue // its goC state stays, and so does the record
			}
		}
		warnf(os.RemoveAll(dir), "recover: remove a record's remains")
	}
}

// discard removes the record of a container that did not start.
func (d *Daemon) discard(cid string) {
	if err := d.removeRecord(cid); err != nil {
		slog.Warn("discard a container's record", "container", cid, "err", err)
	}
	d.removeAnonymous(cid)
	d.release(cid)
}

// damaged holds the IDs of containers whose meta.json goCd has warned of,
// once each.
var damaged sync.Map

// load reads a container's record and derives its status: exited once the
// shim recorded a result, running while the shim lives, dead otherwise.
func (d *Daemon) load(cid string) (*api.Container, error) {
	b, err := os.ReadFile(filepath.Join(string(d.dir(cid)), metaFile))
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusNotFound, "no such container: "+cid)
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		// Damaged (issue 17): listed under its ID, so that it can be
		// removed; its status is the shim's files' as ever.
		if _, said := damaged.LoadOrStore(cid, true); !said {
			slog.Warn("a container's record is damaged: listed under its ID", "container", cid, "file", metaFile, "err", err)
		}
		rec = record{Container: api.Container{ID: cid, Name: cid}}
	}
	ct := rec.Container
	ct.RestartPolicy, ct.RestartCount = rec.Request.Restart, d.restarts(cid)
	dir := d.dir(cid)
	if info, err := dir.ReadInfo(); err == nil {
		ct.IP = info.IP
	}
	if ended(dir, &ct) {
		return &ct, nil
	}
	ct.Status = api.StatusRunning
	r, err := dir.ReadRecord()
	if shim.IsMissing(err) {
		return &ct, nil // the shim has not recorded itself yet
	}
	if err != nil { // damaged (issue 17): its shim may still run
		slog.Warn("a container's shim record is damaged: looking for its shim", "container", cid, "err", err)
		if r, err = dir.FindShim(); err == nil {
			warnf(dir.WriteRecord(r), "rebuild a shim record")
		}
	}
	// Gone without a result, unless it wrote one just before it went.
	if (err != nil || !shimAlive(r)) && !ended(dir, &ct) {
		ct.Status = api.StatusDead
	}
	ct.Paused = ct.Status == api.StatusRunning && d.isPaused(cid)
	return &ct, nil
}

// neverStarted tells whether a container that counts as running (its shim
// has not recorded itself yet) has no shim at all: none runs with its
// directory on its command line. That is what a goCd killed between making
// the record and starting the shim (create, or a start's relaunch) leaves.
// For Recover only: a shim the goCd before this one started has been
// exec'd long before, and so is found by its command line.
func (d *Daemon) neverStarted(ct *api.Container) bool {
	dir := d.dir(ct.ID)
	if _, err := dir.ReadRecord(); !shim.IsMissing(err) || dir.HasResult() {
		return false
	}
	_, err := dir.FindShim()
	if err == nil {
		return false
	}
	slog.Warn("a container's shim never started: exited", "container", ct.Name, "err", err)
	return true
}

// ended tells whether the shim has recorded a result, and fills it in.
// A result that cannot be read still says the container has ended; its
// exit code is then unknown.
func ended(dir shim.Dir, ct *api.Container) bool {
	res, err := dir.ReadResult()
	if shim.IsMissing(err) {
		return false
	}
	ct.Status = api.StatusExited
	if err != nil {
		slog.Warn("a container's result", "container", ct.ID, "err", err)
		return true
	}
	ct.ExitCode, ct.OOMKilled, ct.Finished = &res.Status, res.OOMKills > 0, &res.Finished
	return true
}

// started tells whether the container runs: its shim has recorded Info.
func (d *Daemon) started(cid string) bool {
	_, err := d.dir(cid).ReadInfo()
	return err == nil
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

// all is every container with a readable record, oldest first.
func (d *Daemon) all() ([]*api.Container, error) {
	entries, err := os.ReadDir(d.containers())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("containers: %w", err)
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

// shimAlive tells whether the shim r still runs. A shim goes from goC to
// goC-shim to goC by exec, in the same process; should an exec ever make
// it look gone for an instant, it is looked at twice more, 10 ms apart,
// before it counts as dead (a dead container is restarted by its policy).
func shimAlive(r shim.Record) bool {
	for i := 0; ; i++ {
		if process.Alive(r.PID, r.Start) {
			return true
		}
		if i == 2 {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}
