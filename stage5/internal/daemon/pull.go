package daemon

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/registry"
)

// pullImage fetches ?ref= (and ?platform=) from its registry into goCd's
// store with goC's own image Pull: 201 and the image, or pullError's
// answer; with ?progress=true, the progress as JSON lines (pullStream).
func (d *Daemon) pullImage(c echo.Context) error {
	ref := c.QueryParam("ref")
	opts := registry.Options{Platform: c.QueryParam("platform")}
	if c.QueryParam("progress") == "true" { // pullstream.go
		return d.pullStream(c, ref, opts)
	}
	img, err := d.store().Pull(c.Request().Context(), ref, opts, nil)
	if err != nil {
		return pullError(err)
	}
	return c.JSON(http.StatusCreated, apiImage(img))
}
