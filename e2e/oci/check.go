package main

import (
	"fmt"
	"sort"
	"strings"
)

// Results are the points of every file run, per runtime column.
type Results map[string]map[string][]Point

// Reference is the column goC is compared with; IsGoC tells the columns the
// expected file is about (goC4, goC5…).
const Reference = "runc"

// IsGoC tells whether a column runs goC.
func IsGoC(column string) bool { return strings.HasPrefix(column, "goC") }

// Problem is one way a run differs from the expected file.
type Problem struct {
	File, Column, Desc, Why string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s (%s): %q: %s", p.File, p.Column, p.Desc, p.Why)
}

// outcomes are the descriptions a column passed and failed in one file.
type outcomes struct{ pass, fail map[string]bool }

func outcomesOf(points []Point) outcomes {
	o := outcomes{map[string]bool{}, map[string]bool{}}
	for _, p := range points {
		switch p.Outcome {
		case Pass:
			o.pass[p.Desc] = true
		case Fail:
			o.fail[p.Desc] = true
		}
	}
	return o
}

// Check compares each goC column with the expected file: every point goC
// fails must be listed with a cause (not a TODO), a cause that blames the
// machine must not be contradicted by runc passing the point on the same
// machine, and a listed point that did not fail is stale.
func Check(exp Expected, res Results) []Problem {
	var problems []Problem
	for _, file := range sortedKeys(res) {
		columns := res[file]
		ref, haveRef := columns[Reference]
		refs := outcomesOf(ref)
		for _, col := range sortedKeys(columns) {
			if !IsGoC(col) {
				continue
			}
			got := outcomesOf(columns[col])
			add := func(desc, why string) { problems = append(problems, Problem{file, col, desc, why}) }
			for _, desc := range failedInOrder(columns[col]) {
				e, listed := exp.entry(file, desc)
				runcPasses := haveRef && refs.pass[desc] && !refs.fail[desc]
				switch {
				case !listed && runcPasses:
					add(desc, "not ok, and runc passes it: not in the expected file")
				case !listed:
					add(desc, "not ok: not in the expected file")
				case e.Kind() == "TODO":
					add(desc, "not ok, expected, but its cause is still TODO")
				case e.Kind() == "machine" && runcPasses:
					add(desc, "not ok: the expected file blames the machine, but runc passes it here")
				}
			}
			for _, e := range exp.Files[file] {
				if !e.Flaky && !got.fail[e.Desc] {
					add(e.Desc, "expected not ok, but it did not fail: a stale entry (OCI_UPDATE=1 drops it)")
				}
			}
		}
	}
	return problems
}

// Update returns the expected file this run would have passed: for each
// file run, the points a goC column failed, with the cause the old file
// gave them (or another environment's file, or a TODO); a point that only
// some goC columns failed becomes flaky, and flaky entries stay. Files not
// run keep their entries.
func Update(old Expected, others []Expected, res Results) Expected {
	upd := Expected{Files: map[string][]Entry{}}
	for f, entries := range old.Files {
		if _, ran := res[f]; !ran {
			upd.Files[f] = entries
		}
	}
	for file, columns := range res {
		var entries []Entry
		seen := map[string]bool{}
		goc := 0
		failures := map[string]int{}
		for _, col := range sortedKeys(columns) {
			if !IsGoC(col) {
				continue
			}
			goc++
			for _, desc := range failedInOrder(columns[col]) {
				failures[desc]++
				if !seen[desc] {
					seen[desc] = true
					entries = append(entries, causeFor(file, desc, old, others))
				}
			}
		}
		// A point one goC column failed and another passed in the same run
		// is flaky (they are one runtime).
		for i := range entries {
			if failures[entries[i].Desc] < goc {
				entries[i].Flaky = true
			}
		}
		for _, e := range old.Files[file] {
			if e.Flaky && !seen[e.Desc] {
				entries = append(entries, e)
			}
		}
		upd.Files[file] = entries
	}
	return upd
}

// causeFor keeps what is known about a failing point.
func causeFor(file, desc string, old Expected, others []Expected) Entry {
	if e, ok := old.entry(file, desc); ok {
		return e
	}
	for _, o := range others {
		if e, ok := o.entry(file, desc); ok {
			e.Flaky = false
			return e
		}
	}
	return Entry{Desc: desc, Cause: "TODO: explain"}
}

// failedInOrder lists the descriptions of the failed points, each once.
func failedInOrder(points []Point) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range points {
		if p.Outcome == Fail && !seen[p.Desc] {
			seen[p.Desc] = true
			out = append(out, p.Desc)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
