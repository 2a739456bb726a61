package shim

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzRecordFiles: garbage in the shim's files (shim, info.json,
// result.json, attach.json) is an error naming the file, or a value that
// reads back the same once written; never a panic.
func FuzzRecordFiles(f *testing.F) {
	for _, s := range []string{`{"pid":12,"start":345}`, `{"ip":"10.77.0.2"}`, `{"status":137,"oomKills":1}`, `{"stdin":true,"tty":true}`, ``, `{`, `null`, `{"pid":-1}`, `[1]`, `{"status":1e400}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		d := Dir(t.TempDir())
		for _, name := range []string{RecordFile, InfoFile, ResultFile, AttachFile} {
			if err := os.WriteFile(d.path(name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		check := func(name string, v any, err error, write func() error, reread func() (any, error)) {
			if err != nil {
				if !strings.Contains(err.Error(), d.path(name)) {
					t.Errorf("%s: error %q does not name the file", name, err)
				}
				return
			}
			if err := write(); err != nil {
				t.Fatalf("%s: write back %+v: %v", name, v, err)
			}
			if w, err := reread(); err != nil || !reflect.DeepEqual(w, v) {
				t.Errorf("%s: read %+v, written and read again %+v, %v", name, v, w, err)
			}
		}
		r, err := d.ReadRecord()
		check(RecordFile, r, err, func() error { return d.WriteRecord(r) }, func() (any, error) { return d.ReadRecord() })
		i, err := d.ReadInfo()
		check(InfoFile, i, err, func() error { return d.WriteInfo(i) }, func() (any, error) { return d.ReadInfo() })
		a, err := d.ReadAttach()
		check(AttachFile, a, err, func() error { return d.WriteAttach(a) }, func() (any, error) { return d.ReadAttach() })
		res, err := d.ReadResult()
		res.Finished = time.Time{}
		check(ResultFile, res, err, func() error { return d.WriteResult(res) }, func() (any, error) {
			r, err := d.ReadResult()
			r.Finished = time.Time{}
			return r, err
		})
	})
}

// FuzzLogTimes: a garbled log.times file reads without a panic, and At
// never dates a line with the time of a line that starts after it.
func FuzzLogTimes(f *testing.F) {
	f.Add("0 1700000000000000000\n6 1700000001000000000\n", int64(3))
	f.Add("0 1\n6", int64(6))
	f.Add("9 5\n3 7\n", int64(4))
	f.Add("x y\n-1 -1\n", int64(0))
	f.Fuzz(func(t *testing.T, times string, off int64) {
		d := Dir(t.TempDir())
		if err := os.WriteFile(d.Times(), []byte(times), 0o644); err != nil {
			t.Fatal(err)
		}
		lt, err := d.ReadTimes()
		if err != nil {
			return // a line longer than the scanner takes
		}
		def := time.Unix(1, 0)
		got := lt.At(off, def)
		if got.Equal(def) {
			return
		}
		for k, o := range lt.offsets {
			if lt.times[k].Equal(got) && o <= off {
				return
			}
		}
		t.Errorf("At(%d) = %v: no line at or before %d has that time (offsets %v)", off, got, off, fmt.Sprint(lt.offsets))
	})
}
