package daemon

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
)

// GET /containers/{id}/logs?since=…&tail=N&timestamps=1: docker logs's
// --since, --tail and -t. The shim notes when each line of the log began
// (shim.TimesFile); a line older than those notes has the container's
// creation time.

// logOptions select lines of a log.
type logOptions struct {
	since      time.Time // zero: all
	tail       int       // negative: all
	timestamps bool
}

// parseLogOptions reads the query; ok is false if it selects nothing
// (the log is then streamed as it is, byte for byte).
func parseLogOptions(c echo.Context) (o logOptions, ok bool, err error) {
	o.tail = -1
	if s := c.QueryParam("since"); s != "" {
		if o.since, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return o, false, bad("invalid since %q: want an RFC 3339 time", s)
		}
	}
	if s := c.QueryParam("tail"); s != "" {
		if o.tail, err = strconv.Atoi(s); err != nil || o.tail < 0 {
			return o, false, bad("invalid tail %q: want a number of lines", s)
		}
	}
	o.timestamps = c.QueryParam("timestamps") == "1"
	return o, !o.since.IsZero() || o.tail >= 0 || o.timestamps, nil
}

// logLine is one line of a log, its newline included (but for a last line
// not ended yet), with the time it began.
type logLine struct {
	t    time.Time
	text []byte
}

// logLines streams the selected lines of ct's log to w; with follow, the
// lines to come too, until the container has stopped running.
func (d *Daemon) logLines(ctx context.Context, ct *api.Container, o logOptions, follow bool, w *echo.Response) error {
	f, err := os.Open(d.dir(ct.ID).Log())
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	defer f.Close()
	w.Header().Set(echo.HeaderContentType, echo.MIMETextPlainCharsetUTF8)
	w.WriteHeader(http.StatusOK)
	wd := d.watchDir(ct.ID)
	defer wd.close()
	var pending []byte // read, not yet a whole line
	var off int64      // pending's offset in the log
	for first := true; ; first = false {
		final := !follow
		if cur, err := d.load(ct.ID); err != nil || cur.Status != api.StatusRunning {
			final = true // what is read after this is the whole log
		}
		b, err := io.ReadAll(f)
		if err != nil {
			return nil
		}
		pending = append(pending, b...)
		times, _ := d.dir(ct.ID).ReadTimes()
		var lines []logLine
		for len(pending) > 0 {
			i := bytes.IndexByte(pending, '\n')
			if i < 0 && !final {
				break
			}
			if i < 0 {
				i = len(pending) - 1
			}
			lines = append(lines, logLine{t: times.At(off, ct.Created), text: pending[:i+1]})
			pending, off = pending[i+1:], off+int64(i+1)
		}
		if err := writeLines(w, o.pick(lines, first)); err != nil || final {
			return nil
		}
		wd.wait(ctx, time.Second)
		if ctx.Err() != nil {
			return nil
		}
	}
}

// pick keeps the lines since o.since and, in the first batch, the last
// o.tail of them.
func (o logOptions) pick(lines []logLine, first bool) []logLine {
	var out []logLine
	for _, l := range lines {
		if !l.t.Before(o.since) {
			out = append(out, l)
		}
	}
	if first && o.tail >= 0 && len(out) > o.tail {
		out = out[len(out)-o.tail:]
	}
	if !o.timestamps {
		return out
	}
	for i, l := range out {
		out[i].text = append([]byte(l.t.UTC().Format(time.RFC3339Nano)+" "), l.text...)
	}
	return out
}

func writeLines(w *echo.Response, lines []logLine) error {
	for _, l := range lines {
		if _, err := w.Write(l.text); err != nil {
			return err
		}
	}
	w.Flush()
	return nil
}
