package image

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"goc.dev/shared/reference"
	"goc.dev/shared/registry"
)

// tree describes every file below dir: type and mode, owner, content,
// link target, device number and the opaque mark.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("%v %d:%d rdev=%d", fi.Mode(), st.Uid, st.Gid, st.Rdev)
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			desc += " -> " + l
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			desc += fmt.Sprintf(" %x", sha256.Sum256(b))
		case fi.IsDir():
			v := make([]byte, 4)
			n, _ := unix.Lgetxattr(p, "trusted.overlay.opaque", v)
			desc += fmt.Sprintf(" opaque=%q", v[:max(n, 0)])
		}
		rel, _ := filepath.Rel(dir, p)
		files[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// A layer's tar, rebuilt from the unpacked layer by LayerTar, unpacks to
// the same files: whiteouts and opaque directories included.
func TestLayerTarRoundTrip(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	_, err := Unpack(bytes.NewReader(tarOf(t,
		entry{name: "etc/", typ: tar.TypeDir},
		entry{name: "etc/.wh.motd", typ: tar.TypeReg},
		entry{name: "etc/hostname", body: "box\n", typ: tar.TypeReg},
		entry{name: "opt/", typ: tar.TypeDir},
		entry{name: "opt/.wh..wh..opq", typ: tar.TypeReg},
		entry{name: "opt/new", body: "new\n", typ: tar.TypeReg},
		entry{name: "bin/sh", link: "/bin/busybox", typ: tar.TypeSymlink},
		entry{name: "run/fifo", typ: tar.TypeFifo},
	)), first)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(first, "etc/hostname"), 7, 8); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := LayerTar(&buf, first); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), ".wh.motd") || !strings.Contains(buf.String(), "opt/.wh..wh..opq") {
		t.Error("LayerTar wrote no whiteout entries")
	}
	if _, err := Unpack(&buf, second); err != nil {
		t.Fatal(err)
	}
	want, got := tree(t, first), tree(t, second)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unpacked again (-first +second):\n%s", diff)
	}
	if !strings.Contains(want["etc/motd"], "rdev=0") || !strings.Contains(want["opt"], `opaque="y"`) {
		t.Errorf("the first unpack has no whiteouts to compare: %v", want)
	}
}

// Push sends an imported image; pulled back into another store it has
// the same files, configuration and a digest.
func TestPushThenPull(t *testing.T) {
	tr := newRegistry(t)
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "etc"), 0o755)
	os.WriteFile(filepath.Join(src, "etc", "motd"), []byte("pushed\n"), 0o644)
	os.Symlink("motd", filepath.Join(src, "etc", "issue"))
	s := Store{Root: t.TempDir()}
	img, err := s.Import("app", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref := tr.host + "/test/app:v1"
	if _, err := s.Push(context.Background(), ref, registry.Options{}, nil); !strings.Contains(fmt.Sprint(err), "no such image") {
		t.Fatalf("push of a name no image has: %v", err)
	}
	img.Cmd, img.Env, img.Workdir = []string{"cat", "/etc/motd"}, []string{"A=1"}, "/etc"
	img.Entrypoint, img.User, img.StopSignal = []string{"/bin/env"}, "app:app", "SIGQUIT"
	if err := s.write(img); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tag("app", ref); err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	pushed, err := s.Push(context.Background(), ref, registry.Options{}, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pushed.Digest, "sha256:") || !strings.Contains(progress.String(), "layer 1/1") {
		t.Errorf("Push = %+v, progress %q", pushed, progress.String())
	}
	if got, _ := s.Get(ref); got.Digest != pushed.Digest {
		t.Errorf("record's digest %q, pushed %q", got.Digest, pushed.Digest)
	}
	other := Store{Root: t.TempDir()}
	back, err := other.Pull(context.Background(), ref, registry.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if back.Digest != pushed.Digest || strings.Join(back.Cmd, " ") != "cat /etc/motd" || back.Workdir != "/etc" ||
		strings.Join(back.Env, " ") != "A=1" || strings.Join(back.Entrypoint, " ") != "/bin/env" || back.User != "app:app" ||
		back.StopSignal != "SIGQUIT" {
		t.Errorf("pulled back: %+v", back)
	}
	if diff := cmp.Diff(tree(t, s.LayerDir(img.Layers[0])), tree(t, other.LayerDir(back.Layers[0]))); diff != "" {
		t.Errorf("pulled layer differs (-pushed +pulled):\n%s", diff)
	}
	if _, err := s.Push(context.Background(), tr.host+"/test/app@"+pushed.Digest, registry.Options{}, nil); !errors.Is(err, reference.ErrBadReference) {
		t.Errorf("push by digest: %v", err)
	}
}
