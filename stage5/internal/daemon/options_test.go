package daemon

import (
	"testing"

	"goc.dev/stage5/api"
)

func TestCheckOptions(t *testing.T) {
	for _, tc := range []struct {
		o  api.Options
		ok bool
	}{
		{api.Options{}, true},
		{api.Options{Hostname: "web-1.example"}, true},
		{api.Options{Hostname: "bad host!"}, false},
		{api.Options{Hostname: "-x"}, false},
		{api.Options{Hostname: string(make([]byte, 65))}, false},
		{api.Options{Labels: map[string]string{"a": ""}}, true},
		{api.Options{Labels: map[string]string{"": "v"}}, false},
	} {
		if err := checkOptions(tc.o); (err == nil) != tc.ok {
			t.Errorf("checkOptions(%+v) = %v, want ok %v", tc.o, err, tc.ok)
		}
	}
}

func TestCommand(t *testing.T) {
	req := api.ContainerCreate{Cmd: []string{"a", "b"}, Options: api.Options{Entrypoint: []string{"/e"}}}
	if got := command(req); len(got) != 3 || got[0] != "/e" || got[2] != "b" {
		t.Fatalf("command = %q", got)
	}
}
