package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/atomicfile"
	"goc.dev/shared/id"
	"goc.dev/shared/mounts"
	"goc.dev/stage5/api"
)

// A volume is a directory, <data-root>/volumes/<name>: its data in _data
// (what containers mount, Docker's layout) and volumeMeta in meta.json.
// A named volume lives until it is removed, never while a container —
// running or not — names it; an anonymous one (-v /ctr) belongs to the
// container it was made for and goes with it on rm -v or --rm.

// volumeMeta is goCd's record of a volume.
type volumeMeta struct {
	Created   time.Time `json:"created"`
	Anonymous bool      `json:"anonymous,omitempty"`
	Container string    `json:"container,omitempty"` // an anonymous volume's
}

func (d *Daemon) volumesDir() string           { return filepath.Join(d.DataRoot, "volumes") }
func (d *Daemon) volumeDir(name string) string { return filepath.Join(d.volumesDir(), name) }

// ensureVolume returns the volume name, made if missing; an empty name is
// a new anonymous volume of container cid.
func (d *Daemon) ensureVolume(name, cid string) (api.Volume, error) {
	d.volMu.Lock()
	defer d.volMu.Unlock()
	meta := volumeMeta{Created: time.Now().UTC()}
	if name == "" {
		name, meta.Anonymous, meta.Container = id.New(), true, cid
	} else if err := mounts.ValidName(name); err != nil {
		return api.Volume{}, bad("%v", err)
	}
	if v, err := d.readVolume(name); err == nil {
		return v, nil
	}
	dir := d.volumeDir(name)
	if err := os.MkdirAll(filepath.Join(dir, "_data"), 0o755); err != nil {
		return api.Volume{}, fmt.Errorf("volume %s: %w", name, err)
	}
	b, err := json.Marshal(meta)
	if err == nil {
		err = atomicfile.Write(filepath.Join(dir, metaFile), b, 0o600)
	}
	if err != nil {
		os.RemoveAll(dir)
		return api.Volume{}, fmt.Errorf("volume %s: %w", name, err)
	}
	return d.readVolume(name)
}

// readVolume reads one volume's record; a 404 if there is none.
func (d *Daemon) readVolume(name string) (api.Volume, error) {
	v := api.Volume{Name: name, Mountpoint: filepath.Join(d.volumeDir(name), "_data")}
	b, err := os.ReadFile(filepath.Join(d.volumeDir(name), metaFile))
	if mounts.ValidName(name) != nil || err != nil {
		return v, echo.NewHTTPError(http.StatusNotFound, "no such volume: "+name)
	}
	var m volumeMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return v, fmt.Errorf("volume %s: %w", name, err)
	}
	v.Created, v.Anonymous = m.Created, m.Anonymous
	users, err := d.volumeUsers()
	v.UsedBy = users[name]
	if m.Anonymous {
		if ct, err := d.load(m.Container); err == nil {
			v.UsedBy = append(v.UsedBy, ct.Name)
		}
	}
	return v, err
}

// volumeUsers maps each volume a container names in its mounts (-v
// NAME:…, --mount source=NAME) to those containers' names.
func (d *Daemon) volumeUsers() (map[string][]string, error) {
	ents, err := os.ReadDir(d.containers())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("volumes in use: %w", err)
	}
	users := map[string][]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(d.containers(), e.Name(), metaFile))
		if err != nil {
			continue // being created or removed
		}
		var rec record
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("container %s: %s: %w", e.Name(), metaFile, err)
		}
		ms, _ := parseMounts(rec.Request.MountFlags)
		for _, m := range ms {
			if m.Type == mounts.TypeVolume && m.Source != "" {
				users[m.Source] = append(users[m.Source], rec.Name)
			}
		}
	}
	return users, nil
}

// resolveVolumes makes each volume of ms a bind of its directory, the
// volume made if missing (an anonymous one for container cid).
func (d *Daemon) resolveVolumes(ms []mounts.Mount, cid string) error {
	for i, m := range ms {
		if m.Type != mounts.TypeVolume {
			continue
		}
		v, err := d.ensureVolume(m.Source, cid)
		if err != nil {
			return err
		}
		ms[i] = mounts.Mount{Type: mounts.TypeBind, Source: v.Mountpoint, Target: m.Target, ReadOnly: m.ReadOnly}
	}
	return nil
}

// removeAnonymous removes the anonymous volumes of container cid (rm -v,
// --rm, a container that did not start).
func (d *Daemon) removeAnonymous(cid string) {
	d.volMu.Lock()
	defer d.volMu.Unlock()
	ents, _ := os.ReadDir(d.volumesDir())
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(d.volumeDir(e.Name()), metaFile))
		var m volumeMeta
		if err != nil || json.Unmarshal(b, &m) != nil || !m.Anonymous || m.Container != cid {
			continue
		}
		if err := os.RemoveAll(d.volumeDir(e.Name())); err != nil {
			slog.Warn("remove an anonymous volume", "volume", e.Name(), "container", cid, "err", err)
		}
	}
}

// createVolume is POST /volumes: a named volume (an existing one is
// answered as it is, as Docker does), or a new anonymous one.
func (d *Daemon) createVolume(c echo.Context) error {
	var req api.VolumeCreate
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, maxCreateBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		return bad("invalid request body: %v", err)
	}
	name := req.Name
	if name == "" {
		name = id.New() // named by goCd, but kept as a named volume: no container owns it
	}
	v, err := d.ensureVolume(name, "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

// listVolumes is GET /volumes, by name.
func (d *Daemon) listVolumes(c echo.Context) error {
	ents, err := os.ReadDir(d.volumesDir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("volumes: %w", err)
	}
	vs := []api.Volume{}
	for _, e := range ents {
		if v, err := d.readVolume(e.Name()); err == nil {
			vs = append(vs, v)
		}
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Name < vs[j].Name })
	return c.JSON(http.StatusOK, vs)
}

// inspectVolume is GET /volumes/{name}.
func (d *Daemon) inspectVolume(c echo.Context) error {
	v, err := d.readVolume(c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// removeVolume is DELETE /volumes/{name}: a 409 while any container, even
// a stopped one, uses it.
func (d *Daemon) removeVolume(c echo.Context) error {
	name := c.Param("name")
	d.mu.Lock() // no container is reserved meanwhile
	defer d.mu.Unlock()
	v, err := d.readVolume(name)
	if err != nil {
		return err
	}
	if len(v.UsedBy) > 0 {
		return echo.NewHTTPError(http.StatusConflict,
			fmt.Sprintf("remove %s: volume is in use - [%s]", name, strings.Join(v.UsedBy, ", ")))
	}
	d.volMu.Lock()
	defer d.volMu.Unlock()
	if err := os.RemoveAll(d.volumeDir(name)); err != nil {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	return c.NoContent(http.StatusNoContent)
}
