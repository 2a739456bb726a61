package cli

import (
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

// keepLogging restores the default logger after a test that changes it.
func keepLogging(t *testing.T) {
	def := slog.Default()
	t.Cleanup(func() { slog.SetDefault(def) })
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
		{errors.New("kill: it went wrong"), 1, "", "goC: kill: it went wrong\n"}, // runc's status
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
		{"update", cmdUpdate, []string{"a", "b"}, "update: need exactly one container ID"},
		{"update", cmdUpdate, []string{"--l3-cache-schema", "L3:0=f", "a"}, "update: --l3-cache-schema: Intel RDT (resctrl) is not supported by goC"},
		{"events", cmdEvents, nil, "events: need exactly one container ID"},
		{"events", cmdEvents, []string{"--interval", "0s", "a"}, "events: --interval must be positive"},
		{"create", cmdCreate, nil, "create: need a container ID (and optionally the bundle)"},
		{"create", cmdCreate, []string{"--no-pivot", "a"}, "--no-pivot is not supported"},
		// The test binary has no goC-image beside it (image/remote tests the
		// image command's own errors).
		{"image", cmdImage, []string{"ls"}, "goC-image is missing: install it beside cli.test"},
	} {
		err := tc.run(g, tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s %q: error %v, want it to mention %q", tc.name, tc.args, err, tc.err)
		}
	}
	for _, run := range []func(*Globals, []string) error{cmdKill, cmdDelete, cmdList, cmdState, cmdUpdate, cmdEvents} {
		if err := run(g, []string{"--help"}); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("--help: error %v, want flag.ErrHelp", err)
		}
	}
	if err := cmdList(g, []string{"-q"}); err != nil { // no containers: nothing to list, no error
		t.Errorf("list -q with no containers: %v", err)
	}
}

// A manager that passes --log reads why goC failed from the file's last
// line (shared/logging writes it; here, that Main sets it up).
func TestMainLogsFailuresToTheLogFile(t *testing.T) {
	keepLogging(t)
	path := filepath.Join(t.TempDir(), "log.json")
	verbs := []Verb{{Name: "fails", Run: func(*Globals, []string) int { return Fail(errors.New("it failed")) }}}
	var st int
	_, stderr := capture(t, func() { st = Main("v", verbs, []string{"--log", path, "--log-format", "json", "fails"}) })
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if st != 125 || stderr != "goC: it failed\n" || !strings.Contains(string(b), `"level":"error","msg":"it failed"`) {
		t.Errorf("status %d, stderr %q, log file %q", st, stderr, b)
	}
}

func TestSpecVerb(t *testing.T) {
	dir := t.TempDir()
	if err := cmdSpec([]string{"--bundle", dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err != nil {
		t.Fatal(err)
	}
	want := "spec: " + filepath.Join(dir, "config.json") + " exists; remove it first"
	if err := cmdSpec([]string{"-b", dir}); err == nil || err.Error() != want {
		t.Errorf("spec over a config.json: error %v, want %q", err, want)
	}
}
