package daemon

import (
	"testing"

	"goc.dev/stage5/api"
)

func TestFilters(t *testing.T) {
	ct := &api.Container{ID: "abcdef", Name: "web1", Status: api.StatusRunning,
		Labels: map[string]string{"tier": "front", "solo": ""}}
	for _, tc := range []struct {
		in   []string
		want bool
	}{
		{nil, true},
		{[]string{"status=exited"}, false},
		{[]string{"status=exited", "status=running"}, true}, // alternatives
		{[]string{"status=paused"}, false},
		{[]string{"name=^web"}, true},
		{[]string{"name=^eb"}, false},
		{[]string{"id=abc"}, true},
		{[]string{"label=tier"}, true},
		{[]string{"label=tier=back"}, false},
		{[]string{"label=solo", "label=tier=front"}, true},
		{[]string{"label=solo", "label=tier=back"}, false}, // labels: all of them
		{[]string{"status=running", "name=nope"}, false},   // keys: all of them
	} {
		f, err := parseFilters(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if got := f.match(ct); got != tc.want {
			t.Errorf("%q matched %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{"color=red", "status=sleepy", "name=(", "label=", "status"} {
		if _, err := parseFilters([]string{in}); err == nil {
			t.Errorf("%q was taken", in)
		}
	}
}
