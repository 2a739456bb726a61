// Command oci runs the OCI runtime-tools validation suite (the version
// go.mod pins) against goC and runc, one file at a time, and checks goC's
// results against an expected-results file (make test-oci; docs/e2e.md).
//
//	go run . [flags] -runtime goC5=../../bin/stage5/goC -runtime runc=/usr/sbin/runc
//
// Each column is a runtime; the ones named goC… are checked against
// -expected, runc is the reference. It prints a table of pass/fail/skip
// points per file and exits non-zero when goC's results differ from the
// expected file (or, with -update, rewrites the file instead).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// columns are the -runtime flags, in order: NAME=PATH.
type columns []string

func (c *columns) String() string { return strings.Join(*c, " ") }
func (c *columns) hasGoC() bool {
	for _, v := range *c {
		if IsGoC(v) {
			return true
		}
	}
	return false
}

func (c *columns) Set(v string) error {
	if name, path, ok := strings.Cut(v, "="); !ok || name == "" || path == "" {
		return fmt.Errorf("want NAME=PATH, got %q", v)
	}
	*c = append(*c, v)
	return nil
}

type options struct {
	suite, cache, expected, env, run string
	runtimes                         columns
	timeout                          time.Duration
	prepare, update, verbose         bool
}

func main() {
	var o options
	flag.StringVar(&o.suite, "suite", "", "a prepared suite directory to use as it is (default: build it under -cache)")
	flag.StringVar(&o.cache, "cache", "../../build/oci", "where the suite is built, one directory per version")
	flag.BoolVar(&o.prepare, "prepare", false, "only build the suite (under -cache) and print its directory (run in e2e/oci)")
	flag.Var(&o.runtimes, "runtime", "NAME=PATH of a runtime to run, a column (repeatable; goC… columns are checked)")
	flag.StringVar(&o.expected, "expected", "expected/host.txt", "the expected results of goC")
	flag.StringVar(&o.env, "env", "host", "the environment's name, for the closing line and the expected file's header")
	flag.BoolVar(&o.update, "update", false, "rewrite -expected from this run (causes are kept)")
	flag.StringVar(&o.run, "run", "", "only the files matching this regular expression")
	flag.DurationVar(&o.timeout, "timeout", 2*time.Minute, "the limit for one file against one runtime")
	flag.BoolVar(&o.verbose, "v", false, "print every file's output")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "oci:", err)
		os.Exit(1)
	}
}

var errMismatch = errors.New("goC's results differ from the expected file")

func run(o options) error {
	if o.prepare || o.suite == "" {
		dir, err := Prepare(context.Background(), ".", o.cache)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		if o.prepare {
			fmt.Println(dir)
			return nil
		}
		o.suite = dir
	}
	suite, err := filepath.Abs(o.suite) // the files run in it
	if err != nil {
		return err
	}
	o.suite = suite
	if !o.runtimes.hasGoC() {
		return errors.New("no goC… -runtime to check")
	}
	files, err := selectFiles(o.suite, o.run)
	if err != nil {
		return err
	}
	exp, others, err := loadExpected(o.expected, o.update)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "goc-oci-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// A container with a user namespace must reach its bundle under work.
	if err := os.Chmod(work, 0o755); err != nil {
		return err
	}
	rts, err := runtimes(o.runtimes, work)
	if err != nil {
		return err
	}
	r := newRunner(o, rts, exp, work)
	if err := r.runAll(files); err != nil {
		return err
	}
	r.totals()
	if o.update {
		exp = Update(exp, others, r.res)
		if err := writeExpected(o.expected, o.env, exp); err != nil {
			return err
		}
	}
	return r.verdict(exp)
}

func selectFiles(suite, pattern string) ([]string, error) {
	all, err := Files(suite)
	if err != nil || pattern == "" {
		return all, err
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("-run: %w", err)
	}
	var files []string
	for _, f := range all {
		if re.MatchString(f) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("-run %q matches no file", pattern)
	}
	return files, nil
}

// loadExpected reads the expected file (which -update may create) and the
// other environments' files beside it (where -update looks for causes).
func loadExpected(path string, update bool) (Expected, []Expected, error) {
	exp, err := readExpected(path)
	if errors.Is(err, os.ErrNotExist) && update {
		exp, err = Expected{Files: map[string][]Entry{}}, nil
	}
	if err != nil {
		return exp, nil, err
	}
	var others []Expected
	siblings, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.txt"))
	for _, s := range siblings {
		if filepath.Base(s) == filepath.Base(path) {
			continue
		}
		if o, err := readExpected(s); err == nil {
			others = append(others, o)
		}
	}
	return exp, others, nil
}

func readExpected(path string) (Expected, error) {
	f, err := os.Open(path)
	if err != nil {
		return Expected{}, err
	}
	defer f.Close()
	exp, err := ParseExpected(f)
	if err != nil {
		return exp, fmt.Errorf("%s: %w", path, err)
	}
	return exp, nil
}

func writeExpected(path, env string, exp Expected) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := exp.Write(f, env); err != nil {
		f.Close()
		return err
	}
	fmt.Printf("oci: wrote %s\n", path)
	return f.Close()
}

func runtimes(flags columns, work string) ([]Runtime, error) {
	var rts []Runtime
	for _, c := range flags {
		name, path, _ := strings.Cut(c, "=")
		rt, err := NewRuntime(name, path, work)
		if err != nil {
			return nil, err
		}
		rts = append(rts, rt)
	}
	return rts, nil
}
