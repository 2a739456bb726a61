package daemon

import (
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
	"goc.dev/stage5/shim"
)

// A container created with openStdin or tty (goC-cli run -i, -t) is
// attachable: its shim keeps its input open and relays its output to
// clients that goCd connects to the shim's attach.sock (the protocol is
// in stage5/cmd/goC/attach.go). POST /containers/{id}/attach upgrades
// the client's connection (stream.go) and joins it to one with the shim;
// POST /containers/{id}/resize sizes its terminal. The exit code comes
// from POST /containers/{id}/wait, as Docker's.

// writeAttach records, before the shim starts, that the container is
// attachable.
func (d *Daemon) writeAttach(cid string, req api.ContainerCreate) error {
	if !req.OpenStdin && !req.Tty {
		return nil
	}
	a := shim.Attach{Stdin: req.OpenStdin, Tty: req.Tty, Client: req.Attach}
	if err := d.dir(cid).WriteAttach(a); err != nil {
		return fmt.Errorf("attach: %w", err)
	}
	return nil
}

// attachable finds a running attachable container, or says why not.
func (d *Daemon) attachable(ref string) (*api.Container, shim.Attach, error) {
	ct, err := d.find(ref)
	if err != nil {
		return nil, shim.Attach{}, err
	}
	if ct.Status != api.StatusRunning {
		return nil, shim.Attach{}, echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("container %s is not running", ct.Name))
	}
	a, err := d.dir(ct.ID).ReadAttach()
	if shim.IsMissing(err) {
		return nil, a, echo.NewHTTPError(http.StatusConflict,
			fmt.Sprintf("container %s was not started with -i or -t: its output is at logs", ct.Name))
	}
	return ct, a, err
}

// tellShim connects to the container's shim and says line.
func (d *Daemon) tellShim(cid, line string) (*net.UnixConn, error) {
	c, err := d.dir(cid).DialUnix(shim.AttachSocket)
	if err != nil {
		return nil, fmt.Errorf("attach: the shim: %w", err)
	}
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		c.Close()
		return nil, fmt.Errorf("attach: the shim: %w", err)
	}
	return c, nil
}

// attach is POST /containers/{id}/attach: the client's stream, joined to
// the shim's until the container ends or the client leaves.
func (d *Daemon) attach(c echo.Context) error {
	if err := wantsUpgrade(c.Request()); err != nil {
		return err
	}
	ct, a, err := d.attachable(c.Param("id"))
	if err != nil {
		return err
	}
	defer d.release(ct.ID) // an autoRemove container's record may go once the stream has ended
	sc, err := d.tellShim(ct.ID, "attach")
	if err != nil {
		return err
	}
	defer sc.Close()
	kind := api.StreamMultiplex
	if a.Tty {
		kind = api.StreamRaw
	}
	conn, in, err := upgrade(c, kind)
	if err != nil {
		return err
	}
	defer conn.Close()
	go func() {
		_, _ = io.Copy(sc, in)
		_ = sc.CloseWrite() // the client's end of input
	}()
	_, _ = io.Copy(conn, sc)
	return nil
}

// resize is POST /containers/{id}/resize?h=ROWS&w=COLS.
func (d *Daemon) resize(c echo.Context) error {
	ws, err := winsize(c)
	if err != nil {
		return err
	}
	ct, a, err := d.attachable(c.Param("id"))
	if err != nil {
		return err
	}
	if !a.Tty {
		return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("container %s has no terminal", ct.Name))
	}
	sc, err := d.tellShim(ct.ID, fmt.Sprintf("resize %d %d", ws.Rows, ws.Cols))
	if err != nil {
		return err
	}
	sc.Close()
	return c.NoContent(http.StatusOK)
}
