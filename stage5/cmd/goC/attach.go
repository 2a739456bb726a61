package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"goc.dev/shared/console"
	"goc.dev/shared/pty"
	"goc.dev/stage4/container"
	"goc.dev/stage5/api"
	"goc.dev/stage5/shim"
)

// An attachable container's stdio goes through its shim: the output to
// the log and to every attached client, the clients' input to the
// container. goCd connects to the record's attach.sock and says, in one
// line, what it wants:
//
//	attach\n         the connection becomes a client's stream: the output
//	                 comes (framed as api.Muxer's without a terminal, raw
//	                 with one), what goCd sends is the container's input,
//	                 its half-close the end of it (without a terminal)
//	resize ROWS COLS\n  the terminal's size
//
// Output from before the first client attaches is kept (maxPending) and
// is the first client's first read, so that run -it sees the prompt.

// maxPending bounds the output kept for the first client.
const maxPending = 64 << 10

// drainTimeout is how long the shim waits, once the container has ended,
// for the rest of its output (a process it left behind may hold the pipe).
const drainTimeout = 2 * time.Second

type attacher struct {
	dir      shim.Dir
	opts     shim.Attach
	log      *os.File
	l        *net.UnixListener
	released func() // the console socket's

	mu       sync.Mutex
	clients  map[net.Conn]io.Writer // each client's writer of stdout (framed or raw)
	errOut   map[net.Conn]io.Writer // and of stderr
	pending  [][2][]byte            // {stream, bytes} before the first client
	size     int
	attached bool
	first    chan struct{} // closed when the first client attaches
	started  atomic.Bool   // the container has run (else no client is waited for)
	input    *os.File      // the container's input: its stdin pipe, or the master
	master   *os.File
	pumps    sync.WaitGroup
}

// attachable returns the attacher of an attachable container (nil if it
// is not one), listening, its pipes made if it has no terminal.
func attachable(dir shim.Dir) (*attacher, error) {
	opts, err := dir.ReadAttach()
	if shim.IsMissing(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	// The log is what the shim's stdout is now (logTo): the pipe that
	// notes each line's time.
	fd, err := unix.FcntlInt(1, unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("shim: attach: %w", err)
	}
	log := os.NewFile(uintptr(fd), "log")
	a := &attacher{dir: dir, opts: opts, log: log, released: func() {}, first: make(chan struct{}),
		clients: map[net.Conn]io.Writer{}, errOut: map[net.Conn]io.Writer{}}
	if a.l, err = dir.ListenUnix(shim.AttachSocket); err != nil {
		log.Close()
		return nil, fmt.Errorf("shim: attach: %w", err)
	}
	go a.serve(a.l)
	if !opts.Tty {
		err = a.pipes()
	}
	return a, err
}

// prepare gives the container its terminal, if it has one.
func (a *attacher) prepare(o *container.Options) error {
	if !a.opts.Tty {
		return nil
	}
	done, err := a.terminal(o)
	if err == nil {
		a.released = done
	}
	return err
}

// finish ends the attachment once the container has ended: the shim's
// ends of the output pipes go (stdout and stderr back to the log), the
// client that was to attach is waited for, the rest of the output is
// relayed, the clients' streams end.
func (a *attacher) finish() {
	warn(dupOut(a.log))
	if a.opts.Client && a.started.Load() {
		select {
		case <-a.first:
		case <-time.After(shim.FirstClientTimeout):
		}
	}
	a.end()
	a.l.Close()
	a.released()
	os.Remove(filepath.Join(string(a.dir), shim.AttachSocket))
	a.log.Close()
}

// output writes what stream said to the log and to the clients.
func (a *attacher) output(stream byte, p []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, _ = a.log.Write(p)
	if !a.attached {
		if a.size+len(p) <= maxPending {
			a.pending = append(a.pending, [2][]byte{{stream}, append([]byte(nil), p...)})
			a.size += len(p)
		}
		return
	}
	for c := range a.clients {
		w := a.clients[c]
		if stream == api.Stderr {
			w = a.errOut[c]
		}
		if _, err := w.Write(p); err != nil {
			c.Close()
			delete(a.clients, c)
		}
	}
}

// pump copies r to the clients as stream, until r ends.
func (a *attacher) pump(stream byte, r *os.File) {
	a.pumps.Add(1)
	go func() {
		defer a.pumps.Done()
		defer r.Close()
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				a.output(stream, buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
}

// pipes makes the shim's stdin, stdout and stderr pipes, which the
// container inherits (goC run runs in the shim's process).
func (a *attacher) pipes() error {
	var ends [3][2]*os.File
	for i := range ends {
		r, w, err := os.Pipe()
		if err != nil {
			return fmt.Errorf("shim: attach: %w", err)
		}
		ends[i] = [2]*os.File{r, w}
	}
	for fd, f := range []*os.File{ends[0][0], ends[1][1], ends[2][1]} {
		if err := unix.Dup2(int(f.Fd()), fd); err != nil {
			return fmt.Errorf("shim: attach: %w", err)
		}
		f.Close()
	}
	a.input = ends[0][1]
	a.pump(api.Stdout, ends[1][0])
	a.pump(api.Stderr, ends[2][0])
	return nil
}

// terminal makes goC run give the container a terminal and hand its
// master to the shim's console socket; the master is the container's
// input and output. done releases the socket once goC has used it.
func (a *attacher) terminal(o *container.Options) (done func(), err error) {
	l, err := a.dir.ListenUnix(shim.ConsoleSocket)
	if err != nil {
		return nil, fmt.Errorf("shim: console socket: %w", err)
	}
	path, release, err := a.dir.Socket(shim.ConsoleSocket)
	if err != nil {
		l.Close()
		return nil, err
	}
	o.ConsoleSocket, o.Plan.Terminal = path, true
	o.Plan.Env = append(o.Plan.Env, "TERM=xterm")
	a.pumps.Add(1)
	go func() {
		defer a.pumps.Done()
		m, err := console.Receive(l)
		if err != nil {
			return
		}
		a.mu.Lock()
		a.master, a.input = m, m
		a.mu.Unlock()
		a.pump(api.Stdout, m) // until the container's last process has gone (EIO)
	}()
	return func() { release(); l.Close(); os.Remove(filepath.Join(string(a.dir), shim.ConsoleSocket)) }, nil
}

// serve answers goCd's connections on l until l is closed.
func (a *attacher) serve(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go a.handle(c)
	}
}

// handle is one of goCd's connections.
func (a *attacher) handle(c net.Conn) {
	line, err := readLine(c)
	f := strings.Fields(line)
	switch {
	case err != nil || len(f) == 0:
		c.Close()
	case f[0] == "resize" && len(f) == 3:
		rows, _ := strconv.ParseUint(f[1], 10, 16)
		cols, _ := strconv.ParseUint(f[2], 10, 16)
		a.mu.Lock()
		if a.master != nil {
			_ = pty.Resize(a.master, pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)})
		}
		a.mu.Unlock()
		c.Close()
	case f[0] == "attach":
		a.add(c)
		a.feed(c)
	default:
		c.Close()
	}
}

