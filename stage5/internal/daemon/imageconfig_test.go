package daemon

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
)

// configImage stores an image "cfg", fake's "img" with a config, whose
// layer has an /etc/passwd and /etc/group.
func configImage(t *testing.T, d *Daemon) {
	t.Helper()
	img, err := d.store().Get("img")
	if err != nil {
		t.Fatal(err)
	}
	img.Name, img.Entrypoint, img.Cmd, img.Workdir = "cfg", []string{"/bin/ep"}, []string{"default"}, "/srv"
	img.User, img.StopSignal = "app", "QUIT"
	etc := filepath.Join(d.store().LayerDir(img.Layers[0]), "etc")
	os.MkdirAll(etc, 0o755)
	os.WriteFile(filepath.Join(etc, "passwd"), []byte("root:x:0:0::/:/bin/sh\napp:x:1000:1001::/:/bin/sh\n"), 0o644)
	os.WriteFile(filepath.Join(etc, "group"), []byte("root:x:0:\nstaff:x:50:\n"), 0o644)
	b, _ := json.Marshal(img)
	if err := os.WriteFile(filepath.Join(d.DataRoot, "images", "cfg.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// withImage fills in what the request leaves to the image, as Docker's.
func TestWithImage(t *testing.T) {
	d, _ := fake(t)
	configImage(t, d)
	type want struct {
		Entrypoint, Cmd           []string
		Workdir, User, StopSignal string
	}
	cases := []struct {
		name string
		req  api.ContainerCreate
		want want
		err  string
	}{
		{name: "all from the image", req: api.ContainerCreate{Image: "cfg"},
			want: want{[]string{"/bin/ep"}, []string{"default"}, "/srv", "1000:1001", "SIGQUIT"}},
		{name: "a command replaces the Cmd", req: api.ContainerCreate{Image: "cfg", Cmd: []string{"a", "b"}},
			want: want{[]string{"/bin/ep"}, []string{"a", "b"}, "/srv", "1000:1001", "SIGQUIT"}},
		{name: "--entrypoint drops the Cmd",
			req:  api.ContainerCreate{Image: "cfg", Options: api.Options{Entrypoint: []string{"/bin/x"}}},
			want: want{[]string{"/bin/x"}, nil, "/srv", "1000:1001", "SIGQUIT"}},
		{name: `--entrypoint "" clears it`,
			req:  api.ContainerCreate{Image: "cfg", Cmd: []string{"id"}, Options: api.Options{Entrypoint: []string{""}}},
			want: want{nil, []string{"id"}, "/srv", "1000:1001", "SIGQUIT"}},
		{name: "the request's own", req: api.ContainerCreate{Image: "cfg", Workdir: "/", StopSignal: "9",
			Security: api.Security{User: "root:staff"}},
			want: want{[]string{"/bin/ep"}, []string{"default"}, "/", "0:50", "SIGKILL"}},
		{name: "an image without a config", req: api.ContainerCreate{Image: "img", Cmd: []string{"true"}},
			want: want{nil, []string{"true"}, "", "", ""}},
		{name: "an unknown user", req: api.ContainerCreate{Image: "cfg", Security: api.Security{User: "ghost"}},
			err: `user "ghost": no such user in the image's /etc/passwd`},
		{name: "a bad stop signal", req: api.ContainerCreate{Image: "cfg", StopSignal: "NOPE"},
			err: `invalid stop signal "NOPE"`},
		{name: "an unknown image", req: api.ContainerCreate{Image: "nope"}, err: "no such image: nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.withImage(tc.req)
			if tc.err != "" {
				var he *echo.HTTPError
				if !errors.As(err, &he) || !strings.Contains(he.Message.(string), tc.err) {
					t.Fatalf("withImage = %v, want an HTTP error %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			w := want{got.Entrypoint, got.Cmd, got.Workdir, got.User, got.StopSignal}
			if diff := cmp.Diff(tc.want, w); diff != "" {
				t.Errorf("withImage (-want +got):\n%s", diff)
			}
		})
	}
}

// goC-cli stop sends the container's stop signal; inspect shows it. An
// image with no command is a 400.
func TestStopSignalWithFakeRuntime(t *testing.T) {
	d, e := fake(t)
	configImage(t, d)
	ct := created(t, e, api.ContainerCreate{Image: "cfg", Name: "trap", Workdir: "/", Security: api.Security{User: "0"},
		Options: api.Options{Entrypoint: []string{"sh"}},
		Cmd:     []string{"-c", `trap "exit 3" QUIT; echo ready; while :; do sleep 0.1; done`}})
	if ct.StopSignal != "SIGQUIT" {
		t.Errorf("created %+v: want its stop signal SIGQUIT", ct)
	}
	waitLog(t, e, "trap", "ready")
	if code, body := call(t, e, "POST", "/v1/containers/trap/stop?timeout=30", nil); code != 200 || !strings.Contains(body, `"exitCode":3`) {
		t.Fatalf("stop = %d %s, want exit code 3 (SIGQUIT trapped)", code, body)
	}
	if code, body := call(t, e, "POST", "/v1/containers", api.ContainerCreate{Image: "img"}); code != http.StatusBadRequest ||
		!strings.Contains(body, "cmd is required") {
		t.Fatalf("create with no command = %d %s", code, body)
	}
}

// waitLog waits until the container's log has a line (30 s at most).
func waitLog(t *testing.T, e *echo.Echo, name, line string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		code, body := call(t, e, "GET", "/v1/containers/"+name+"/logs", nil)
		if code == 200 && strings.Contains(body, line+"\n") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("logs = %d %q, want %q", code, body, line)
		}
	}
}
