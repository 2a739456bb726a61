package main

import (
	"bytes"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"goc.dev/stage5/api"
	"goc.dev/stage5/client"
)

// fakePullGoCd answers creates with 404 "no such image" until a pull has
// been asked for, and logs the requests.
func fakePullGoCd(t *testing.T, log *[]string) *client.Client {
	sock := filepath.Join(t.TempDir(), "d.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	pulled := false
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*log = append(*log, r.Method+" "+r.URL.Path)
		switch {
		case r.URL.Path == "/v1/images/pull":
			pulled = true
			w.Write([]byte(`{"status":"Pull complete","id":"0123456789ab"}` + "\n" + `{"image":{"name":"x:1"}}` + "\n"))
		case !pulled:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"no such image: x:1"}`))
		default:
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"id":"c1"}`))
		}
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return client.New(sock)
}

func TestPullingCreate(t *testing.T) {
	for policy, want := range map[string]string{
		"missing": "POST /v1/containers,POST /v1/images/pull,POST /v1/containers",
		"always":  "POST /v1/images/pull,POST /v1/containers",
		"never":   "POST /v1/containers",
	} {
		var log []string
		var progress bytes.Buffer
		create, err := pullingCreate(fakePullGoCd(t, &log), policy, &progress, false)
		if err != nil {
			t.Fatal(err)
		}
		ct, err := create(api.ContainerCreate{Image: "x:1"})
		if got := strings.Join(log, ","); got != want {
			t.Errorf("--pull %s: requests %s, want %s", policy, got, want)
		}
		switch policy {
		case "never":
			if err == nil || err.Error() != "no such image: x:1" {
				t.Errorf("--pull never of an absent image: %v", err)
			}
		case "missing":
			if err != nil || ct.ID != "c1" || progress.String() != "Unable to find image 'x:1' locally\n0123456789ab: Pull complete\n" {
				t.Errorf("--pull missing: %+v, %v; progress %q", ct, err, progress.String())
			}
		}
	}
	if _, err := pullingCreate(nil, "sometimes", nil, false); err == nil || !strings.Contains(err.Error(), `invalid pull option: 'sometimes'`) {
		t.Errorf("--pull sometimes: %v", err)
	}
}
