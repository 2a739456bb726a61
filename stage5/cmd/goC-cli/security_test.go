package main

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"goc.dev/stage5/api"
)

// run's network (bridge by default, as Docker's) and confinement flags, Docker's names, become the request's Security;
// a seccomp FILE is read here and its content sent.
func TestSecurityFlags(t *testing.T) {
	files := map[string]string{"/p.json": `{"defaultAction": "SCMP_ACT_ERRNO"}`, "/bad.json": `{"defaultAction"`}
	readFile := func(name string) ([]byte, error) {
		if b, ok := files[name]; ok {
			return []byte(b), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	cases := []struct {
		args    string
		want    api.Security
		network string
		bad     string
	}{
		{args: "img", network: "bridge"},
		{args: "--network host img", network: "host"},
		{args: "--network=none img", network: "none"},
		{args: "--privileged img", want: api.Security{Privileged: true}, network: "bridge"},
		{args: "--cap-drop ALL --cap-add NET_BIND_SERVICE --cap-add cap_chown img",
			want: api.Security{CapDrop: []string{"ALL"}, CapAdd: []string{"NET_BIND_SERVICE", "cap_chown"}}, network: "bridge"},
		{args: "--security-opt seccomp=unconfined img", want: api.Security{Seccomp: "unconfined"}, network: "bridge"},
		{args: "--security-opt seccomp=/p.json img", want: api.Security{Seccomp: files["/p.json"]}, network: "bridge"},
		{args: "--security-opt no-new-privileges img", want: api.Security{NoNewPrivileges: true}, network: "bridge"},
		{args: "--security-opt no-new-privileges=true img", want: api.Security{NoNewPrivileges: true}, network: "bridge"},
		{args: "--security-opt no-new-privileges --security-opt no-new-privileges=false img", network: "bridge"},
		{args: "--security-opt no-new-privileges:true img", want: api.Security{NoNewPrivileges: true}, network: "bridge"},
		{args: "--security-opt seccomp:unconfined img", want: api.Security{Seccomp: "unconfined"}, network: "bridge"},
		{args: "--read-only img", want: api.Security{ReadOnly: true}, network: "bridge"},
		{args: "--user 1000:1000 img", want: api.Security{User: "1000:1000"}, network: "bridge"},
		{args: "-u 7 img", want: api.Security{User: "7"}, network: "bridge"},
		{args: "--cap-add", bad: "run: flag needs an argument: --cap-add (see goC-cli run --help)"},
		{args: "", bad: "run: need an image and a command (see goC-cli run --help)"},
		{args: "--security-opt seccomp=/nope.json img", bad: "--security-opt seccomp=/nope.json: open /nope.json: file does not exist"},
		{args: "--security-opt seccomp=/bad.json img", bad: "--security-opt seccomp=/bad.json: not a JSON profile: unexpected end of JSON input"},
		{args: "--security-opt seccomp= img", bad: `--security-opt "seccomp=": want seccomp=unconfined or seccomp=FILE`},
		{args: "--security-opt no-new-privileges=maybe img", bad: `--security-opt "no-new-privileges=maybe": want no-new-privileges[=true|false]`},
		{args: "--security-opt apparmor=unconfined img", bad: `--security-opt "apparmor=unconfined": goC knows seccomp=unconfined|FILE and no-new-privileges`},
	}
	for _, tc := range cases {
		t.Run(tc.args, func(t *testing.T) {
			req, err := runRequest(strings.Fields(tc.args), readFile)
			if tc.bad != "" {
				if err == nil || err.Error() != tc.bad {
					t.Fatalf("runRequest = %v, want %q", err, tc.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, req.Security); diff != "" || req.Network != tc.network {
				t.Fatalf("network %q, want %q; security (-want +got):\n%s", req.Network, tc.network, diff)
			}
			if req.Image != "img" {
				t.Fatalf("image %q", req.Image)
			}
		})
	}
}

// runRequest parses args as goC-cli run's and returns the request it
// would send, or the error it would print.
func runRequest(args []string, readFile func(string) ([]byte, error)) (api.ContainerCreate, error) {
	o := &runOptions{readFile: readFile}
	c := o.command(&globals{})
	(&cobra.Command{Use: "goC-cli"}).AddCommand(c)
	if err := c.ParseFlags(args); err != nil {
		return api.ContainerCreate{}, c.FlagErrorFunc()(c, err)
	}
	if err := c.ValidateArgs(c.Flags().Args()); err != nil {
		return api.ContainerCreate{}, err
	}
	return o.request(c.Flags().Args())
}

// TestRunFlags: run's flags in Docker's syntax (long and short names,
// --name=x, -e repeated with commas kept) make the request; what follows
// the image is the container's command, flags or not.
func TestRunFlags(t *testing.T) {
	o := &runOptions{readFile: nil}
	c := o.command(&globals{})
	args := strings.Fields("-d --rm --name=web -e A=1 --env B=2,3 -w /srv -m 16m --cpu 0.5 --pids 9 -p 8080:80 --publish 53:53/udp img sh -c x --privileged -d --rm")
	if err := c.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	got, err := o.request(c.Flags().Args())
	if err != nil {
		t.Fatal(err)
	}
	want := api.ContainerCreate{Image: "img", Cmd: []string{"sh", "-c", "x", "--privileged", "-d", "--rm"},
		Env: []string{"A=1", "B=2,3"}, Name: "web", Workdir: "/srv", Memory: "16m", CPU: "0.5", Pids: 9,
		Network: "bridge", Ports: []string{"8080:80", "53:53/udp"}, AutoRemove: true}
	if diff := cmp.Diff(want, got); diff != "" || !o.detach {
		t.Fatalf("detach %v; request (-want +got):\n%s", o.detach, diff)
	}
}
