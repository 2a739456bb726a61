package cli

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

// capture runs f with os.Stdout and os.Stderr going to files, and returns
// what it wrote to each.
func capture(t *testing.T, f func()) (stdout, stderr string) {
	t.Helper()
	dir := t.TempDir()
	out, err := os.Create(filepath.Join(dir, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	errf, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = out, errf
	func() {
		defer func() { os.Stdout, os.Stderr = oldOut, oldErr }()
		f()
	}()
	out.Close()
	errf.Close()
	o, _ := os.ReadFile(out.Name())
	e, _ := os.ReadFile(errf.Name())
	return string(o), string(e)
}

// keepLogging restores the default logger and the --log switch after a
// test that changes them.
func keepLogging(t *testing.T) {
	def, lf := slog.Default(), logFile
	t.Cleanup(func() { slog.SetDefault(def); logFile = lf })
}

func TestPreserveFds(t *testing.T) {
	for _, tc := range []struct {
		args string
		want int
	}{
		{"", 0},
		{"run --preserve-fds 2 ctr", 2},
		{"run --preserve-fds=3 ctr", 3},
		{"--root /r exec --preserve-fds 1 ctr sh", 1},
		{"run --preserve-fds", 0},           // no value
		{"run --preserve-fds x ctr", 0},     // not a number: the verb's parser says so
		{"run --preserve-fds=-1 ctr", 0},    // negative
		{"run --preserve-fds 65536 ctr", 0}, // more than any process has
		{"run --preserve-fds 0 --preserve-fds 4 ctr", 4},
		{"run -preserve-fds 2 ctr", 0}, // only the spelling runc's callers use
	} {
		if got := preserveFds(strings.Fields(tc.args)); got != tc.want {
			t.Errorf("preserveFds(%q) = %d, want %d", tc.args, got, tc.want)
		}
	}
}

func TestPreservedFds(t *testing.T) {
	g := &Globals{preserved: []*os.File{os.Stdin, os.Stdout}}
	for n := 0; n <= 2; n++ {
		got, err := g.preservedFds(n)
		if err != nil || len(got) != n {
			t.Errorf("preservedFds(%d) = %d files, %v", n, len(got), err)
		}
	}
	for _, n := range []int{-1, 3} {
		if _, err := g.preservedFds(n); err == nil || !strings.Contains(err.Error(), "not that many descriptors open") {
			t.Errorf("preservedFds(%d): error %v", n, err)
		}
	}
}

// hidden are verbs left out of goC --help on purpose: they only answer
// managers that probe for them.
var hidden = []string{"checkpoint", "restore"}

func TestUsageTextListsEveryVerb(t *testing.T) {
	verbs := Verbs()
	usage := usageText(verbs)
	if !strings.HasPrefix(usage, "usage: goC [global flags] VERB [flags] …\n") || !strings.HasSuffix(usage, globalUsage) {
		t.Errorf("usage text:\n%s", usage)
	}
	seen := map[string]bool{}
	for _, v := range verbs {
		if seen[v.Name] {
			t.Errorf("verb %q twice in the table", v.Name)
		}
		seen[v.Name] = true
		if v.Run == nil {
			t.Errorf("verb %q runs nothing", v.Name)
		}
		if !strings.Contains(usage, v.Usage) {
			t.Errorf("usage text lacks %q", v.Usage)
		}
		listed := strings.Contains(usage, "\n  "+v.Name+" ") || strings.Contains(usage, "| "+v.Name+" ")
		if listed == slices.Contains(hidden, v.Name) {
			t.Errorf("verb %q: listed in goC --help %v, want %v", v.Name, listed, !listed)
		}
	}
	for _, name := range []string{"spec", "create", "start", "state", "kill", "delete", "list", "run", "exec",
		"ps", "pause", "resume", "update", "events", "features", "checkpoint", "restore", "image"} {
		if !seen[name] {
			t.Errorf("verb %q is missing", name)
		}
	}
}

func TestMainReachesEveryVerb(t *testing.T) {
	keepLogging(t)
	verbs := Verbs()
	var ran string
	var gotArgs []string
	var gotGlobals *Globals
	for i := range verbs {
		name := verbs[i].Name
		verbs[i].Root = false // dispatch is tested here, not the root check
		verbs[i].Run = func(g *Globals, args []string) int {
			ran, gotArgs, gotGlobals = name, args, g
			return 42
		}
	}
	for _, v := range verbs {
		ran = ""
		if st := Main("v", verbs, []string{"--root", "/state", v.Name, "a", "--b"}); st != 42 || ran != v.Name {
			t.Errorf("goC %s: status %d, ran %q", v.Name, st, ran)
			continue
		}
		if !slices.Equal(gotArgs, []string{"a", "--b"}) || gotGlobals.Root != "/state" {
			t.Errorf("goC %s: args %q, root %q", v.Name, gotArgs, gotGlobals.Root)
		}
	}
}

func TestMainWithoutAVerb(t *testing.T) {
	keepLogging(t)
	verbs := []Verb{{Name: "only", Usage: "  only          the one verb\n", Run: func(*Globals, []string) int { return 0 }}}
	usage := usageText(verbs)
	for _, tc := range []struct {
		args           []string
		status         int
		stdout, stderr string
	}{
		{nil, 2, "", usage},
		{[]string{"--debug"}, 2, "", usage},
		{[]string{"help"}, 0, usage, ""},
		{[]string{"--help"}, 0, usage, ""},
		{[]string{"-h"}, 0, usage, ""},
		{[]string{"bogus"}, 125, "", "goC: unknown command \"bogus\" (see goC --help)\n"},
		{[]string{"--bogus", "only"}, 125, "", "goC: flag provided but not defined: -bogus (see goC --help)\n"},
		{[]string{"--log-format", "xml", "only"}, 125, "", "goC: --log-format \"xml\": use text or json\n"},
	} {
		var st int
		stdout, stderr := capture(t, func() { st = Main("v", verbs, tc.args) })
		if st != tc.status || stdout != tc.stdout || stderr != tc.stderr {
			t.Errorf("goC %q: status %d, stdout %q, stderr %q; want %d, %q, %q", tc.args, st, stdout, stderr, tc.status, tc.stdout, tc.stderr)
		}
	}
	stdout, _ := capture(t, func() { Main("1.2.3", verbs, []string{"--version"}) })
	if !strings.HasPrefix(stdout, "goC version 1.2.3\ncommit: ") || !strings.Contains(stdout, "\nspec: ") {
		t.Errorf("goC --version printed %q", stdout)
	}
}

func TestErrVerb(t *testing.T) {
	g := &Globals{usage: "the usage\n"}
	for _, tc := range []struct {
		err            error
		status         int
		stdout, stderr string
	}{
		{nil, 0, "", ""},
		{flag.ErrHelp, 0, "the usage\n", ""},
		{errors.New("kill: it went wrong"), 125, "", "goC: kill: it went wrong\n"},
	} {
		var st int
		var gotArgs []string
		run := errVerb(func(_ *Globals, args []string) error { gotArgs = args; return tc.err })
		stdout, stderr := capture(t, func() { st = run(g, []string{"x"}) })
		if st != tc.status || stdout != tc.stdout || stderr != tc.stderr || !slices.Equal(gotArgs, []string{"x"}) {
			t.Errorf("errVerb(%v): status %d, stdout %q, stderr %q, args %q", tc.err, st, stdout, stderr, gotArgs)
		}
	}
}

func TestSetupLogging(t *testing.T) {
	keepLogging(t)
	logs := t.TempDir()
	for _, tc := range []struct {
		format string
		debug  bool
		want   []string // the levels of the lines logged
	}{
		{"json", false, []string{"warn", "error", "error"}},
		{"json", true, []string{"debug", "info", "warn", "error", "error"}},
		{"text", false, []string{"level=WARN", "level=ERROR", "level=ERROR"}},
	} {
		path := filepath.Join(logs, tc.format+".log")
		os.Remove(path)
		g := &Globals{logFile: path, logFormat: tc.format, debug: tc.debug}
		closeLog, err := setupLogging(g)
		if err != nil {
			t.Fatal(err)
		}
		_, stderr := capture(t, func() {
			slog.Debug("d")
			slog.Info("i")
			slog.Warn("w")
			slog.Error("e")
			Fail(errors.New("failed")) // the line a manager reads
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
			t.Errorf("%s: the last line %q is not Fail's", tc.format, last)
		}
	}
	if _, err := setupLogging(&Globals{logFormat: "xml"}); err == nil {
		t.Error("--log-format xml accepted")
	}
	if _, err := setupLogging(&Globals{logFile: filepath.Join(logs, "no", "such", "dir"), logFormat: "text"}); err == nil || !strings.HasPrefix(err.Error(), "--log: ") {
		t.Errorf("--log in a missing directory: error %v", err)
	}
}

func TestVerbArgumentErrors(t *testing.T) {
	g := &Globals{Root: t.TempDir(), DataRoot: t.TempDir()}
	for _, tc := range []struct {
		name string
		run  func(*Globals, []string) error
		args []string
		err  string
	}{
		{"kill", cmdKill, nil, "kill: need a container ID and optionally a signal"},
		{"kill", cmdKill, []string{"a", "b", "c"}, "kill: need a container ID and optionally a signal"},
		{"kill", cmdKill, []string{"a", "NOSUCHSIG"}, `kill: invalid signal "NOSUCHSIG"`},
		{"kill", cmdKill, []string{"--bogus", "a"}, "kill: flag provided but not defined: -bogus"},
		{"delete", cmdDelete, nil, "delete: need exactly one container ID"},
		{"delete", cmdDelete, []string{"a", "b"}, "delete: need exactly one container ID"},
		{"delete", cmdDelete, []string{"--force=maybe", "a"}, "delete: invalid boolean value"},
		{"list", cmdList, []string{"--format", "yaml"}, `list: --format "yaml": use table or json`},
		{"list", cmdList, []string{"-x"}, "list: flag provided but not defined: -x"},
		{"state", cmdState, nil, "state: need exactly one container ID"},
		{"create", cmdCreate, nil, "create: need a container ID (and optionally the bundle)"},
		{"create", cmdCreate, []string{"--no-pivot", "a"}, "--no-pivot is not supported"},
		{"image", cmdImage, nil, "image: need import, ls or rm"},
		{"image", cmdImage, []string{"import", "x"}, "image import: need NAME and SOURCE"},
		{"image", cmdImage, []string{"rm"}, "image rm: need NAME"},
		{"image", cmdImage, []string{"pull"}, `image: unknown command "pull" (import, ls, rm)`},
	} {
		err := tc.run(g, tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s %q: error %v, want it to mention %q", tc.name, tc.args, err, tc.err)
		}
	}
	for _, run := range []func(*Globals, []string) error{cmdKill, cmdDelete, cmdList, cmdState} {
		if err := run(g, []string{"--help"}); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("--help: error %v, want flag.ErrHelp", err)
		}
	}
	if err := cmdList(g, []string{"-q"}); err != nil { // no containers: nothing to list, no error
		t.Errorf("list -q with no containers: %v", err)
	}
}
