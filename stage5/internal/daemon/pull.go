package daemon

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/registry"
)

// pullImage fetches ?ref= (and ?platform=) from its registry into goCd's
// store with goC's own image Pull: 400 for a bad reference, 404 for one the
// registry does not have, 502 for any other failure of the registry.
func (d *Daemon) pullImage(c echo.Context) error {
	ref := c.QueryParam("ref")
	img, err := d.store().Pull(c.Request().Context(), ref, registry.Options{Platform: c.QueryParam("platform")}, nil)
	switch {
	case errors.Is(err, registry.ErrBadReference):
		return bad("%s", err.Error())
	case registry.NotFound(err):
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	case err != nil:
		return echo.NewHTTPError(http.StatusBadGateway, err.Error())
	}
	return c.JSON(http.StatusCreated, apiImage(img))
}
