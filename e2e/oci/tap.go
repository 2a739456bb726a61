package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Outcome is what one point of a validation file came to.
type Outcome int

// The three outcomes a TAP point can have (TAP's "not ok # TODO" counts
// as a skip: a TODO failure is not a failure).
const (
	Pass Outcome = iota
	Fail
	Skip
)

// Point is one TAP line: "ok 3 - desc", "not ok 4 - desc",
// "ok 5 # SKIP reason" (whose reason is its description).
type Point struct {
	Outcome Outcome
	Desc    string
}

// Run is how one validation file ended, as the harness saw it.
type Run struct {
	Stdout   string
	Stderr   string
	Exit     int  // the file's exit status (-1 when it was killed)
	TimedOut bool // the per-file limit ran out
	// SilentOK: the file prints nothing when the runtime behaves (the
	// *_fail files that want create to be refused).
	SilentOK bool
}

// The descriptions of the points the harness adds when a file's own
// points do not tell the whole story. They are stable so that the
// expected file can name them.
const (
	DescNoFailure = "(no failure reported)"
	DescNoTAP     = "(no TAP output)"
	DescTimeout   = "(timed out)"
	DescPlan      = "(the plan and the points run differ)"
)

var (
	pointLine = regexp.MustCompile(`^(not )?ok\b\s*(\d+)?\s*(?:- ?)?(.*)$`)
	directive = regexp.MustCompile(`(?i)^(.*?)\s*#\s*(SKIP|TODO)\b\s*(.*)$`)
	planLine  = regexp.MustCompile(`^1\.\.(\d+)`)
)

// Parse reads a validation file's TAP and how it ended into points. The
// suite reports some things outside TAP's points, and Parse turns them into
// points too:
//   - a file that exits non-zero fails a point named after the exit status
//     and the first line of its stderr (util.Fatal's message);
//   - the lifecycle files (hooks, prestart, poststop…) print the plan 1..0
//     and report a failure only as a YAML block with an "error": such a
//     block fails a point named after the error's first line;
//   - a file with no TAP at all (a container whose runtimetest printed
//     nothing) fails "(no TAP output)";
//   - a file that ran no point and reported nothing passes
//     "(no failure reported)".
func Parse(r Run) []Point {
	var points []Point
	plan, sawTAP := -1, false
	var yamlErrors []string
	sc := bufio.NewScanner(strings.NewReader(r.Stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var block []string
	inYAML := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case inYAML:
			if strings.TrimSpace(line) == "..." {
				inYAML = false
				if e := yamlError(block); e != "" {
					yamlErrors = append(yamlErrors, e)
				}
				block = nil
				continue
			}
			block = append(block, line)
		case strings.TrimSpace(line) == "---" && strings.HasPrefix(line, " "):
			inYAML = true
		case strings.HasPrefix(line, "TAP version"):
			sawTAP = true
		case planLine.MatchString(line):
			sawTAP = true
			plan, _ = strconv.Atoi(planLine.FindStringSubmatch(line)[1])
		case pointLine.MatchString(line):
			sawTAP = true
			points = append(points, point(line))
		}
	}
	return finish(r, points, plan, sawTAP, yamlErrors)
}

// point reads one "ok"/"not ok" line.
func point(line string) Point {
	m := pointLine.FindStringSubmatch(line)
	p := Point{Outcome: Pass, Desc: strings.TrimSpace(m[3])}
	if m[1] != "" {
		p.Outcome = Fail
	}
	if d := directive.FindStringSubmatch(p.Desc); d != nil {
		p.Outcome, p.Desc = Skip, strings.TrimSpace(d[3])
		if p.Desc == "" {
			p.Desc = strings.TrimSpace(d[1])
		}
	}
	return p
}

// yamlError returns the first line of a YAML block's "error" (tap-go
// writes the block as JSON), or "".
func yamlError(block []string) string {
	var diag map[string]any
	if json.Unmarshal([]byte(strings.Join(block, "\n")), &diag) != nil {
		return ""
	}
	e, _ := diag["error"].(string)
	first, _, _ := strings.Cut(e, "\n")
	return strings.TrimSpace(first)
}

// finish adds the points that come from how the file ended.
func finish(r Run, points []Point, plan int, sawTAP bool, yamlErrors []string) []Point {
	if len(points) == 0 {
		for _, e := range yamlErrors {
			points = append(points, Point{Fail, e})
		}
	}
	if plan > 0 && plan != len(points) {
		points = append(points, Point{Fail, DescPlan})
	}
	switch {
	case r.TimedOut:
		points = append(points, Point{Fail, DescTimeout})
	case r.Exit != 0:
		points = append(points, Point{Fail, exitDesc(r)})
	case len(points) == 0 && !sawTAP && !r.SilentOK:
		points = append(points, Point{Fail, DescNoTAP})
	case len(points) == 0:
		points = append(points, Point{Pass, DescNoFailure})
	}
	return points
}

// exitDesc names a non-zero exit: "exit status 1: <first line of stderr>",
// with what changes from run to run (bundle paths, container IDs, times)
// replaced, so the expected file can match it.
func exitDesc(r Run) string {
	d := fmt.Sprintf("exit status %d", r.Exit)
	for _, line := range strings.Split(r.Stderr, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return d + ": " + Normalize(line)
		}
	}
	return d
}

var variable = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`time="[^"]*"`), `time="…"`},
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "<id>"},
	{regexp.MustCompile(`/\S*/(ocitest|oci-pid)\d+`), "<bundle>"},
}

// Normalize replaces the parts of a message that differ from run to run.
func Normalize(s string) string {
	for _, v := range variable {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// Counts are a file's (or a column's) points by outcome.
type Counts struct{ Pass, Fail, Skip int }

// Count adds up points by outcome.
func Count(points []Point) Counts {
	var c Counts
	for _, p := range points {
		switch p.Outcome {
		case Pass:
			c.Pass++
		case Fail:
			c.Fail++
		case Skip:
			c.Skip++
		}
	}
	return c
}

// Add sums two counts.
func (c Counts) Add(d Counts) Counts {
	return Counts{c.Pass + d.Pass, c.Fail + d.Fail, c.Skip + d.Skip}
}

func (c Counts) String() string { return fmt.Sprintf("%d/%d/%d", c.Pass, c.Fail, c.Skip) }
