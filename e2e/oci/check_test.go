package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sample = `# a comment
create
  not ok: create with '--pid-file' option works
    cause: bug: the pid file (issue 12, being fixed)

linux_cgroups_blkio
  not ok: exit status 1: failed to create the container
    cause: machine: no blkio.leaf_weight (the kernel has no CFQ)
  flaky: sometimes
    cause: suite: races with its own 1 s poll

delete
  not ok: newly
    cause: TODO: explain
`

func TestParseExpected(t *testing.T) {
	exp, err := ParseExpected(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]Entry{
		"create": {{Desc: "create with '--pid-file' option works", Cause: "bug: the pid file (issue 12, being fixed)"}},
		"linux_cgroups_blkio": {
			{Desc: "exit status 1: failed to create the container", Cause: "machine: no blkio.leaf_weight (the kernel has no CFQ)"},
			{Desc: "sometimes", Flaky: true, Cause: "suite: races with its own 1 s poll"},
		},
		"delete": {{Desc: "newly", Cause: "TODO: explain"}},
	}
	if !reflect.DeepEqual(exp.Files, want) {
		t.Errorf("ParseExpected:\n got %v\nwant %v", exp.Files, want)
	}
	if k := exp.Files["delete"][0].Kind(); k != "TODO" {
		t.Errorf("kind of a TODO cause = %q", k)
	}
	var b strings.Builder
	if err := exp.Write(&b, "test"); err != nil {
		t.Fatal(err)
	}
	again, err := ParseExpected(strings.NewReader(b.String()))
	if err != nil || !reflect.DeepEqual(again.Files, want) {
		t.Errorf("Write does not read back (%v):\n%s", err, b.String())
	}
}

func TestParseExpectedRefuses(t *testing.T) {
	for name, text := range map[string]string{
		"no cause":          "create\n  not ok: a\n",
		"entry before file": "  not ok: a\n    cause: bug: x\n",
		"two causes":        "create\n  not ok: a\n    cause: bug: x\n    cause: bug: y\n",
		"unknown line":      "create\n  passes: a\n",
		"file twice":        "create\n  not ok: a\n    cause: bug: x\ncreate\n",
	} {
		if _, err := ParseExpected(strings.NewReader(text)); err == nil {
			t.Errorf("%s: ParseExpected accepted %q", name, text)
		}
	}
}

func TestCheck(t *testing.T) {
	exp, err := ParseExpected(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	res := Results{
		"create": {
			"goC5": {{Pass, "a"}, {Fail, "create with '--pid-file' option works"}},
			"runc": {{Pass, "a"}, {Pass, "create with '--pid-file' option works"}},
		},
		"linux_cgroups_blkio": {
			"goC5": {{Fail, "exit status 1: failed to create the container"}, {Fail, "new failure"}},
			"runc": {{Pass, "exit status 1: failed to create the container"}, {Pass, "new failure"}},
		},
		"delete": {"goC5": {{Fail, "newly"}}},
		"state":  {"goC5": {{Fail, "unlisted"}}, "runc": {{Fail, "unlisted"}}},
		"kill":   {"goC4": {{Pass, "x"}}, "runc": {{Fail, "x"}}},
	}
	var got []string
	for _, p := range Check(exp, res) {
		got = append(got, p.String())
	}
	want := []string{
		`delete (goC5): "newly": not ok, expected, but its cause is still TODO`,
		`linux_cgroups_blkio (goC5): "exit status 1: failed to create the container": not ok: the expected file blames the machine, but runc passes it here`,
		`linux_cgroups_blkio (goC5): "new failure": not ok, and runc passes it: not in the expected file`,
		`state (goC5): "unlisted": not ok: not in the expected file`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Check:\n got %q\nwant %q", got, want)
	}

	// The pid-file bug fixed: its entry is stale.
	res["create"]["goC5"] = []Point{{Pass, "a"}, {Pass, "create with '--pid-file' option works"}}
	stale := Check(exp, Results{"create": res["create"]})
	if len(stale) != 1 || !strings.Contains(stale[0].Why, "stale") {
		t.Errorf("Check with a fixed point = %v, want one stale entry", stale)
	}
}

func TestUpdate(t *testing.T) {
	old, err := ParseExpected(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	other := Expected{Files: map[string][]Entry{"state": {{Desc: "s", Cause: "suite: known elsewhere"}}}}
	res := Results{
		"create": {"goC5": {{Pass, "create with '--pid-file' option works"}}},
		"linux_cgroups_blkio": {
			"goC4": {{Fail, "exit status 1: failed to create the container"}, {Fail, "brand new"}},
			"goC5": {{Fail, "exit status 1: failed to create the container"}},
			"runc": {{Fail, "runc's own"}},
		},
		"state": {"goC5": {{Fail, "s"}}},
	}
	upd := Update(old, []Expected{other}, res)
	want := map[string][]Entry{
		"create": nil,
		"linux_cgroups_blkio": {
			{Desc: "exit status 1: failed to create the container", Cause: "machine: no blkio.leaf_weight (the kernel has no CFQ)"},
			{Desc: "brand new", Flaky: true, Cause: "TODO: explain"}, // goC5 passed it
			{Desc: "sometimes", Flaky: true, Cause: "suite: races with its own 1 s poll"},
		},
		"delete": {{Desc: "newly", Cause: "TODO: explain"}}, // not run: kept
		"state":  {{Desc: "s", Cause: "suite: known elsewhere"}},
	}
	if !reflect.DeepEqual(upd.Files, want) {
		t.Errorf("Update:\n got %v\nwant %v", upd.Files, want)
	}
	if p := Check(upd, res); len(p) != 1 || p[0].Desc != "brand new" {
		t.Errorf("Check after Update = %v, want only the TODO of the new point", p)
	}
}

// TestExpectedFiles keeps the committed files readable by the harness,
// with every cause written (a TODO fails the run that reads it).
func TestExpectedFiles(t *testing.T) {
	files, _ := filepath.Glob("expected/*.txt")
	if len(files) == 0 {
		t.Fatal("no expected/*.txt")
	}
	for _, f := range files {
		exp, err := readExpected(f)
		if err != nil {
			t.Error(err)
			continue
		}
		for file, entries := range exp.Files {
			for _, e := range entries {
				if e.Kind() == "TODO" {
					t.Errorf("%s: %s: %q: cause %q has no kind (%s)", f, file, e.Desc, e.Cause, strings.Join(Kinds, ", "))
				}
			}
		}
	}
}