// add makes c a client; the first gets the output kept so far.
func (a *attacher) add(c net.Conn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out, errOut := io.Writer(c), io.Writer(c)
	if !a.opts.Tty {
		m := api.NewMuxer(c)
		out, errOut = m.Stream(api.Stdout), m.Stream(api.Stderr)
	}
	if !a.attached {
		for _, p := range a.pending {
			w := out
			if p[0][0] == api.Stderr {
				w = errOut
			}
			_, _ = w.Write(p[1])
		}
		a.pending, a.attached = nil, true
		close(a.first)
	}
	a.clients[c], a.errOut[c] = out, errOut
}

// feed copies a client's input to the container's, if it is open; the
// end of a client's input without a terminal closes the container's (as
// Docker's run -i: stdin once).
func (a *attacher) feed(c net.Conn) {
	if !a.opts.Stdin {
		_, _ = io.Copy(io.Discard, c)
		return
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		a.mu.Lock()
		if n > 0 && a.input != nil {
			_, _ = a.input.Write(buf[:n])
		}
		if errors.Is(err, io.EOF) && !a.opts.Tty && a.input != nil {
			a.input.Close()
			a.input = nil
		}
		a.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// end waits for the rest of the output (drainTimeout at most), then ends
// every client's stream.
func (a *attacher) end() {
	drained := make(chan struct{})
	go func() { a.pumps.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(drainTimeout):
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for c := range a.clients {
		c.Close()
	}
	a.clients = map[net.Conn]io.Writer{}
}

// readLine reads one line, byte by byte: what follows is the stream's.
func readLine(c net.Conn) (string, error) {
	var b []byte
	one := make([]byte, 1)
	for len(b) < 64 {
		if _, err := c.Read(one); err != nil {
			return "", err
		}
		if one[0] == '\n' {
			return string(b), nil
		}
		b = append(b, one[0])
	}
	return "", errors.New("line too long")
}
