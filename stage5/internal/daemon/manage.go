package daemon

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
)

// POST /containers/{id}/pause and /unpause (goC pause and resume: the
// container's cgroup frozen and thawed), GET /containers/{id}/top (goC ps).

// pausedFile, in a container's record, says goCd has paused it.
const pausedFile = "paused"

func (d *Daemon) pausedMark(cid string) string { return filepath.Join(string(d.dir(cid)), pausedFile) }

// isPaused tells whether goCd has paused the container.
func (d *Daemon) isPaused(cid string) bool {
	_, err := os.Stat(d.pausedMark(cid))
	return err == nil
}

// running finds the container ref, which must be running: else a 409.
func (d *Daemon) running(ref string) (*api.Container, error) {
	ct, err := d.find(ref)
	if err != nil {
		return nil, err
	}
	if ct.Status != api.StatusRunning {
		return nil, echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("container %s is not running", ct.Name))
	}
	return ct, nil
}

func (d *Daemon) pause(c echo.Context) error {
	ct, err := d.running(c.Param("id"))
	if err != nil {
		return err
	}
	if ct.Paused {
		return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("container %s is already paused", ct.Name))
	}
	if err := d.goC("pause", ct.ID); err != nil {
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	}
	if err := os.WriteFile(d.pausedMark(ct.ID), nil, 0o600); err != nil {
		return fmt.Errorf("pause %s: %w", ct.Name, err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (d *Daemon) unpause(c echo.Context) error {
	ct, err := d.running(c.Param("id"))
	if err != nil {
		return err
	}
	if !ct.Paused {
		return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("container %s is not paused", ct.Name))
	}
	if err := d.thaw(ct); err != nil {
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	}
	return c.NoContent(http.StatusNoContent)
}

// thaw resumes a paused container and forgets it was paused.
func (d *Daemon) thaw(ct *api.Container) error {
	if !ct.Paused {
		return nil
	}
	if err := d.goC("resume", ct.ID); err != nil {
		return err
	}
	ct.Paused = false
	return os.Remove(d.pausedMark(ct.ID))
}

// top is goC ps ID [ps_args…] (default -ef), in columns: the last column,
// the command, keeps its spaces.
func (d *Daemon) top(c echo.Context) error {
	ct, err := d.running(c.Param("id"))
	if err != nil {
		return err
	}
	args := append(d.globals(), "ps", ct.ID)
	if ps := c.QueryParam("ps_args"); ps != "" {
		args = append(args, strings.Fields(ps)...)
	}
	out, err := exec.Command(d.Runtime, args...).CombinedOutput()
	if err != nil {
		return bad("top %s: %s", ct.Name, goCMessage(string(out)))
	}
	return c.JSON(http.StatusOK, psColumns(string(out)))
}

// psColumns splits ps(1)'s output into its titles and rows.
func psColumns(out string) api.Top {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	top := api.Top{Titles: strings.Fields(lines[0]), Processes: [][]string{}}
	n := len(top.Titles)
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) == 0 || n == 0 {
			continue
		}
		if len(f) > n {
			f = append(f[:n-1], strings.Join(f[n-1:], " "))
		}
		top.Processes = append(top.Processes, f)
	}
	return top
}
