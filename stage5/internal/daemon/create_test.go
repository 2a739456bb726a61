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
	dir := "/var/lib/goC/daemon/containers/" + cid
	with := func(args ...string) []string { return append(append([]string{}, head...), args...) }
	bridge := func(args ...string) []string { return with(append([]string{"--network=bridge"}, args...)...) }
	sec := func(s api.Security) api.ContainerCreate {
		return api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Security: s}
	}
	cases := []struct {
		name string
		req  api.ContainerCreate
		want []string
		bad  string // the error message wanted instead
	}{
		{name: "image and command, on the bridge network by default",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}},
			want: bridge("img", "true")},
		{name: "command with arguments that look like flags",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"sh", "-c", "echo --memory 1g; exit 3"}},
			want: bridge("img", "sh", "-c", "echo --memory 1g; exit 3")},
		{name: "a name is goCd's, not goC's",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Name: "web-1.a_b+c"},
			want: bridge("img", "true")},
		{name: "environment, in order",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"env"}, Env: []string{"A=1", "B=two words", "A=3"}},
			want: with("-e", "A=1", "-e", "B=two words", "-e", "A=3", "--network=bridge", "img", "env")},
		{name: "workdir",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"pwd"}, Workdir: "/srv/app"},
			want: with("-w", "/srv/app", "--network=bridge", "img", "pwd")},
		{name: "memory",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Memory: "100m"},
			want: with("--memory", "100m", "--network=bridge", "img", "true")},
		{name: "cpu",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, CPU: "0.5"},
			want: with("--cpu", "0.5", "--network=bridge", "img", "true")},
		{name: "pids",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Pids: 64},
			want: with("--pids", "64", "--network=bridge", "img", "true")},
		{name: "no pids limit",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Pids: 0},
			want: bridge("img", "true")},
		{name: "all the limits, in the order goC documents them",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Pids: 10, CPU: "1.5", Memory: "1g"},
			want: with("--memory", "1g", "--cpu", "1.5", "--pids", "10", "--network=bridge", "img", "true")},
		{name: "bridge network",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Network: "bridge"},
			want: bridge("img", "true")},
		{name: "no network",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Network: "none"},
			want: with("--network=none", "img", "true")},
		{name: "the host's network: goC run's default",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Network: "host"},
			want: with("img", "true")},
		{name: "ports",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Network: "bridge", Ports: []string{"8080:80", "5353:53/udp"}},
			want: bridge("-p", "8080:80", "-p", "5353:53/udp", "img", "true")},
		{name: "ports on the default network",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Ports: []string{"8080:80"}},
			want: bridge("-p", "8080:80", "img", "true")},
		{name: "autoRemove and attach are goCd's, not goC's",
			req:  api.ContainerCreate{Image: "img", Cmd: []string{"true"}, AutoRemove: true, Attach: true},
			want: bridge("img", "true")},
		{name: "privileged",
			req:  sec(api.Security{Privileged: true}),
			want: bridge("--privileged", "img", "true")},
		{name: "capabilities: the drops first, names as given",
			req:  sec(api.Security{CapAdd: []string{"net_bind_service", "CAP_SYS_TIME"}, CapDrop: []string{"ALL"}}),
			want: bridge("--cap-drop", "ALL", "--cap-add", "net_bind_service", "--cap-add", "CAP_SYS_TIME", "img", "true")},
		{name: "cap-add all, any case",
			req:  sec(api.Security{CapAdd: []string{"all"}}),
			want: bridge("--cap-add", "all", "img", "true")},
		{name: "seccomp unconfined",
			req:  sec(api.Security{Seccomp: "unconfined"}),
			want: bridge("--security-opt", "seccomp=unconfined", "img", "true")},
		{name: "a seccomp profile: the file goCd writes in the record",
			req:  sec(api.Security{Seccomp: `{"defaultAction": "SCMP_ACT_ALLOW"}`}),
			want: bridge("--security-opt", "seccomp="+dir+"/seccomp.json", "img", "true")},
		{name: "no new privileges",
			req:  sec(api.Security{NoNewPrivileges: true}),
			want: bridge("--security-opt", "no-new-privileges", "img", "true")},
		{name: "read-only",
			req:  sec(api.Security{ReadOnly: true}),
			want: bridge("--read-only", "img", "true")},
		{name: "user",
			req:  sec(api.Security{User: "1000"}),
			want: bridge("--user", "1000", "img", "true")},
		{name: "user and group",
			req:  sec(api.Security{User: "1000:100"}),
			want: bridge("--user", "1000:100", "img", "true")},
		{name: "everything",
			req: api.ContainerCreate{Image: "img", Cmd: []string{"sh", "-c", "x"}, Env: []string{"A=1"}, Name: "all",
				Workdir: "/w", Memory: "6m", CPU: "2", Pids: 5, Network: "bridge", Ports: []string{"1:2"}, AutoRemove: true,
				Security: api.Security{Privileged: true, CapAdd: []string{"NET_ADMIN"}, CapDrop: []string{"MKNOD"},
					Seccomp: "unconfined", NoNewPrivileges: true, ReadOnly: true, User: "0:0"}},
			want: with("-e", "A=1", "-w", "/w", "--memory", "6m", "--cpu", "2", "--pids", "5", "--network=bridge",
				"-p", "1:2", "--privileged", "--cap-drop", "MKNOD", "--cap-add", "NET_ADMIN",
				"--security-opt", "seccomp=unconfined", "--security-opt", "no-new-privileges", "--read-only",
				"--user", "0:0", "img", "sh", "-c", "x")},
		{name: "no image", req: api.ContainerCreate{Cmd: []string{"true"}}, bad: "image is required"},
		{name: "no command", req: api.ContainerCreate{Image: "img"}, bad: "cmd is required"},
		{name: "empty command", req: api.ContainerCreate{Image: "img", Cmd: []string{}}, bad: "cmd is required"},
		{name: "name with a slash", req: api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Name: "../x"}, bad: `invalid name "../x"`},
		{name: "name with a space", req: api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Name: "a b"}, bad: `invalid name "a b"`},
		{name: "name ..", req: api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Name: ".."}, bad: `invalid name ".."`},
		{name: "name too long", req: api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Name: strings.Repeat("n", 1025)}, bad: "invalid name"},
		{name: "unknown network", req: api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Network: "overlay"},
			bad: `network "overlay": use bridge, host or none`},
		{name: "ports without the bridge", req: api.ContainerCreate{Image: "img", Cmd: []string{"true"}, Network: "host", Ports: []string{"80:80"}},
			bad: "ports need the bridge network"},
		{name: "a typo in cap-add", req: sec(api.Security{CapAdd: []string{"NET_BIND_SERVIC"}}),
			bad: `--cap-add: unknown capability "NET_BIND_SERVIC"`},
		{name: "an unknown cap-drop", req: sec(api.Security{CapDrop: []string{"CAP_EVERYTHING"}}),
			bad: `--cap-drop: unknown capability "CAP_EVERYTHING"`},
		{name: "an empty capability", req: sec(api.Security{CapAdd: []string{""}}),
			bad: `--cap-add: unknown capability ""`},
		{name: "a user name", req: sec(api.Security{User: "nobody"}),
			bad: `--user "nobody": want UID or UID:GID, numbers below 4294967295`},
		{name: "a group name", req: sec(api.Security{User: "1000:users"}),
			bad: `--user "1000:users": want UID or UID:GID, numbers below 4294967295`},
		{name: "a negative user", req: sec(api.Security{User: "-1"}),
			bad: `--user "-1": want UID or UID:GID, numbers below 4294967295`},
		{name: "user -1 as a number", req: sec(api.Security{User: "1000:4294967295"}),
			bad: `--user "1000:4294967295": want UID or UID:GID`},
		{name: "a user past 32 bits", req: sec(api.Security{User: "4294967296"}),
			bad: `--user "4294967296": want UID or UID:GID, numbers below 4294967295`},
		{name: "an empty group", req: sec(api.Security{User: "1000:"}),
			bad: `--user "1000:": want UID or UID:GID, numbers below 4294967295`},
		{name: "a seccomp profile that is not JSON", req: sec(api.Security{Seccomp: "{defaultAction"}),
			bad: "seccomp: not unconfined nor a JSON profile: invalid character"},
		{name: "a seccomp profile with an unknown action", req: sec(api.Security{Seccomp: `{"defaultAction": "SCMP_ACT_BOGUS"}`}),
			bad: `seccomp: linux.seccomp.defaultAction: unknown action "SCMP_ACT_BOGUS"`},
		{name: "a seccomp profile that is a JSON list", req: sec(api.Security{Seccomp: "[]"}),
			bad: "seccomp: not unconfined nor a JSON profile: json: cannot unmarshal array"},
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
