package daemon

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/image"
	"goc.dev/shared/image/remote"
	"goc.dev/shared/reference"
	"goc.dev/shared/registry"
)

// tagImage gives the image ?source= (a name, reference, digest or ID
// prefix) the second name ?target=, a reference: 404 for an unknown
// source, 400 for a bad target.
func (d *Daemon) tagImage(c echo.Context) error {
	img, err := d.store().Tag(c.QueryParam("source"), c.QueryParam("target"))
	switch {
	case errors.Is(err, image.ErrNotExist):
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	case err != nil:
		return bad("%s", err.Error())
	}
	return c.JSON(http.StatusCreated, apiImage(img))
}

// pushImage sends the image ?ref= names to the registry it names, with
// goC's own image Push, with the credentials of X-Registry-Auth and the
// registries goCd trusts (as pull): 401 when the registry refuses, 404 for
// an image goCd does not have, 400 for a bad reference, 502 for a
// failure of the registry. The answer carries the manifest's digest.
func (d *Daemon) pushImage(c echo.Context) error {
	auth, err := requestAuth(c) // X-Registry-Auth, as pull (auth.go)
	if err != nil {
		return err
	}
	img, err := remote.Push(c.Request().Context(), d.store(), c.QueryParam("ref"), d.registryOptions(auth), nil)
	switch {
	case errors.Is(err, reference.ErrBadReference):
		return bad("%s", err.Error())
	case errors.Is(err, image.ErrNotExist):
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	case registry.Unauthorized(err):
		return echo.NewHTTPError(http.StatusUnauthorized, err.Error())
	case err != nil:
		return echo.NewHTTPError(http.StatusBadGateway, err.Error())
	}
	return c.JSON(http.StatusOK, apiImage(img))
}
