package daemon

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"goc.dev/stage5/api"
)

// POST /v1/images/pull: goC's own Pull, in goCd; its errors as statuses.
func TestPullImage(t *testing.T) {
	host := testRegistry(t, 64)
	_, e := fake(t)
	code, body := call(t, e, "POST", "/v1/images/pull?ref="+url.QueryEscape(host+"/rand:1"), nil)
	var got api.Image
	if code != http.StatusCreated || json.Unmarshal([]byte(body), &got) != nil || got.Name != host+"/rand:1" || got.Layers != 2 {
		t.Fatalf("pull: %d %s", code, body)
	}
	if code, body := call(t, e, "GET", "/v1/images", nil); code != http.StatusOK || !strings.Contains(body, host+"/rand:1") {
		t.Errorf("images after pull: %d %s", code, body)
	}
	if code, body := call(t, e, "DELETE", "/v1/images/"+url.PathEscape(host+"/rand:1"), nil); code != http.StatusNoContent {
		t.Errorf("rmi of a pulled image: %d %s", code, body)
	}
	for ref, want := range map[string]int{
		host + "/rand:nope": http.StatusNotFound,
		"Bad:Ref":           http.StatusBadRequest,
		"":                  http.StatusBadRequest,
		"127.0.0.1:1/x:1":   http.StatusBadGateway,
	} {
		if code, body := call(t, e, "POST", "/v1/images/pull?ref="+url.QueryEscape(ref), nil); code != want {
			t.Errorf("pull %q: %d %s, want %d", ref, code, body, want)
		}
	}
}

// testRegistry serves an in-memory registry on loopback holding rand:1, a
// random image of two layers of size bytes each, and returns its address.
func testRegistry(t *testing.T, size int64) string {
	t.Helper()
	s := httptest.NewServer(ggcr.New())
	t.Cleanup(s.Close)
	host := strings.TrimPrefix(s.URL, "http://")
	img, err := random.Image(size, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(host + "/rand:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	return host
}
