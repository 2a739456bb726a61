package client

import (
	"net/http"
	"strings"
	"testing"

	"goc.dev/stage5/api"
)

func TestReadPullStream(t *testing.T) {
	stream := `{"status":"Pulling fs layer","id":"0123456789ab"}
{"status":"Downloading","id":"0123456789ab","progressDetail":{"current":5,"total":10}}
{"status":"Pull complete","id":"0123456789ab"}
{"status":"Status: Downloaded image for x:1","image":{"name":"x:1","layers":1}}
`
	var seen []api.PullMessage
	img, err := ReadPullStream(strings.NewReader(stream), func(m api.PullMessage) { seen = append(seen, m) })
	if err != nil || img.Name != "x:1" || len(seen) != 4 || seen[1].ProgressDetail.Current != 5 || seen[1].ProgressDetail.Total != 10 {
		t.Fatalf("ReadPullStream: %+v, %v; seen %+v", img, err, seen)
	}
	for in, want := range map[string]string{
		`{"status":"Pulling fs layer","id":"a"}` + "\n" + `{"error":"pull x: layer sha256:ab: refused"}`: "pull x: layer sha256:ab: refused",
		`{"status":"Pulling fs layer","id":"a"}` + "\n":                                                  "ended without the image",
		`{"status":`: "progress stream",
	} {
		if _, err := ReadPullStream(strings.NewReader(in), nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadPullStream(%q): %v, want %q", in, err, want)
		}
	}
}

func TestPullProgressQuery(t *testing.T) {
	var got string
	sock := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.String()
		w.Write([]byte(`{"status":"x","image":{"name":"busybox","layers":3}}` + "\n"))
	})
	img, err := New(sock).PullProgress("busybox", "", nil)
	if err != nil || img.Layers != 3 || got != "/v1/images/pull?progress=true&ref=busybox" {
		t.Errorf("PullProgress: %+v, %v; request %s", img, err, got)
	}
}
