package shim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"goc.dev/shared/process"
)

// Each file reads back what was written, and a file not written yet is
// reported as missing, not as a zero value.
func TestRoundTrip(t *testing.T) {
	cases := []struct {
		name  string
		file  string
		write func(Dir) error
		read  func(Dir) (any, error)
		want  any
	}{
		{"record", RecordFile,
			func(d Dir) error { return d.WriteRecord(Record{PID: 4242, Start: 987654321}) },
			func(d Dir) (any, error) { return d.ReadRecord() },
			Record{PID: 4242, Start: 987654321}},
		{"info with an address", InfoFile,
			func(d Dir) error { return d.WriteInfo(Info{IP: "10.77.0.9"}) },
			func(d Dir) (any, error) { return d.ReadInfo() },
			Info{IP: "10.77.0.9"}},
		{"info without an address", InfoFile,
			func(d Dir) error { return d.WriteInfo(Info{}) },
			func(d Dir) (any, error) { return d.ReadInfo() },
			Info{}},
		{"result", ResultFile,
			func(d Dir) error { return d.WriteResult(Result{Status: 137, OOMKills: 2}) },
			func(d Dir) (any, error) { r, err := d.ReadResult(); r.Finished = time.Time{}; return r, err },
			Result{Status: 137, OOMKills: 2}},
		{"result of a failed goC", ResultFile,
			func(d Dir) error { return d.WriteResult(Result{Status: process.StatusRuntimeError}) },
			func(d Dir) (any, error) { r, err := d.ReadResult(); r.Finished = time.Time{}; return r, err },
			Result{Status: 125}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Dir(t.TempDir())
			if _, err := tc.read(d); !IsMissing(err) {
				t.Fatalf("read before write: err = %v, want one IsMissing reports", err)
			}
			if err := tc.write(d); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(string(d), tc.file)); err != nil {
				t.Fatalf("written, but not as %s: %v", tc.file, err)
			}
			got, err := tc.read(d)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

// Finished is the result file's modification time, in UTC.
func TestResultFinished(t *testing.T) {
	d := Dir(t.TempDir())
	if d.HasResult() {
		t.Fatal("HasResult before any result")
	}
	if err := d.WriteResult(Result{Status: 3}); err != nil {
		t.Fatal(err)
	}
	if !d.HasResult() {
		t.Fatal("no HasResult after WriteResult")
	}
	when := time.Date(2026, 11, 29, 0, 54, 54, 239061992, time.FixedZone("CET", 3600))
	if err := os.Chtimes(filepath.Join(string(d), ResultFile), when, when); err != nil {
		t.Fatal(err)
	}
	r, err := d.ReadResult()
	if err != nil {
		t.Fatal(err)
	}
	if !r.Finished.Equal(when) || r.Finished.Location() != time.UTC {
		t.Fatalf("Finished = %v, want %v in UTC", r.Finished, when.UTC())
	}
	if r.Status != 3 {
		t.Fatalf("Status = %d, want 3", r.Status)
	}
}

// A file that is there but not JSON is an error that names it, and is not
// taken for a missing one.
func TestCorruptFile(t *testing.T) {
	d := Dir(t.TempDir())
	if err := os.WriteFile(filepath.Join(string(d), InfoFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := d.ReadInfo()
	if err == nil || IsMissing(err) || !strings.Contains(err.Error(), InfoFile) {
		t.Fatalf("ReadInfo of a corrupt file: err = %v", err)
	}
}

func TestLog(t *testing.T) {
	if got, want := Dir("/var/lib/goC/daemon/containers/abc").Log(), "/var/lib/goC/daemon/containers/abc/log"; got != want {
		t.Fatalf("Log() = %q, want %q", got, want)
	}
}
