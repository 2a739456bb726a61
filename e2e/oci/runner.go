package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// runner runs every file against every runtime and keeps what the report
// needs.
type runner struct {
	o         options
	rts       []Runtime
	exp       Expected
	work      string
	res       Results
	stderr    map[string]string // "file/column" → the file's stderr
	took      map[string]time.Duration
	leftovers Leftovers
	retried   []Problem // first runs that differed, whose second run matched
	out       io.Writer
	cleanup   func(Runtime, string) (Leftovers, error) // Cleanup; a fake in tests
}

func newRunner(o options, rts []Runtime, exp Expected, work string) *runner {
	return &runner{o: o, rts: rts, exp: exp, work: work, res: Results{},
		stderr: map[string]string{}, took: map[string]time.Duration{}, out: os.Stdout, cleanup: Cleanup}
}

// runAll runs the files and prints the table's header and rows.
func (r *runner) runAll(files []string) error {
	// What an interrupted run may have left.
	if _, err := removeSuiteCgroups(); err != nil {
		return err
	}
	fmt.Fprintf(r.out, "OCI runtime-tools validation suite, %d files: pass/fail/skip points per file and runtime"+
		" (! = goC differs from %s, ~ = it did once, not on a second run)\n", len(files), r.o.expected)
	var names []string
	for _, rt := range r.rts {
		names = append(names, rt.Name)
	}
	fmt.Fprintln(r.out, row("file", names))
	for _, f := range files {
		if err := r.file(f); err != nil {
			return err
		}
	}
	return nil
}

// file runs one validation file against each runtime in turn and prints
// its row. A goC column that differs from the expected file runs once
// more: the suite and today's goC have races (1 s polls, an init that dies
// at once), so a second run that matches is taken, and reported as RETRIED;
// a difference that comes back twice stands.
func (r *runner) file(name string) error {
	r.res[name] = map[string][]Point{}
	for _, rt := range r.rts {
		if err := r.runOnce(name, rt); err != nil {
			return err
		}
	}
	var cells []string
	for _, rt := range r.rts {
		mark := ""
		if first := r.problems(name, rt.Name); len(first) > 0 {
			if err := r.runOnce(name, rt); err != nil {
				return err
			}
			mark = " !"
			if len(r.problems(name, rt.Name)) == 0 {
				mark = " ~"
				r.retried = append(r.retried, first...)
			}
		}
		cells = append(cells, Count(r.res[name][rt.Name]).String()+mark)
	}
	fmt.Fprintln(r.out, row(name, cells))
	return nil
}

// runOnce runs a file against one runtime, cleans up after it and keeps
// its points.
func (r *runner) runOnce(name string, rt Runtime) error {
	tmp := filepath.Join(r.work, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	start := time.Now()
	run, err := RunFile(r.o.suite, name, rt, tmp, r.o.timeout)
	if err != nil {
		return err
	}
	r.took[rt.Name] += time.Since(start)
	left, err := r.cleanup(rt, tmp)
	r.leftovers = r.leftovers.add(left)
	if err != nil {
		return fmt.Errorf("cleanup after %s (%s): %w", name, rt.Name, err)
	}
	r.res[name][rt.Name] = Parse(run)
	r.stderr[name+"/"+rt.Name] = run.Stderr
	if r.o.verbose {
		fmt.Fprintf(r.out, "--- %s (%s), exit %d\n%s%s", name, rt.Name, run.Exit, run.Stdout, run.Stderr)
	}
	return nil
}

// problems are how one column of one file differs from the expected file
// (runc's column, when there is one, is part of the check).
func (r *runner) problems(file, column string) []Problem {
	var out []Problem
	for _, p := range Check(r.exp, Results{file: r.res[file]}) {
		if p.Column == column {
			out = append(out, p)
		}
	}
	return out
}

// row lays out one line of the table.
func row(first string, cells []string) string {
	b := &strings.Builder{}
	fmt.Fprintf(b, "%-32s", first)
	for _, c := range cells {
		fmt.Fprintf(b, " %-16s", c)
	}
	return strings.TrimRight(b.String(), " ")
}

// totals prints the table's last rows and what the cleanup removed.
func (r *runner) totals() {
	var totals, times []string
	for _, rt := range r.rts {
		var c Counts
		for _, cols := range r.res {
			c = c.Add(Count(cols[rt.Name]))
		}
		totals = append(totals, c.String())
		times = append(times, r.took[rt.Name].Round(time.Second).String())
	}
	fmt.Fprintln(r.out, row("total", totals))
	fmt.Fprintln(r.out, row("time", times))
	fmt.Fprintf(r.out, "cleanup after the files removed %s\n", r.leftovers)
}

// verdict prints what differs from the expected file exp (with the end of
// the file's stderr) and the closing line, "oci-ENV: N passed, N failed",
// counting files × goC columns that match it.
func (r *runner) verdict(exp Expected) error {
	for _, p := range r.retried {
		fmt.Fprintf(r.out, "RETRIED: %s — matched on a second run\n", p)
	}
	problems := Check(exp, r.res)
	bad := map[string]bool{}
	for _, p := range problems {
		fmt.Fprintf(r.out, "DIFFERS: %s\n%s", p, indent(tail(r.stderr[p.File+"/"+p.Column], 6)))
		bad[p.File+"/"+p.Column] = true
	}
	pairs := 0
	for _, cols := range r.res {
		for col := range cols {
			if IsGoC(col) {
				pairs++
			}
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(r.out, "oci: %d differences from %s; if they are meant, refresh it (%s) and write the new causes\n",
			len(problems), r.o.expected, RefreshCommand(r.o.env))
	}
	fmt.Fprintf(r.out, "oci-%s: %d passed, %d failed\n", r.o.env, pairs-len(bad), len(bad))
	if len(problems) > 0 {
		return errMismatch
	}
	return nil
}

// tail is the last n non-empty lines of s.
func tail(s string, n int) []string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

func indent(lines []string) string {
	b := &strings.Builder{}
	for _, l := range lines {
		fmt.Fprintf(b, "    | %s\n", l)
	}
	return b.String()
}
