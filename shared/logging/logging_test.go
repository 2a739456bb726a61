package logging

import (
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// stderrOf runs f with os.Stderr going to a file and returns what f wrote
// there.
func stderrOf(t *testing.T, f func()) string {
	t.Helper()
	errf, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = errf
	func() {
		defer func() { os.Stderr = old }()
		f()
	}()
	errf.Close()
	b, _ := os.ReadFile(errf.Name())
	return string(b)
}

// keepLogging restores the default logger after a test that changes it.
func keepLogging(t *testing.T) {
	def := slog.Default()
	t.Cleanup(func() { slog.SetDefault(def) })
}

func TestSetupToAFile(t *testing.T) {
	keepLogging(t)
	logs := t.TempDir()
	for _, tc := range []struct {
		format string
		debug  bool
		want   []string // the levels of the lines logged
	}{
		{"json", false, []string{"warn", "error", "error"}},
		{"json", true, []string{"debug", "info", "warn", "error", "error"}},
		{"text", false, []string{"level=warn", "level=error", "level=error"}},
		{"text", true, []string{"level=debug", "level=info", "level=warn", "level=error", "level=error"}},
	} {
		path := filepath.Join(logs, tc.format+".log")
		os.Remove(path)
		closeLog, err := Setup(Options{File: path, Format: tc.format, Debug: tc.debug})
		if err != nil {
			t.Fatal(err)
		}
		stderr := stderrOf(t, func() {
			slog.Debug("d")
			slog.Info("i")
			slog.Warn("w")
			slog.Error("e")
			Error(errors.New("failed")) // the line a manager reads
		})
		closeLog()
		if stderr != "goC: failed\n" {
			t.Errorf("%s: stderr %q", tc.format, stderr)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		var levels []string
		for _, l := range lines {
			if tc.format == "text" {
				f := strings.Fields(l)
				levels = append(levels, f[1])
				continue
			}
			var rec struct{ Level, Msg string }
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatalf("%s: %q: %v", tc.format, l, err)
			}
			levels = append(levels, rec.Level)
		}
		if !slices.Equal(levels, tc.want) {
			t.Errorf("%s (debug %v): levels %q, want %q\n%s", tc.format, tc.debug, levels, tc.want, b)
		}
		if last := lines[len(lines)-1]; !strings.Contains(last, "failed") {
			t.Errorf("%s: the last line %q is not Error's", tc.format, last)
		}
	}
}

func TestSetupToStderr(t *testing.T) {
	keepLogging(t)
	for _, debug := range []bool{false, true} {
		stderr := stderrOf(t, func() {
			closeLog, err := Setup(Options{Format: "text", Debug: debug})
			if err != nil {
				t.Error(err)
				return
			}
			defer closeLog()
			slog.Debug("d")
			slog.Warn("w")
			Error(errors.New("failed")) // once: there is no file to log it to
		})
		want := []string{"level=warn msg=w", "goC: failed"}
		if debug {
			want = append([]string{"level=debug msg=d"}, want...)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) != len(want) {
			t.Fatalf("debug %v: stderr %q, want %d lines", debug, stderr, len(want))
		}
		for i, l := range lines {
			if !strings.HasSuffix(l, want[i]) {
				t.Errorf("debug %v: line %d is %q, want it to end in %q", debug, i, l, want[i])
			}
		}
	}
}

func TestSetupErrors(t *testing.T) {
	keepLogging(t)
	if _, err := Setup(Options{Format: "xml"}); err == nil || err.Error() != `--log-format "xml": use text or json` {
		t.Errorf("--log-format xml: error %v", err)
	}
	_, err := Setup(Options{File: filepath.Join(t.TempDir(), "no", "such", "dir"), Format: "text"})
	if err == nil || !strings.HasPrefix(err.Error(), "--log: ") {
		t.Errorf("--log in a missing directory: error %v", err)
	}
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want Options
	}{
		{nil, Options{Format: "text"}},
		{[]string{"--log", "/l", "--log-format=json", "--debug"}, Options{File: "/l", Format: "json", Debug: true}},
	} {
		fs := flag.NewFlagSet("goC", flag.ContinueOnError)
		var o Options
		o.Flags(fs)
		if err := fs.Parse(tc.args); err != nil || o != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.args, o, err, tc.want)
		}
	}
}

func TestFail(t *testing.T) {
	keepLogging(t)
	var status int
	stderr := stderrOf(t, func() { status = Fail(errors.New("exec failed"), 255) })
	if status != 255 || stderr != "goC: exec failed\n" {
		t.Errorf("Fail: status %d, stderr %q", status, stderr)
	}
}
