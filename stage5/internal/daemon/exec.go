package daemon

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/console"
	"goc.dev/shared/id"
	"goc.dev/shared/pty"
	"goc.dev/stage5/api"
)

// An exec is one more process in a running container, as Docker's: POST
// /containers/{id}/exec makes one (checked, not started), POST
// /exec/{id}/start runs goC exec for it on an attached stream (stream.go),
// POST /exec/{id}/resize sizes its terminal, GET /exec/{id}/json tells its
// exit code once it has ended. Execs live in goCd's memory only: a goCd
// that restarts has forgotten them (their processes run on).

// execTable is goCd's execs, by ID.
type execTable struct {
	mu sync.Mutex
	m  map[string]*execRun
}

// execTTL is how long goCd keeps an exec that has ended, or that was made
// and never started: its exit code is asked for right after its end.
const execTTL = 10 * time.Minute

// execRun is one exec: its request and how it is doing.
type execRun struct {
	api.Exec
	req     api.ExecCreate
	started bool
	since   time.Time   // made, or ended
	size    pty.Winsize // the last size asked for
	master  *os.File    // its terminal's master, while it runs with one
}

// add adds x, and forgets the execs that ended, or were never started,
// execTTL before x was made.
func (t *execTable) add(x *execRun) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]*execRun{}
	}
	x.since = time.Now()
	for id, old := range t.m {
		if (!old.started || !old.Running) && x.since.Sub(old.since) > execTTL {
			delete(t.m, id)
		}
	}
	t.m[x.ID] = x
}

// with calls f with the exec ref, under the table's lock, or is a 404.
func (t *execTable) with(ref string, f func(x *execRun) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	x, ok := t.m[ref]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "no such exec: "+ref)
	}
	return f(x)
}

// execCreate is POST /containers/{id}/exec.
func (d *Daemon) execCreate(c echo.Context) error {
	var req api.ExecCreate
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, maxCreateBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return bad("invalid request body: %v", err)
	}
	if err := checkExec(req); err != nil {
		return err
	}
	ct, err := d.find(c.Param("id"))
	if err != nil {
		return err
	}
	if ct.Status != api.StatusRunning {
		return echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("container %s is not running", ct.Name))
	}
	x := &execRun{Exec: api.Exec{ID: id.New(), ContainerID: ct.ID, Cmd: req.Cmd, Tty: req.Tty}, req: req}
	d.execs.add(x)
	return c.JSON(http.StatusCreated, api.ExecCreated{ID: x.ID})
}

// checkExec is a 400 for a request goC exec would refuse.
func checkExec(req api.ExecCreate) error {
	if len(req.Cmd) == 0 {
		return bad("cmd is required")
	}
	if req.Workdir != "" && !filepath.IsAbs(req.Workdir) {
		return bad("workdir %q is not absolute", req.Workdir)
	}
	for _, kv := range req.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" || strings.ContainsRune(kv, 0) {
			return bad("invalid environment variable %q (want KEY=VALUE)", kv)
		}
	}
	return nil
}

