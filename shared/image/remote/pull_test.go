package remote

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"

	"goc.dev/shared/image"
	"goc.dev/shared/reference"
	"goc.dev/shared/registry"
)

// testRegistry is ggcr's in-memory registry on loopback; it counts blob
// GETs and flips a byte of the blob named tamper.
type testRegistry struct {
	host   string
	gets   atomic.Int32
	tamper string
}

func newRegistry(t *testing.T) *testRegistry {
	tr := &testRegistry{}
	h := ggcr.New()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/") {
			tr.gets.Add(1)
			if tr.tamper != "" && strings.HasSuffix(r.URL.Path, tr.tamper) {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				b := rec.Body.Bytes()
				b[len(b)/2] ^= 1
				w.WriteHeader(rec.Code)
				w.Write(b)
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	tr.host = strings.TrimPrefix(s.URL, "http://")
	return tr
}

func gzLayer(t *testing.T, entries ...entry) v1.Layer {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(tarOf(t, entries...))
	zw.Close()
	return static.NewLayer(buf.Bytes(), types.OCILayer)
}

// push writes a two-layer image as ref and returns it.
func (tr *testRegistry) push(t *testing.T, ref string) v1.Image {
	img, err := mutate.AppendLayers(empty.Image,
		gzLayer(t, entry{Name: "bin/", Type: tar.TypeDir}, entry{Name: "bin/hello", Body: "hi\n", Type: tar.TypeReg}),
		gzLayer(t, entry{Name: "etc/", Type: tar.TypeDir}, entry{Name: "etc/motd", Body: "top\n", Type: tar.TypeReg}))
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, v1.Config{Entrypoint: []string{"/bin/sh"}, Cmd: []string{"-c", "cat /etc/motd"},
		Env: []string{"A=1"}, WorkingDir: "/srv", User: "1000:1000", StopSignal: "SIGQUIT"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := reference.Parse(tr.host + "/" + ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(mustName(t, r), img); err != nil {
		t.Fatal(err)
	}
	return img
}

func TestPull(t *testing.T) {
	tr := newRegistry(t)
	pushed := tr.push(t, "busy:1")
	s := image.Store{Root: t.TempDir()}
	ref := tr.host + "/busy:1"
	img, err := Pull(context.Background(), s, ref, registry.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := pushed.Digest()
	if img.Name != ref || img.Digest != d.String() || len(img.Layers) != 2 || img.Workdir != "/srv" ||
		strings.Join(img.Entrypoint, " ") != "/bin/sh" || strings.Join(img.Cmd, " ") != "-c cat /etc/motd" ||
		strings.Join(img.Command(nil, nil), " ") != "/bin/sh -c cat /etc/motd" || strings.Join(img.Env, " ") != "A=1" ||
		img.User != "1000:1000" || img.StopSignal != "SIGQUIT" {
		t.Errorf("Pull = %+v", img)
	}
	got, err := s.Get(ref)
	if err != nil || got.Digest != img.Digest {
		t.Fatalf("Get(%s) = %+v, %v", ref, got, err)
	}
	if b, err := os.ReadFile(filepath.Join(s.LayerDir(img.Layers[1]), "etc", "motd")); err != nil || string(b) != "top\n" {
		t.Errorf("top layer's etc/motd: %q, %v", b, err)
	}
	if l, err := s.List(); err != nil || len(l) != 1 || l[0].Name != ref {
		t.Errorf("List = %v, %v; want %s", l, err, ref)
	}

	// Again: every layer is present, no blob is fetched.
	before := tr.gets.Load()
	var progress bytes.Buffer
	if _, err := Pull(context.Background(), s, ref, registry.Options{}, &progress); err != nil {
		t.Fatal(err)
	}
	if n := tr.gets.Load() - before; n != 1 || strings.Count(progress.String(), "already present") != 2 {
		t.Errorf("second pull: %d blob GETs (want 1, the config), progress %q", n, progress.String())
	}
	if err := s.Remove(ref, nil); err != nil {
		t.Fatal(err)
	}
	if l, _ := os.ReadDir(filepath.Join(s.Root, "layers", "sha256")); len(l) != 0 {
		t.Errorf("after rm, layers left: %v", l)
	}
	if l, _ := os.ReadDir(filepath.Join(s.Root, "images")); len(l) != 0 {
		t.Errorf("after rm, left in images/: %v", l)
	}
}

// A zstd-compressed layer (the OCI media type ...tar+zstd) unpacks as a gzip one.
func TestPullZstdLayer(t *testing.T) {
	tr := newRegistry(t)
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(tarOf(t, entry{Name: "etc/", Type: tar.TypeDir}, entry{Name: "etc/z", Body: "zstd\n", Type: tar.TypeReg}))
	zw.Close()
	img, err := mutate.AppendLayers(empty.Image, static.NewLayer(buf.Bytes(), types.OCILayerZStd))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := reference.Parse(tr.host + "/z:1")
	if err := remote.Write(mustName(t, r), img); err != nil {
		t.Fatal(err)
	}
	s := image.Store{Root: t.TempDir()}
	got, err := Pull(context.Background(), s, tr.host+"/z:1", registry.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(s.LayerDir(got.Layers[0]), "etc", "z")); err != nil || string(b) != "zstd\n" {
		t.Errorf("etc/z of a zstd layer: %q, %v", b, err)
	}
}

func TestPullRefusesTamperedBlob(t *testing.T) {
	tr := newRegistry(t)
	pushed := tr.push(t, "busy:1")
	layers, _ := pushed.Layers()
	d, _ := layers[0].Digest()
	tr.tamper = d.Hex
	s := image.Store{Root: t.TempDir()}
	_, err := Pull(context.Background(), s, tr.host+"/busy:1", registry.Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "layer "+d.String()) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("tampered layer: %v, want one line naming layer %s", err, d)
	}
	left, _ := filepath.Glob(filepath.Join(s.Root, "layers", "*", "*"))
	left2, _ := filepath.Glob(filepath.Join(s.Root, "layers", ".*"))
	if imgs, _ := s.List(); len(left)+len(left2)+len(imgs) != 0 {
		t.Errorf("after a refused pull: layers %v %v, images %v", left, left2, imgs)
	}
}

func TestPullErrors(t *testing.T) {
	tr := newRegistry(t)
	tr.push(t, "busy:1")
	s := image.Store{Root: t.TempDir()}
	for ref, want := range map[string]string{
		tr.host + "/busy:nope": "MANIFEST_UNKNOWN",
		"Bad:ref":              `invalid reference "Bad:ref"`,
		"127.0.0.1:1/busy:1":   "connection refused",
	} {
		_, err := Pull(context.Background(), s, ref, registry.Options{}, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("pull %s: %v, want %q", ref, err, want)
		}
	}
}

// mustName is r as the registry client names it.
func mustName(t *testing.T, r reference.Reference) name.Reference {
	t.Helper()
	n, err := registry.Name(r)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
