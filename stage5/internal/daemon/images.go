package daemon

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/id"
	"goc.dev/shared/image"
	"goc.dev/stage5/api"
)

// importImage takes a tar (or tar.gz) of a rootfs, or of an OCI image
// layout, as the request body: saved to a temporary file, then unpacked by
// goC image import.
func (d *Daemon) importImage(c echo.Context) error {
	name := c.QueryParam("name")
	if err := id.Validate(name); err != nil {
		return bad("invalid image name %q", name)
	}
	tmp, err := os.MkdirTemp(d.DataRoot, ".upload-")
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	defer os.RemoveAll(tmp)
	archive := filepath.Join(tmp, "archive")
	if err := d.upload(c, archive); err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	if err := d.goC("image", "import", name, archive); err != nil {
		if strings.Contains(err.Error(), "already exists") {
			return echo.NewHTTPError(http.StatusConflict, err.Error())
		}
		return bad("%s", err.Error())
	}
	return d.imageJSON(c, name, http.StatusCreated)
}

// upload saves the request body to path: at most MaxUpload bytes (413
// beyond), and a body that breaks off is a 400.
func (d *Daemon) upload(c echo.Context, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	limit := d.MaxUpload
	if limit <= 0 {
		limit = DefaultMaxUpload
	}
	_, err = io.Copy(f, http.MaxBytesReader(c.Response(), c.Request().Body, limit))
	if cerr := f.Close(); err == nil && cerr != nil {
		return fmt.Errorf("upload: %w", cerr)
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("image archive larger than %d bytes, goCd's limit (--max-upload)", limit))
	}
	if err != nil {
		return bad("upload: %v", err)
	}
	return nil
}

func (d *Daemon) imageJSON(c echo.Context, name string, code int) error {
	img, err := d.store().Get(name)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	return c.JSON(code, apiImage(img))
}

func apiImage(img *image.Image) api.Image {
	repo, tag := img.RepoTag()
	return api.Image{Name: img.Name, Layers: len(img.Layers), Size: img.Size, Created: img.Created,
		Repository: repo, Tag: tag, ID: img.ID(), Digest: img.Digest}
}

func (d *Daemon) listImages(c echo.Context) error {
	imgs, err := d.store().List()
	if err != nil {
		return fmt.Errorf("images: %w", err)
	}
	out := []api.Image{}
	for _, img := range imgs {
		out = append(out, apiImage(img))
	}
	return c.JSON(http.StatusOK, out)
}

// removeImage has goC remove the image named by a name, a reference,
// REPO@DIGEST or an ID prefix (image.Store.Find): 404 for none, 409 for
// one that names several images; goC's refusal (in use) is a 409.
func (d *Daemon) removeImage(c echo.Context) error {
	given, err := url.PathUnescape(c.Param("name")) // a pulled image's name has a '/'
	if err != nil {
		return bad("image name %q: %v", c.Param("name"), err)
	}
	name, err := d.store().Find(given)
	if errors.Is(err, image.ErrNotExist) {
		return echo.NewHTTPError(http.StatusNotFound, err.Error())
	}
	if err != nil {
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	}
	if err := d.goC("image", "rm", name); err != nil {
		return echo.NewHTTPError(http.StatusConflict, err.Error())
	}
	return c.NoContent(http.StatusNoContent)
}