// execInspect is GET /exec/{id}/json.
func (d *Daemon) execInspect(c echo.Context) error {
	var out api.Exec
	err := d.execs.with(c.Param("id"), func(x *execRun) error { out = x.Exec; return nil })
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// execResize is POST /exec/{id}/resize?h=ROWS&w=COLS. A size asked for
// before the terminal exists is applied once it does.
func (d *Daemon) execResize(c echo.Context) error {
	ws, err := winsize(c)
	if err != nil {
		return err
	}
	return d.execs.with(c.Param("id"), func(x *execRun) error {
		if !x.Tty {
			return echo.NewHTTPError(http.StatusConflict, "exec "+x.ID+" has no terminal")
		}
		x.size = ws
		if x.master != nil {
			return pty.Resize(x.master, ws)
		}
		return nil
	})
}

// winsize is a resize's ?h=ROWS&w=COLS.
func winsize(c echo.Context) (pty.Winsize, error) {
	h, errH := strconv.ParseUint(c.QueryParam("h"), 10, 16)
	w, errW := strconv.ParseUint(c.QueryParam("w"), 10, 16)
	if errH != nil || errW != nil || h == 0 || w == 0 {
		return pty.Winsize{}, bad("resize: h and w must be numbers of rows and columns, 1 to 65535")
	}
	return pty.Winsize{Rows: uint16(h), Cols: uint16(w)}, nil
}

// execStart is POST /exec/{id}/start: goC exec runs the process, on the
// stream the connection becomes; its exit code is kept for execInspect.
func (d *Daemon) execStart(c echo.Context) error {
	if err := wantsUpgrade(c.Request()); err != nil {
		return err
	}
	var x *execRun
	err := d.execs.with(c.Param("id"), func(r *execRun) error {
		if r.started {
			return echo.NewHTTPError(http.StatusConflict, "exec "+r.ID+" has been started already")
		}
		r.started, r.Running, x = true, true, r
		return nil
	})
	if err != nil {
		return err
	}
	if ct, err := d.load(x.ContainerID); err != nil || ct.Status != api.StatusRunning {
		d.execEnded(x, -1)
		return echo.NewHTTPError(http.StatusConflict, "container "+x.ContainerID+" is not running")
	}
	kind := api.StreamMultiplex
	if x.Tty {
		kind = api.StreamRaw
	}
	conn, in, err := upgrade(c, kind)
	if err != nil {
		d.execEnded(x, -1)
		return err
	}
	defer conn.Close()
	var status int
	if x.Tty {
		status = d.execTty(x, conn, in)
	} else {
		status = d.execPipes(x, conn, in)
	}
	d.execEnded(x, status) // before the stream ends: the client asks next
	return nil
}

// execEnded records an exec's exit code.
func (d *Daemon) execEnded(x *execRun, status int) {
	_ = d.execs.with(x.ID, func(r *execRun) error {
		r.Running, r.ExitCode, r.master, r.since = false, &status, nil, time.Now()
		return nil
	})
}

// execArgs is the goC exec command line of x.
func (d *Daemon) execArgs(x *execRun, consoleSocket string) []string {
	args := append(d.globals(), "exec")
	if consoleSocket != "" {
		args = append(args, "--tty", "--console-socket", consoleSocket, "--env", "TERM=xterm")
	}
	if x.req.User != "" {
		args = append(args, "--user", x.req.User)
	}
	if x.req.Workdir != "" {
		args = append(args, "--cwd", x.req.Workdir)
	}
	for _, kv := range x.req.Env {
		args = append(args, "--env", kv)
	}
	return append(append(args, x.ContainerID), x.req.Cmd...)
}

// execPipes runs x without a terminal: its stdout and stderr are framed
// onto conn, and, with Stdin, what the client sends is its input until
// the client half-closes. It returns goC exec's status (the process's,
// or 255 if goC failed, whose message is then on the stderr stream).
func (d *Daemon) execPipes(x *execRun, conn net.Conn, in *bufio.Reader) int {
	mux := api.NewMuxer(conn)
	cmd := exec.Command(d.Runtime, d.execArgs(x, "")...)
	cmd.Stdout, cmd.Stderr = mux.Stream(api.Stdout), mux.Stream(api.Stderr)
	if x.req.Stdin {
		r, w, err := os.Pipe()
		if err != nil {
			fmt.Fprintf(cmd.Stderr, "goCd: exec: %v\n", err)
			return 255
		}
		defer r.Close()
		cmd.Stdin = r
		go func() { _, _ = io.Copy(w, in); w.Close() }()
	}
	return exitStatus(cmd.Run(), cmd, cmd.Stderr)
}

// exitStatus is the status of cmd once run with err; a goC that could not
// be started is said on w, and is 255 as goC's own failures.
func exitStatus(err error, cmd *exec.Cmd, w io.Writer) int {
	if cmd.ProcessState != nil {
		return cmd.ProcessState.ExitCode()
	}
	fmt.Fprintf(w, "goCd: exec: %v\n", err)
	return 255
}

// execTty runs x with a terminal: goC exec hands the terminal's master to
// a console socket of goCd's, and the master is relayed to conn raw both
// ways. goC's own messages, if it fails before, go to conn.
func (d *Daemon) execTty(x *execRun, conn net.Conn, in *bufio.Reader) int {
	dir, err := os.MkdirTemp("", "goCd-console-")
	if err != nil {
		fmt.Fprintf(conn, "goCd: exec: %v\r\n", err)
		return 255
	}
	defer os.RemoveAll(dir)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(dir, "console.sock"), Net: "unix"})
	if err != nil {
		fmt.Fprintf(conn, "goCd: exec: console socket: %v\r\n", err)
		return 255
	}
	var goCOut bytes.Buffer
	cmd := exec.Command(d.Runtime, d.execArgs(x, l.Addr().String())...)
	cmd.Stdout, cmd.Stderr = &goCOut, &goCOut
	if err := cmd.Start(); err != nil {
		l.Close()
		return exitStatus(err, cmd, conn)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); l.Close() }()
	if master, err := console.Receive(l); err == nil {
		d.relayTerminal(x, master, conn, in)
	}
	err = <-exited
	if cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == 255 {
		_, _ = conn.Write(bytes.ReplaceAll(goCOut.Bytes(), []byte("\n"), []byte("\r\n")))
	}
	return exitStatus(err, cmd, conn)
}

// relayTerminal copies in to the master and the master to conn, until the
// terminal's last process has gone (the master reads EIO), the size asked
// for applied first and whenever it changes.
func (d *Daemon) relayTerminal(x *execRun, master *os.File, conn net.Conn, in io.Reader) {
	defer master.Close()
	_ = d.execs.with(x.ID, func(r *execRun) error {
		r.master = master
		return pty.Resize(master, r.size)
	})
	go func() { _, _ = io.Copy(master, in) }()
	_, _ = io.Copy(conn, master)
	_ = d.execs.with(x.ID, func(r *execRun) error { r.master = nil; return nil })
}
