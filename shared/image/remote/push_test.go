package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"goc.dev/shared/image"
	"goc.dev/shared/reference"
	"goc.dev/shared/registry"
)

// Push sends an imported image; pulled back into another store it has
// the same files, configuration and a digest.
func TestPushThenPull(t *testing.T) {
	tr := newRegistry(t)
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "etc"), 0o755)
	os.WriteFile(filepath.Join(src, "etc", "motd"), []byte("pushed\n"), 0o644)
	os.Symlink("motd", filepath.Join(src, "etc", "issue"))
	s := image.Store{Root: t.TempDir()}
	img, err := s.Import("app", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref := tr.host + "/test/app:v1"
	if _, err := Push(context.Background(), s, ref, registry.Options{}, nil); !strings.Contains(fmt.Sprint(err), "no such image") {
		t.Fatalf("push of a name no image has: %v", err)
	}
	img.Cmd, img.Env, img.Workdir = []string{"cat", "/etc/motd"}, []string{"A=1"}, "/etc"
	img.Entrypoint, img.User, img.StopSignal = []string{"/bin/env"}, "app:app", "SIGQUIT"
	if err := s.Write(img); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tag("app", ref); err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	pushed, err := Push(context.Background(), s, ref, registry.Options{}, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pushed.Digest, "sha256:") || !strings.Contains(progress.String(), "layer 1/1") {
		t.Errorf("Push = %+v, progress %q", pushed, progress.String())
	}
	if got, _ := s.Get(ref); got.Digest != pushed.Digest {
		t.Errorf("record's digest %q, pushed %q", got.Digest, pushed.Digest)
	}
	other := image.Store{Root: t.TempDir()}
	back, err := Pull(context.Background(), other, ref, registry.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if back.Digest != pushed.Digest || strings.Join(back.Cmd, " ") != "cat /etc/motd" || back.Workdir != "/etc" ||
		strings.Join(back.Env, " ") != "A=1" || strings.Join(back.Entrypoint, " ") != "/bin/env" || back.User != "app:app" ||
		back.StopSignal != "SIGQUIT" {
		t.Errorf("pulled back: %+v", back)
	}
	layer := other.LayerDir(back.Layers[0])
	if b, err := os.ReadFile(filepath.Join(layer, "etc", "motd")); string(b) != "pushed\n" {
		t.Errorf("pulled etc/motd: %q, %v", b, err)
	}
	if l, err := os.Readlink(filepath.Join(layer, "etc", "issue")); l != "motd" {
		t.Errorf("pulled etc/issue: %q, %v", l, err)
	}
	if _, err := Push(context.Background(), s, tr.host+"/test/app@"+pushed.Digest, registry.Options{}, nil); !errors.Is(err, reference.ErrBadReference) {
		t.Errorf("push by digest: %v", err)
	}
}
