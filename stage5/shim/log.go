package shim

import (
	"bufio"
	"bytes"
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

// StartLog opens the log for appending and starts copying into it what
// is written to the pipe it returns, noting when each line began. wait
// ends the copy: it waits until every writer has closed the pipe (the
// caller closes its own ends first), at most timeout.
func (d Dir) StartLog() (w *os.File, wait func(timeout time.Duration), err error) {
	log, err := os.OpenFile(d.Log(), os.O_WRONLY|os.O_CREATE|os.O_APPEND|unix.O_CLOEXEC, 0o640)
	if err != nil {
		return nil, nil, err
	}
	times, err := os.OpenFile(d.Times(), os.O_WRONLY|os.O_CREATE|os.O_APPEND|unix.O_CLOEXEC, 0o640)
	if err != nil {
		log.Close()
		return nil, nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		log.Close()
		times.Close()
		return nil, nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer log.Close()
		defer times.Close()
		defer r.Close()
		copyLog(r, log, times, time.Now)
	}()
	return w, func(timeout time.Duration) {
		select {
		case <-done:
		case <-time.After(timeout):
		}
	}, nil
}

// copyLog copies r to log, appending to times the offset and time of
// each line that begins, before the line's bytes.
func copyLog(r io.Reader, log *os.File, times io.Writer, now func() time.Time) {
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
				return
			}
			off += int64(n)
		}
		if err != nil {
			return
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
