package image

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/rootfs"
)

func TestLayer(t *testing.T) {
	store := Store{Root: t.TempDir()}
	img, err := store.Import("img", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir, ov := store.Layer(img, "c1")
	want := filepath.Join(store.Root, "containers", "c1")
	wantOverlay := &rootfs.Overlay{Lower: store.Lower(img), Upper: filepath.Join(want, "upper"), Work: filepath.Join(want, "work")}
	if dir != want || !cmp.Equal(ov, wantOverlay) {
		t.Errorf("layer %q, overlay %+v; want %q, %+v", dir, ov, want, wantOverlay)
	}
}

func TestBundleLayer(t *testing.T) {
	store := Store{Root: t.TempDir()}
	img, err := store.Import("img", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}

	s := &specs.Spec{Root: &specs.Root{Path: "rootfs"}}
	before := *s.Root
	layer, overlay, err := store.BundleLayer(s, "c3")
	if err != nil || layer != "" || overlay != nil || *s.Root != before {
		t.Errorf("without the annotation: layer %q, overlay %v, root %+v, %v", layer, overlay, s.Root, err)
	}

	s.Annotations = map[string]string{Annotation: "nosuchimage"}
	if _, _, err := store.BundleLayer(s, "c3"); err == nil || !strings.Contains(err.Error(), "config.json: annotation org.goc.image: ") {
		t.Errorf("an unknown image: error %v", err)
	}

	s.Annotations[Annotation] = "img"
	s.Root.Readonly = true
	layer, overlay, err = store.BundleLayer(s, "c3")
	if err != nil {
		t.Fatal(err)
	}
	wantLayer := filepath.Join(store.Root, "containers", "c3")
	wantOverlay := &rootfs.Overlay{Lower: store.Lower(img), Upper: filepath.Join(wantLayer, "upper"), Work: filepath.Join(wantLayer, "work")}
	if layer != wantLayer || !cmp.Equal(overlay, wantOverlay) {
		t.Errorf("layer %q, overlay %+v; want %q, %+v", layer, overlay, wantLayer, wantOverlay)
	}
	if s.Root.Path != filepath.Join(wantLayer, "merged") || !s.Root.Readonly {
		t.Errorf("root %+v: want the layer's merged directory, read-only as asked", s.Root)
	}
	if fi, err := os.Stat(s.Root.Path); err != nil || !fi.IsDir() {
		t.Errorf("merged directory: %v", err)
	}
}
