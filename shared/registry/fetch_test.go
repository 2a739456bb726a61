package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"goc.dev/shared/reference"
)

// serve starts an in-memory registry on loopback and pushes img as
// REPO:TAG (an index if img is one); it returns the registry's host:port.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

func image(t *testing.T, arch string, cmd ...string) v1.Image {
	t.Helper()
	img, err := random.Image(100, 2)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Config.Cmd, cf.Config.Env, cf.Config.WorkingDir = cmd, []string{"A=1"}, "/srv"
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func mustParse(t *testing.T, s string) reference.Reference {
	t.Helper()
	r, err := reference.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFetchImage(t *testing.T) {
	host := serve(t, ggcr.New())
	img := image(t, "amd64", "echo", "hi")
	if err := remote.Write(mustName(t, host+"/busy:1"), img); err != nil {
		t.Fatal(err)
	}
	got, err := Fetch(context.Background(), mustParse(t, host+"/busy:1"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	if got.Digest != want.String() || len(got.Layers) != 2 || got.Config.WorkingDir != "/srv" ||
		strings.Join(got.Config.Cmd, " ") != "echo hi" || got.Layers[0].Size == 0 {
		t.Errorf("Fetch = %+v, want digest %s, 2 layers, the config", got, want)
	}
	rc, err := got.Layers[1].Open()
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if _, err := Fetch(context.Background(), mustParse(t, host+"/busy:nope"), Options{}); err == nil ||
		!strings.Contains(err.Error(), "MANIFEST_UNKNOWN") || !NotFound(err) {
		t.Errorf("unknown tag: %v, want MANIFEST_UNKNOWN", err)
	}
}

func TestFetchIndexPicksPlatform(t *testing.T) {
	host := serve(t, ggcr.New())
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: image(t, "arm64", "arm"), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
		mutate.IndexAddendum{Add: image(t, "amd64", "amd"), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	if err := remote.WriteIndex(mustName(t, host+"/multi:1"), idx); err != nil {
		t.Fatal(err)
	}
	want, _ := idx.Digest()
	for plat, cmd := range map[string]string{"": "amd", "linux/arm64": "arm"} {
		got, err := Fetch(context.Background(), mustParse(t, host+"/multi:1"), Options{Platform: plat})
		if err != nil {
			t.Fatal(err)
		}
		if got.Digest != want.String() || strings.Join(got.Config.Cmd, " ") != cmd {
			t.Errorf("platform %q: digest %s cmd %v, want the index's %s and %s", plat, got.Digest, got.Config.Cmd, want, cmd)
		}
	}
	if _, err := Fetch(context.Background(), mustParse(t, host+"/multi:1"), Options{Platform: "linux/s390x"}); err == nil {
		t.Error("a platform the index lacks: no error")
	}
}

func TestFetchRefusesHugeManifest(t *testing.T) {
	host := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/manifests/") {
			w.WriteHeader(http.StatusOK) // the /v2/ ping
			return
		}
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		w.Write([]byte(`{"schemaVersion":2,"x":"`))
		w.Write([]byte(strings.Repeat("a", MaxManifest))) // chunked: no Content-Length
		w.Write([]byte(`"}`))
	}))
	_, err := Fetch(context.Background(), mustParse(t, host+"/big:1"), Options{})
	if err == nil || !strings.Contains(err.Error(), "larger than 4 MiB") {
		t.Errorf("Fetch of a 4 MiB manifest: %v, want it refused", err)
	}
}

func TestPlainHTTP(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:5000": true, "127.1.2.3": true, "[::1]:5000": true, "localhost:5000": true, "localhost": true,
		"10.0.0.1:5000": false, "192.168.1.1": false, "foo.localhost:5000": false, "docker.io": false,
		"reg.example:5000": true, "other.example": true,
	} {
		if got := plainHTTP(host, []string{"reg.example:5000", "other.example"}); got != want {
			t.Errorf("plainHTTP(%s) = %v, want %v", host, got, want)
		}
	}
}

type recorder struct{ urls []string }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.urls = append(r.urls, req.URL.String())
	return nil, http.ErrHandlerTimeout
}

// go-containerregistry would speak plain HTTP to a private address; goC
// does so only for loopback and --insecure-registry, as Docker.
func TestPrivateAddressGetsHTTPS(t *testing.T) {
	rec := &recorder{}
	Fetch(context.Background(), mustParse(t, "10.1.2.3:5000/busy:1"), Options{Transport: rec})
	for _, u := range rec.urls {
		if !strings.HasPrefix(u, "https://") {
			t.Errorf("request %s: want https", u)
		}
	}
	if len(rec.urls) == 0 {
		t.Error("no request made")
	}
}

// mustName is s as the registry client names it.
func mustName(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := Name(mustParse(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}
