package spec

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/image"
)

// writeConfig writes s as dir/config.json.
func writeConfig(t *testing.T, dir string, s *specs.Spec) {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadBundle(t *testing.T) {
	dir := bundle(t)
	writeConfig(t, dir, Default())
	t.Chdir(filepath.Dir(dir))
	b, err := LoadBundle(filepath.Base(dir), "c1", image.Store{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	wantPlan, wantRuntime, err := Convert(Default(), dir, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Dir != dir || b.Image != "" || b.Layer != "" || b.Config.Process.Args[0] != "sh" {
		t.Errorf("bundle %q, image %q, layer %q, config %+v: want %q, no image", b.Dir, b.Image, b.Layer, b.Config, dir)
	}
	if d := cmp.Diff(wantPlan, b.Plan); d != "" {
		t.Errorf("plan mismatch (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantRuntime, b.Runtime); d != "" {
		t.Errorf("runtime mismatch (-want +got):\n%s", d)
	}
	if _, err := LoadBundle(filepath.Join(dir, "nope"), "c1", image.Store{}); err == nil {
		t.Error("a bundle without a config.json loaded")
	}
}

func TestLoadBundleImage(t *testing.T) {
	store := image.Store{Root: t.TempDir()}
	img, err := store.Import("img", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := Default()
	s.Annotations = map[string]string{image.Annotation: "img"}
	writeConfig(t, dir, s)
	b, err := LoadBundle(dir, "c2", store)
	if err != nil {
		t.Fatal(err)
	}
	layer, overlay := store.Layer(img, "c2")
	if b.Image != "img" || b.Layer != layer || b.Plan.Rootfs != filepath.Join(layer, "merged") || !cmp.Equal(b.Plan.Overlay, overlay) {
		t.Errorf("image %q, layer %q, rootfs %q, overlay %+v: want img, %q, its merged, %+v", b.Image, b.Layer, b.Plan.Rootfs, b.Plan.Overlay, layer, overlay)
	}

	// A config that does not convert leaves no layer behind.
	s.Process.Args = nil
	writeConfig(t, dir, s)
	if _, err := LoadBundle(dir, "c3", store); err == nil {
		t.Fatal("a process without args accepted")
	}
	layer, _ = store.Layer(img, "c3")
	if _, err := os.Stat(layer); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("layer %s after a failed load: %v", layer, err)
	}
}

func TestWriteDefault(t *testing.T) {
	dir := t.TempDir()
	if err := WriteDefault(dir); err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(Default(), s); d != "" {
		t.Errorf("config.json is not Default() (-want +got):\n%s", d)
	}
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil || !strings.HasPrefix(string(b), "{\n\t\"ociVersion\"") || !strings.HasSuffix(string(b), "}\n") {
		t.Errorf("config.json is not indented with tabs and ended by a newline: %.40q…, %v", b, err)
	}
	// An existing config.json is left as it was.
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "config.json") + " exists; remove it first"
	if err := WriteDefault(dir); err == nil || err.Error() != want {
		t.Errorf("over an existing config.json: error %v, want %q", err, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "config.json")); string(b) != "mine" {
		t.Errorf("config.json became %q", b)
	}
}
