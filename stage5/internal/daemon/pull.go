package daemon

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/image/remote"
)

// pullImage fetches ?ref= (and ?platform=) from its registry into goCd's
// store with goC's own image Pull, with the credentials of X-Registry-Auth
// (auth.go): 201 and the image, or pullError's answer; with
// ?progress=true, the progress as JSON lines (pullStream).
func (d *Daemon) pullImage(c echo.Context) error {
	ref := c.QueryParam("ref")
	auth, err := requestAuth(c)
	if err != nil {
		return err
	}
	opts := d.registryOptions(auth)
	opts.Platform = c.QueryParam("platform")
	if c.QueryParam("progress") == "true" { // pullstream.go
		return d.pullStream(c, ref, opts)
	}
	img, err := remote.Pull(c.Request().Context(), d.store(), ref, opts, nil)
	if err != nil {
		return pullError(err)
	}
	return c.JSON(http.StatusCreated, apiImage(img))
}
