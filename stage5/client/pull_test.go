package client

import (
	"net/http"
	"testing"
)

func TestPullQuery(t *testing.T) {
	var got string
	sock := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Method + " " + r.URL.String()
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"name":"127.0.0.1:5000/busy:1","layers":2}`))
	})
	img, err := New(sock).Pull("127.0.0.1:5000/busy:1", "linux/arm64")
	if err != nil || img.Layers != 2 || got != "POST /v1/images/pull?platform=linux%2Farm64&ref=127.0.0.1%3A5000%2Fbusy%3A1" {
		t.Errorf("Pull: %+v, %v; request %s", img, err, got)
	}
	New(sock).Pull("busybox", "")
	if got != "POST /v1/images/pull?ref=busybox" {
		t.Errorf("Pull without a platform: request %s", got)
	}
}
