package daemon

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
)

// shimArgs turns a create request into the goC command line, and refuses
// a request that cannot make one.
func TestShimArgs(t *testing.T) {
	const cid = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	d := &Daemon{Runtime: "/usr/bin/goC", DataRoot: "/var/lib/goC", StateRoot: "/run/goC"}
	head := []string{"--root", "/run/goC", "--data-root", "/var/lib/goC",
		"shim", "--dir", "/var/lib/goC/daemon/containers/" + cid, "--",
		"run", "--id", cid, "--hostname", "0123456789ab"}
	with := func(args ...string) []string { return append(append([]string{}, head...), args...) }
	cases := []struct {
		name string
		req  api.ContainerCreate
		want []string
		bad  string // the error message wanted instead
	}{
		{name: "image and command",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}},
			want: with("img", "true")},
		{name: "command with arguments that look like flags",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"sh", "-c", "echo --memory 1g; exit 3"}},
			want: with("img", "sh", "-c", "echo --memory 1g; exit 3")},
		{name: "a name is goCd's, not goC's",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Name: "web-1.a_b+c"},
			want: with("img", "true")},
		{name: "environment, in order",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"env"}, Env: []string{"A=1", "B=two words", "A=3"}},
			want: with("-e", "A=1", "-e", "B=two words", "-e", "A=3", "img", "env")},
		{name: "workdir",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"pwd"}, Workdir: "/srv/app"},
			want: with("-w", "/srv/app", "img", "pwd")},
		{name: "memory",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Memory: "100m"},
			want: with("--memory", "100m", "img", "true")},
		{name: "cpu",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, CPU: "0.5"},
			want: with("--cpu", "0.5", "img", "true")},
		{name: "pids",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Pids: 64},
			want: with("--pids", "64", "img", "true")},
		{name: "no pids limit",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Pids: 0},
			want: with("img", "true")},
		{name: "all the limits, in the order goC documents them",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Pids: 10, CPU: "1.5", Memory: "1g"},
			want: with("--memory", "1g", "--cpu", "1.5", "--pids", "10", "img", "true")},
		{name: "bridge network",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Network: "bridge"},
			want: with("--network=bridge", "img", "true")},
		{name: "no network",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Network: "none"},
			want: with("--network=none", "img", "true")},
		{name: "ports",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Network: "bridge", Ports: []string{"8080:80", "5353:53/udp"}},
			want: with("--network=bridge", "-p", "8080:80", "-p", "5353:53/udp", "img", "true")},
		{name: "autoRemove and attach are goCd's, not goC's",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, AutoRemove: true, Attach: true},
			want: with("img", "true")},
		{name: "everything",
			req: api.ContainerCreate{Image: "img", Cmd: []string{"sh", "-c", "x"}, Env: []string{"A=1"}, Name: "all",
				Workdir: "/w", Memory: "6m", CPU: "2", Pids: 5, Network: "bridge", Ports: []string{"1:2"}, AutoRemove: true},
			want: with("-e", "A=1", "-w", "/w", "--memory", "6m", "--cpu", "2", "--pids", "5", "--network=bridge",
				"-p", "1:2", "img", "sh", "-c", "x")},
		{name: "no image", req: api.ContainerCreate{Cmd: []string{"true"}}, bad: "image is required"},
		{name: "no command", req: api.ContainerCreate{Image: "img"}, bad: "cmd is required"},
		{name: "empty command", req: api.ContainerCreate{Image: "img", Cmd: []string{}}, bad: "cmd is required"},
		{name: "name with a slash", req: api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Name: "../x"}, bad: `invalid name "../x"`},
		{name: "name with a space", req: api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Name: "a b"}, bad: `invalid name "a b"`},
		{name: "name ..", req: api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Name: ".."}, bad: `invalid name ".."`},
		{name: "name too long", req: api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Name: strings.Repeat("n", 1025)}, bad: "invalid name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.shimArgs(tc.req, cid)
			if tc.bad != "" {
				var he *echo.HTTPError
				if !errors.As(err, &he) || he.Code != http.StatusBadRequest || !strings.Contains(he.Message.(string), tc.bad) {
					t.Fatalf("shimArgs = %q, %v; want a 400 with %q", got, err, tc.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("shimArgs (-want +got):\n%s", diff)
			}
		})
	}
}
