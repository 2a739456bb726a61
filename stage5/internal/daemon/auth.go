package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/reference"
	"goc.dev/shared/registry"
	"goc.dev/shared/registry/authfile"
	"goc.dev/stage5/api"
)

// checkAuth is POST /v1/auth, Docker's: it checks the credentials against
// the registry (its /v2/ with them) and answers 200, or 401 with the
// registry's message. goCd keeps nothing: the client stores them.
func (d *Daemon) checkAuth(c echo.Context) error {
	var a api.AuthConfig
	if err := json.NewDecoder(c.Request().Body).Decode(&a); err != nil {
		return bad("auth: %v", err)
	}
	host := authfile.Key(a.ServerAddress)
	err := registry.Login(c.Request().Context(), a.ServerAddress,
		authfile.Auth{Username: a.Username, Password: a.Password}, d.registryOptions(nil))
	switch {
	case errors.Is(err, reference.ErrBadReference):
		return bad("login %s: %v", host, err)
	case registry.Unauthorized(err):
		return echo.NewHTTPError(http.StatusUnauthorized, fmt.Sprintf("login %s: %v", host, err))
	case err != nil:
		return echo.NewHTTPError(http.StatusBadGateway, fmt.Sprintf("login %s: %v", host, err))
	}
	return c.JSON(http.StatusOK, api.AuthStatus{Status: "Login Succeeded"})
}

// registryOptions are goCd's --insecure-registry and --certs-dir, and the
// credentials a request carries in X-Registry-Auth (for that request only).
func (d *Daemon) registryOptions(auth *api.AuthConfig) registry.Options {
	o := registry.Options{Insecure: d.InsecureRegistries, CertsDir: d.CertsDir}
	if auth != nil {
		o.Auth = registry.One{Registry: auth.ServerAddress,
			Auth: authfile.Auth{Username: auth.Username, Password: auth.Password}}
	}
	return o
}

// requestAuth is the X-Registry-Auth of c's request; nil without one.
func requestAuth(c echo.Context) (*api.AuthConfig, error) {
	h := c.Request().Header.Get(api.RegistryAuthHeader)
	if h == "" {
		return nil, nil
	}
	a, err := api.DecodeAuthConfig(h)
	if err != nil {
		return nil, bad("%v", err)
	}
	return &a, nil
}
