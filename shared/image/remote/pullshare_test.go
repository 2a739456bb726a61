package remote

import (
	"archive/tar"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"goc.dev/shared/image"
	"goc.dev/shared/reference"
	"goc.dev/shared/registry"
)

// gatedRegistry is ggcr's in-memory registry that counts each blob's
// GETs and holds a GET of a blob named in hold until release is closed.
type gatedRegistry struct {
	host    string
	mu      sync.Mutex
	gets    map[string]int
	hold    map[string]chan struct{} // digest hex → closed when its GET arrived
	release chan struct{}
	once    sync.Once
}

// free lets held GETs go on.
func (g *gatedRegistry) free() { g.once.Do(func() { close(g.release) }) }

func newGatedRegistry(t *testing.T) *gatedRegistry {
	g := &gatedRegistry{gets: map[string]int{}, hold: map[string]chan struct{}{}, release: make(chan struct{})}
	h := ggcr.New()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i := strings.LastIndex(r.URL.Path, "/blobs/sha256:"); r.Method == http.MethodGet && i >= 0 {
			hex := r.URL.Path[i+len("/blobs/sha256:"):]
			g.mu.Lock()
			g.gets[hex]++
			arrived, held := g.hold[hex]
			g.mu.Unlock()
			if held {
				close(arrived)
				<-g.release
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	t.Cleanup(g.free) // first: a failed test's held GETs end
	g.host = strings.TrimPrefix(s.URL, "http://")
	return g
}

// pushOne pushes a one-layer image whose layer holds file; it returns the
// layer's digest hex.
func (g *gatedRegistry) pushOne(t *testing.T, ref, file string) string {
	l := gzLayer(t, entry{Name: file, Body: ref, Type: tar.TypeReg})
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := reference.Parse(g.host + "/" + ref)
	if err := remote.Write(mustName(t, r), img); err != nil {
		t.Fatal(err)
	}
	d, _ := l.Digest()
	return d.Hex
}

// Two concurrent pulls of one image fetch each layer once: the second
// waits for the first's layer and takes it from the store.
func TestConcurrentPullsShareLayers(t *testing.T) {
	g := newGatedRegistry(t)
	g.pushOne(t, "one:1", "a")
	layer := g.pushOne(t, "one:1", "a") // the same content: the same digest
	g.hold[layer] = make(chan struct{})
	s := image.Store{Root: t.TempDir()}
	waiting := make(chan struct{}, 2)
	done := make(chan error, 2)
	for range 2 {
		go func() {
			ev := eventFunc(func(id, status string, _, _ int64) {
				if status == "Waiting" {
					waiting <- struct{}{}
				}
			})
			_, err := Pull(context.Background(), s, g.host+"/one:1", registry.Options{}, ev)
			done <- err
		}()
	}
	<-g.hold[layer] // one pull is fetching the layer…
	select {        // …and the other waits for it
	case <-waiting:
	case <-time.After(30 * time.Second): // a deadlock detector, not a timing assertion
		t.Fatal("the second pull did not wait for the layer the first was fetching")
	}
	g.free()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := g.gets[layer]; n != 1 {
		t.Errorf("layer fetched %d times by two concurrent pulls, want 1", n)
	}
}

// eventFunc is a Progress.
type eventFunc func(id, status string, current, total int64)

func (f eventFunc) Layer(id, status string, current, total int64) { f(id, status, current, total) }
func (eventFunc) Write(b []byte) (int, error)                     { return len(b), nil }

// Two concurrent pulls of different images download side by side: the
// first's layer GET is held until the second's has arrived.
func TestConcurrentPullsOfDifferentImages(t *testing.T) {
	g := newGatedRegistry(t)
	a := g.pushOne(t, "a:1", "a")
	b := g.pushOne(t, "b:1", "b")
	g.hold[a], g.hold[b] = make(chan struct{}), make(chan struct{})
	s := image.Store{Root: t.TempDir()}
	done := make(chan error, 2)
	for _, ref := range []string{"a:1", "b:1"} {
		go func() {
			_, err := Pull(context.Background(), s, g.host+"/"+ref, registry.Options{}, nil)
			done <- err
		}()
	}
	both := make(chan struct{})
	go func() { <-g.hold[a]; <-g.hold[b]; close(both) }()
	select {
	case <-both:
	case err := <-done:
		t.Fatalf("a pull ended (%v) before both downloads had started", err)
	case <-time.After(30 * time.Second): // a deadlock detector, not a timing assertion
		t.Fatal("the two pulls' downloads did not run at once: serialized")
	}
	g.free()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
