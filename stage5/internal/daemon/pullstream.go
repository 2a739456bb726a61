package daemon

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/image/remote"
	"goc.dev/shared/reference"
	"goc.dev/shared/registry"
	"goc.dev/stage5/api"
)

// pullError is the HTTP error for a pull's err: 400 for a bad reference,
// 401 when the registry refuses the credentials (or their lack), 404 for
// one the registry does not have, 502 for any other failure of
// the registry.
func pullError(err error) error {
	switch {
	case errors.Is(err, reference.ErrBadReference):
		return bad("%s", err.Error())
	case registry.NotFound(err):
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	case registry.Unauthorized(err):
		return echo.NewHTTPError(http.StatusUnauthorized, err.Error())
	}
	return echo.NewHTTPError(http.StatusBadGateway, err.Error())
}

// pullStream is pullImage for a client that asked for ?progress=true: the
// layers' progress as JSON lines (api.PullMessage), the image last. The
// answer's status is chosen at the first layer event, so a pull that
// fails before (a bad reference, an unknown tag, a registry down) is the
// same HTTP error as without progress; a later failure is the stream's
// last line, {"error": …}.
func (d *Daemon) pullStream(c echo.Context, ref string, o registry.Options) error {
	s := &pullStreamer{c: c}
	img, err := remote.Pull(c.Request().Context(), d.store(), ref, o, s)
	switch {
	case err != nil && !s.begun:
		return pullError(err)
	case err != nil:
		return s.send(api.PullMessage{Error: err.Error()})
	}
	a := apiImage(img)
	s.send(api.PullMessage{Status: "Digest: " + img.Digest})
	return s.send(api.PullMessage{Status: "Status: Downloaded image for " + img.Name, Image: &a})
}

// pullStreamer writes a pull's events to the answer, as they come.
type pullStreamer struct {
	c     echo.Context
	begun bool
}

// Layer is an remote.Progress event.
func (s *pullStreamer) Layer(id, status string, current, total int64) {
	m := api.PullMessage{ID: id, Status: status}
	if status == "Downloading" {
		m.ProgressDetail = &api.ProgressDetail{Current: current, Total: total}
	}
	s.send(m)
}

// Write takes the lines a Progress is not given (none for a pull).
func (s *pullStreamer) Write(b []byte) (int, error) { return len(b), nil }

func (s *pullStreamer) send(m api.PullMessage) error {
	w := s.c.Response()
	if !s.begun {
		s.begun = true
		w.Header().Set(echo.HeaderContentType, "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
	}
	if err := json.NewEncoder(w).Encode(m); err != nil {
		return err
	}
	w.Flush()
	return nil
}

var _ remote.Progress = (*pullStreamer)(nil)
