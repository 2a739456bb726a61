package shim

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The log keeps the bytes as written; the times note where each line began
// and when, a line split across writes once; an old log without times
// reads with the default time.
func TestLogTimes(t *testing.T) {
	d := Dir(t.TempDir())
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.WriteFile(d.Log(), []byte("legacy\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	log, err := os.OpenFile(d.Log(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	var times strings.Builder
	tick := time.Unix(100, 0)
	now := func() time.Time { tick = tick.Add(time.Second); return tick }
	r, w, _ := os.Pipe()
	go func() {
		for _, s := range []string{"one\ntw", "o\nthree\n"} {
			w.WriteString(s)
			time.Sleep(10 * time.Millisecond) // one read or two: line two began with the first
		}
		w.Close()
	}()
	copyLog(r, log, &times, now)
	b, _ := os.ReadFile(d.Log())
	if string(b) != "legacy\none\ntwo\nthree\n" {
		t.Fatalf("log = %q", b)
	}
	if err := os.WriteFile(d.Times(), []byte(times.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	lt, err := d.ReadTimes()
	if err != nil {
		t.Fatal(err)
	}
	if got := lt.At(0, old); !got.Equal(old) {
		t.Errorf("the legacy line: %v, want the default", got)
	}
	if len(lt.offsets) != 3 || lt.offsets[0] != 7 || lt.offsets[1] != 11 || lt.offsets[2] != 15 {
		t.Fatalf("offsets %v, want [7 11 15]", lt.offsets)
	}
	if got := lt.At(11, old); got.Unix() != 101 {
		t.Errorf("line two began at %v, want 101 s (its first write)", got.Unix())
	}
}

func TestReadTimesWithoutFile(t *testing.T) {
	lt, err := Dir(t.TempDir()).ReadTimes()
	def := time.Unix(5, 0)
	if err != nil || !lt.At(42, def).Equal(def) {
		t.Fatalf("no times file: %v, %v", lt, err)
	}
}

// timesBeforeBytes fails the test when a line's time is noted after the
// line's bytes are already in the log.
type timesBeforeBytes struct {
	t   *testing.T
	log string
}

func (w timesBeforeBytes) Write(p []byte) (int, error) {
	fi, err := os.Stat(w.log)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		off, _, _ := strings.Cut(l, " ")
		if n, _ := strconv.ParseInt(off, 10, 64); n < fi.Size() {
			w.t.Errorf("the time of the line at %d noted after its bytes (log size %d)", n, fi.Size())
		}
	}
	return len(p), nil
}

// A reader that reads the log and then the times must find a time for
// every line it has read: goC-cli start -a and logs --since rely on it.
func TestLogTimesNotedBeforeBytes(t *testing.T) {
	d := Dir(t.TempDir())
	log, err := os.OpenFile(d.Log(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	copyLog(strings.NewReader("one\ntwo\n"), log, timesBeforeBytes{t, d.Log()}, time.Now)
}

// Stop hands over the pipe with nothing lost: what was copied before is in
// the log, what was written after is still in the pipe, and a second copy
// (the monitor's, here CopyLog) appends it with its times.
func TestLogCopyStop(t *testing.T) {
	d := Dir(t.TempDir())
	w, c, err := d.StartLog()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString("one\n")
	for i := 0; i < 100; i++ { // until the copy has read it
		if b, _ := os.ReadFile(d.Log()); string(b) == "one\n" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	r := c.Stop()
	if r == nil {
		t.Fatal("Stop: no pipe")
	}
	w.WriteString("two\nthree\n")
	w.Close()
	if b, _ := os.ReadFile(d.Log()); string(b) != "one\n" {
		t.Fatalf("log after Stop = %q, want the first line only", b)
	}
	if err := d.CopyLog(r); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(d.Log()); string(b) != "one\ntwo\nthree\n" {
		t.Fatalf("log = %q", b)
	}
	lt, err := d.ReadTimes()
	if err != nil {
		t.Fatal(err)
	}
	if len(lt.offsets) != 3 || lt.offsets[1] != 4 || lt.offsets[2] != 8 {
		t.Fatalf("offsets %v, want [0 4 8]", lt.offsets)
	}
}

// Resume goes on copying from where Stop left off.
func TestLogCopyResume(t *testing.T) {
	d := Dir(t.TempDir())
	w, c, err := d.StartLog()
	if err != nil {
		t.Fatal(err)
	}
	if c.Stop() == nil {
		t.Fatal("Stop: no pipe")
	}
	w.WriteString("kept\n")
	c = c.Resume()
	w.Close()
	c.Wait(5 * time.Second)
	if b, _ := os.ReadFile(d.Log()); string(b) != "kept\n" {
		t.Fatalf("log = %q", b)
	}
}
