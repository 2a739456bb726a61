package main

import (
	"errors"
	"io"
	"os"
	"os/signal"

	"golang.org/x/sys/unix"

	"goc.dev/stage5/client"
)

// With -t the user's terminal is the process's: goC-cli puts it in raw
// mode (^C is a byte for the container's terminal to make SIGINT of),
// sends its size on every SIGWINCH and watches the input for the detach
// keys, Docker's ctrl-p ctrl-q, which it does not send.

// errDetached ends an attachment the user left with the detach keys.
var errDetached = errors.New("detached")

// detachKeys are ctrl-p ctrl-q.
var detachKeys = []byte{0x10, 0x11}

// terminalSize is f's rows and columns, if f is a terminal.
func terminalSize(f *os.File) (rows, cols int, ok bool) {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil || ws.Row == 0 || ws.Col == 0 {
		return 0, 0, false
	}
	return int(ws.Row), int(ws.Col), true
}

// makeRaw puts the terminal f in raw mode, as cfmakeraw, and returns how
// to undo it.
func makeRaw(f *os.File) (restore func(), err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	raw := *old
	raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	raw.Oflag &^= unix.OPOST
	raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	raw.Cflag &^= unix.CSIZE | unix.PARENB
	raw.Cflag |= unix.CS8
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		return nil, err
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}

// attachTerminal relays a terminal's stream: the output raw to std.out
// and, with stdin, std.in to it (raw if a terminal) but for the detach
// keys. resize is called on every SIGWINCH. It returns errDetached if the
// user detached, else once the stream has ended.
func attachTerminal(s *client.Stream, stdin bool, std stdio, resize func()) error {
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, unix.SIGWINCH)
	defer signal.Stop(winch)
	go func() {
		for range winch {
			resize()
		}
	}()
	detached := make(chan struct{})
	if stdin {
		if isTerminal(std.in) {
			restore, err := makeRaw(std.in)
			if err != nil {
				return err
			}
			defer restore()
		}
		go func() {
			if copyInput(s, std.in) {
				close(detached)
				s.Close()
				return
			}
			_ = s.CloseWrite()
		}()
	}
	_, err := io.Copy(std.out, s)
	select {
	case <-detached:
		return errDetached
	default:
	}
	return err
}

// copyInput copies r to w until r ends or the detach keys come (true).
// A key that starts the sequence is held until the next tells.
func copyInput(w io.Writer, r io.Reader) (detached bool) {
	buf := make([]byte, 4096)
	matched := 0
	for {
		n, err := r.Read(buf)
		out := make([]byte, 0, n+len(detachKeys))
		for _, b := range buf[:n] {
			if b == detachKeys[matched] {
				if matched++; matched == len(detachKeys) {
					_, _ = w.Write(out)
					return true
				}
				continue
			}
			out = append(out, detachKeys[:matched]...)
			matched = 0
			if b == detachKeys[0] {
				matched = 1
				continue
			}
			out = append(out, b)
		}
		if err != nil { // the input has ended: a held key was input after all
			out = append(out, detachKeys[:matched]...)
		}
		if _, werr := w.Write(out); werr != nil || err != nil {
			return false
		}
	}
}
