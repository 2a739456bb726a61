package cgroups

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// runc's events: one JSON object a line, {"type", "id", "data"}, the data
// of a "stats" event in runc's field names.
func TestEvents(t *testing.T) {
	u := Usage{CPUTotalNs: 5000, MemoryUsage: 4096, MemoryPeak: 8192, MemoryLimit: -1, PidsCurrent: 3, PidsLimit: 50}
	for _, tc := range []struct {
		event Event
		want  string
	}{
		{statsEvent("c1", u), `{"type":"stats","id":"c1","data":{"cpu":{"usage":{"total":5000}},` +
			`"memory":{"usage":{"usage":4096,"max":8192,"limit":-1}},"pids":{"current":3,"limit":50}}}`},
		{oomEvent("c1"), `{"type":"oom","id":"c1"}`},
	} {
		b, err := json.Marshal(tc.event)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("got  %s\nwant %s", b, tc.want)
		}
	}
}

// usages answers WriteEvents' reads in turn, then fails (the container
// stopped).
func usages(oomKills ...int64) func() (Usage, Stats, error) {
	n := 0
	return func() (Usage, Stats, error) {
		if n == len(oomKills) {
			return Usage{}, Stats{}, errors.New("no such container")
		}
		n++
		return Usage{PidsCurrent: int64(n)}, Stats{OOMKills: oomKills[n-1]}, nil
	}
}

func TestWriteEvents(t *testing.T) {
	// The type of each line, and the pids count of each stats event.
	lines := func(out string) []string {
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var e struct {
				Type, ID string
				Data     struct{ Pids struct{ Current int } }
			}
			if err := json.Unmarshal([]byte(l), &e); err != nil || e.ID != "c1" {
				t.Fatalf("line %q: %v", l, err)
			}
			if e.Type == "stats" {
				e.Type += string(rune('0' + e.Data.Pids.Current))
			}
			got = append(got, e.Type)
		}
		return got
	}
	for _, tc := range []struct {
		name     string
		once     bool
		oomKills []int64
		want     string
	}{
		{"once", true, []int64{1, 1}, "stats1"},
		{"until it stops", false, []int64{0, 0, 0}, "stats1 stats2 stats3"},
		// OOM kills before the first event are not news; each rise is.
		{"oom", false, []int64{2, 2, 3, 5, 5}, "stats1 stats2 oom stats3 oom stats4 stats5"},
	} {
		var out bytes.Buffer
		if err := WriteEvents(&out, "c1", tc.once, 1, usages(tc.oomKills...)); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := strings.Join(lines(out.String()), " "); got != tc.want {
			t.Errorf("%s: events %s, want %s", tc.name, got, tc.want)
		}
	}
	var out bytes.Buffer
	if err := WriteEvents(&out, "c1", false, 1, usages()); err == nil || out.Len() != 0 {
		t.Errorf("a container that is not there: error %v, output %q", err, out.String())
	}
}
