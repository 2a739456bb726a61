package daemon

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/registry"
)

// pullImage fetches ?ref= (and ?platform=) from its registry into goCd's
// store with goC's own image Pull, with the credentials of X-Registry-Auth
// (auth.go): 400 for a bad reference, 401 when the registry refuses the
// credentials (or their lack), 404 for one the registry does not have, 502
// for any other failure of the registry.
func (d *Daemon) pullImage(c echo.Context) error {
	ref := c.QueryParam("ref")
	auth, err := requestAuth(c)
	if err != nil {
		return err
	}
	o := d.registryOptions(auth)
	o.Platform = c.QueryParam("platform")
	img, err := d.store().Pull(c.Request().Context(), ref, o, nil)
	switch {
	case errors.Is(err, registry.ErrBadReference):
		return bad("%s", err.Error())
	case registry.NotFound(err):
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	case registry.Unauthorized(err):
		return echo.NewHTTPError(http.StatusUnauthorized, err.Error())
	case err != nil:
		return echo.NewHTTPError(http.StatusBadGateway, err.Error())
	}
	return c.JSON(http.StatusCreated, apiImage(img))
}
