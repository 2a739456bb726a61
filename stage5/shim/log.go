package shim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// TimesFile notes when each line of the log began: one line "OFFSET
// UNIXNANO" per log line, OFFSET its first byte's. The log itself stays
// the bytes the container wrote; a log without times (written before
// goCd kept them, or by goC run itself once the copy has ended) still
// reads, its lines without a time of their own.
const TimesFile = "log.times"

// Times is the path of the log's times.
func (d Dir) Times() string { return d.path(TimesFile) }

// StartLog starts copying into the log what is written to the pipe it
// returns, noting when each line began (CopyLog). The caller closes its
// own ends of the pipe once they are passed on.
func (d Dir) StartLog() (w *os.File, c *LogCopy, err error) {
	// Opened here too, so that a log that cannot be written is an error
	// before anything runs.
	for _, p := range []string{d.Log(), d.Times()} {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND|unix.O_CLOEXEC, 0o640)
		if err != nil {
			return nil, nil, err
		}
		f.Close()
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	return w, d.startCopy(r), nil
}

// LogCopy is the copy StartLog runs, from the read end of its pipe.
type LogCopy struct {
	d    Dir
	r    *os.File
	done chan struct{}
}

func (d Dir) startCopy(r *os.File) *LogCopy {
	c := &LogCopy{d: d, r: r, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		if err := d.CopyLog(r); !errors.Is(err, os.ErrDeadlineExceeded) {
			r.Close()
		}
	}()
	return c
}

// Wait ends the copy: it waits until every writer has closed the pipe
// (the caller closes its own ends first), at most timeout.
func (c *LogCopy) Wait(timeout time.Duration) {
	select {
	case <-c.done:
	case <-time.After(timeout):
	}
}

// Stop ends the copy once the bytes it has read are written, and returns
// the pipe's read end, still open, with what is not read yet in it: the
// shim hands it to its monitor (cmd/goC-shim), which goes on copying.
func (c *LogCopy) Stop() *os.File {
	if err := c.r.SetReadDeadline(time.Now()); err != nil {
		return nil // not a pipe the runtime polls; never so from os.Pipe
	}
	<-c.done
	_ = c.r.SetReadDeadline(time.Time{})
	return c.r
}

// Resume starts the copy again after Stop, on the same pipe.
func (c *LogCopy) Resume() *LogCopy {
	return c.d.startCopy(c.r)
}

// CopyLog appends what r carries to the log, noting the times, until r
// ends (nil), fails or passes a deadline set on it (that error).
func (d Dir) CopyLog(r io.Reader) error {
	log, err := os.OpenFile(d.Log(), os.O_WRONLY|os.O_CREATE|os.O_APPEND|unix.O_CLOEXEC, 0o640)
	if err != nil {
		return err
	}
	defer log.Close()
	times, err := os.OpenFile(d.Times(), os.O_WRONLY|os.O_CREATE|os.O_APPEND|unix.O_CLOEXEC, 0o640)
	if err != nil {
		return err
	}
	defer times.Close()
	return copyLog(r, log, times, time.Now)
}

// copyLog copies r to log, appending to times the offset and time of
// each line that begins, before the line's bytes. It returns r's error
// (nil at its end) or the log's.
func copyLog(r io.Reader, log *os.File, times io.Writer, now func() time.Time) error {
	off, err := log.Seek(0, io.SeekEnd)
	if err != nil {
		off = 0
	}
	atStart := off == 0 || endsInNewline(log.Name())
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			t := now().UnixNano()
			var notes bytes.Buffer
			for i, b := range buf[:n] {
				if atStart {
					fmt.Fprintf(&notes, "%d %d\n", off+int64(i), t)
				}
				atStart = b == '\n'
			}
			// Times first: whoever reads the log and then its times
			// finds a time for every line it has read.
			times.Write(notes.Bytes())
			if _, err := log.Write(buf[:n]); err != nil {
				return err
			}
			off += int64(n)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// endsInNewline tells whether the file's last byte is a newline.
func endsInNewline(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	b := make([]byte, 1)
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return true
	}
	_, err = f.ReadAt(b, fi.Size()-1)
	return err == nil && b[0] == '\n'
}

// LogTimes are the times of a log's lines, by offset, ascending.
type LogTimes struct {
	offsets []int64
	times   []time.Time
}

// ReadTimes reads the log's times; none if it has no times file.
func (d Dir) ReadTimes() (LogTimes, error) {
	var lt LogTimes
	f, err := os.Open(d.Times())
	if IsMissing(err) {
		return lt, nil
	}
	if err != nil {
		return lt, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		o, t, ok := strings.Cut(sc.Text(), " ")
		off, err1 := strconv.ParseInt(o, 10, 64)
		ns, err2 := strconv.ParseInt(t, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			continue // a line cut short by a crash
		}
		lt.offsets, lt.times = append(lt.offsets, off), append(lt.times, time.Unix(0, ns).UTC())
	}
	return lt, sc.Err()
}

// At is the time of the line that begins at off: the time noted for the
// last line at or before it, or else (a log older than its times) def.
func (lt LogTimes) At(off int64, def time.Time) time.Time {
	i := sort.Search(len(lt.offsets), func(i int) bool { return lt.offsets[i] > off })
	if i == 0 {
		return def
	}
	return lt.times[i-1]
}
