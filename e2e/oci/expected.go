package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Entry is one point goC is expected to fail, with why.
type Entry struct {
	Desc  string
	Flaky bool   // it passes and fails from run to run: either is fine
	Cause string // "KIND: why", KIND one of Kinds; "TODO…" until someone explains it
}

// Kinds are the causes an expected failure can have.
var Kinds = []string{
	"machine", // this machine lacks what the point needs (runc fails it too)
	"suite",   // the suite is wrong, racy, or tests something else than it says
	"spec",    // goC's choice (as runc, or the spec, has it) where the suite wants otherwise
	"bug",     // a goC bug, named with its issue
}

// Expected is an expected-results file: per validation file, the points
// goC fails.
type Expected struct {
	Files map[string][]Entry
}

// Kind is the entry's cause's kind ("TODO" when it has none yet).
func (e Entry) Kind() string {
	k, _, _ := strings.Cut(e.Cause, ":")
	for _, known := range Kinds {
		if k == known {
			return k
		}
	}
	return "TODO"
}

// ParseExpected reads an expected-results file:
//
//	FILE
//	  not ok: POINT          (or "flaky: POINT")
//	    cause: KIND: why
//
// Lines starting with # are comments.
func ParseExpected(r io.Reader) (Expected, error) {
	exp := Expected{Files: map[string][]Entry{}}
	file := ""
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		entries := exp.Files[file]
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case raw[0] != ' ' && raw[0] != '\t':
			if _, dup := exp.Files[line]; dup {
				return exp, fmt.Errorf("line %d: %s listed twice", n, line)
			}
			file = line
			exp.Files[file] = nil
		case file == "":
			return exp, fmt.Errorf("line %d: an entry before any file name", n)
		case strings.HasPrefix(line, "not ok:"), strings.HasPrefix(line, "flaky:"):
			flaky := strings.HasPrefix(line, "flaky:")
			_, desc, _ := strings.Cut(line, ":")
			exp.Files[file] = append(entries, Entry{Desc: strings.TrimSpace(desc), Flaky: flaky})
		case strings.HasPrefix(line, "cause:") && len(entries) > 0 && entries[len(entries)-1].Cause == "":
			entries[len(entries)-1].Cause = strings.TrimSpace(strings.TrimPrefix(line, "cause:"))
		default:
			return exp, fmt.Errorf("line %d: want a file name, \"not ok: POINT\", \"flaky: POINT\" or one \"cause: …\" after it: %q", n, line)
		}
	}
	for f, entries := range exp.Files {
		for _, e := range entries {
			if e.Cause == "" {
				return exp, fmt.Errorf("%s: %q has no cause", f, e.Desc)
			}
		}
	}
	return exp, sc.Err()
}

// entry finds a file's entry for a point.
func (exp Expected) entry(file, desc string) (Entry, bool) {
	for _, e := range exp.Files[file] {
		if e.Desc == desc {
			return e, true
		}
	}
	return Entry{}, false
}

const expectedHeader = `# What goC is expected to fail in the OCI runtime-tools validation suite (make test-oci; docs/e2e.md).
# Environment: %s. Every point goC fails must be listed here with its cause; a listed point that
# passes is stale. Refresh with %s (causes are kept; new entries get a TODO
# cause, which still fails the check until someone writes why).
#
#   FILE
#     not ok: POINT            (flaky: POINT when it passes and fails from run to run)
#       cause: KIND: why       KIND: machine (this machine lacks what it needs: runc fails it too),
#                              suite (the suite is wrong), spec (goC's choice, as runc or the spec has it,
#                              where the suite wants otherwise), bug (goC's, with its issue)
`

// RefreshCommand is how an environment's file is rewritten: the VM's
// ("vm-v2", "vm-v1") by make e2e, the host's by make test-oci.
func RefreshCommand(env string) string {
	if strings.HasPrefix(env, "vm-") {
		return "OCI_UPDATE=1 make e2e"
	}
	return "make test-oci OCI_UPDATE=1"
}

// Write prints the file back, files sorted, entries in their order.
func (exp Expected) Write(w io.Writer, env string) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, expectedHeader, env, RefreshCommand(env))
	files := make([]string, 0, len(exp.Files))
	for f, entries := range exp.Files {
		if len(entries) > 0 {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	for _, f := range files {
		fmt.Fprintf(b, "\n%s\n", f)
		for _, e := range exp.Files[f] {
			verb := "not ok"
			if e.Flaky {
				verb = "flaky"
			}
			fmt.Fprintf(b, "  %s: %s\n    cause: %s\n", verb, e.Desc, e.Cause)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
