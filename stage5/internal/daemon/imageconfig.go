package daemon

import (
	"cmp"
	"net/http"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/image"
	"goc.dev/stage5/api"
)

// withImage is req with what its image's config gives where req leaves it
// to the image, as Docker's (issue 15): the entrypoint and command
// (image.Command's rules: --entrypoint drops the image's Cmd, [""] clears
// the entrypoint), the working directory, the user (resolved to UID:GID by
// the image's own /etc/passwd and /etc/group, a name it does not know a
// 400) and the stop signal (checked, by its name). An unknown image is a
// 404. What it returns is explicit: a later start does not look at the
// image again.
func (d *Daemon) withImage(req api.ContainerCreate) (api.ContainerCreate, error) {
	img, err := d.store().Get(req.Image)
	if err != nil {
		return req, echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	var entrypoint *[]string
	if req.Entrypoint != nil {
		entrypoint = &req.Entrypoint
	}
	req.Entrypoint, req.Cmd = img.Parts(entrypoint, req.Cmd)
	req.Workdir = cmp.Or(req.Workdir, img.Workdir)
	if req.User, err = d.store().User(img, cmp.Or(req.User, img.User)); err != nil {
		return req, bad("%v", err)
	}
	if req.StopSignal, err = image.StopSignal(cmp.Or(req.StopSignal, img.StopSignal)); err != nil {
		return req, bad("%v", err)
	}
	return req, nil
}
