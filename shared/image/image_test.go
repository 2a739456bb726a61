package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"goc.dev/shared/image/layertest"
	"golang.org/x/sys/unix"
)

// entry and tarOf build the layers these tests unpack.
type entry = layertest.Entry

var tarOf = layertest.Tar

func TestUnpackHostile(t *testing.T) {
	cases := []struct {
		name    string
		entries []entry
		err     string
	}{
		{"dotdot", []entry{{Name: "../evil", Body: "x", Type: tar.TypeReg}}, `".." refused`},
		{"dotdot inside", []entry{{Name: "a/../../evil", Body: "x", Type: tar.TypeReg}}, `".." refused`},
		{"absolute", []entry{{Name: "/etc/evil", Body: "x", Type: tar.TypeReg}}, "absolute path refused"},
		{"through a symlink", []entry{{Name: "link", Link: "/", Type: tar.TypeSymlink}, {Name: "link/etc/evil", Body: "x", Type: tar.TypeReg}}, "through a symlink"},
		{"relative symlink out", []entry{{Name: "a/up", Link: "../../etc/passwd", Type: tar.TypeSymlink}}, "points out of the layer"},
		{"hard link out", []entry{{Name: "hl", Link: "../etc/passwd", Type: tar.TypeLink}}, `".." refused`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "layer")
			os.Mkdir(dir, 0o755)
			_, err := Unpack(bytes.NewReader(tarOf(t, tc.entries...)), dir)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Unpack error = %v, want it to mention %q", err, tc.err)
			}
			if _, err := os.Stat(filepath.Join(parent, "evil")); err == nil {
				t.Fatal("a file escaped the layer")
			}
		})
	}
}

func TestUnpackWhiteouts(t *testing.T) {
	dir := t.TempDir()
	_, err := Unpack(bytes.NewReader(tarOf(t,
		entry{Name: "etc/", Type: tar.TypeDir},
		entry{Name: "etc/.wh.motd", Type: tar.TypeReg},
		entry{Name: "opt/", Type: tar.TypeDir},
		entry{Name: "opt/.wh..wh..opq", Type: tar.TypeReg},
		entry{Name: "bin/sh", Link: "/bin/busybox", Type: tar.TypeSymlink},
		entry{Name: "ok/file", Body: "hello", Type: tar.TypeReg},
	)), dir)
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(dir, "etc/motd"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Fatalf("whiteout is not a 0:0 character device: %+v %v", st, err)
	}
	buf := make([]byte, 4)
	if n, err := unix.Getxattr(filepath.Join(dir, "opt"), "trusted.overlay.opaque", buf); err != nil || string(buf[:n]) != "y" {
		t.Fatalf("opaque xattr = %q, %v", buf[:n], err)
	}
	if l, _ := os.Readlink(filepath.Join(dir, "bin/sh")); l != "/bin/busybox" {
		t.Fatalf("absolute symlink = %q (it is resolved inside the container's root, so it is kept)", l)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "ok/file")); string(b) != "hello" {
		t.Fatalf("file = %q", b)
	}
}

// writeLayout writes an OCI image layout with the given layers (gzipped).
func writeLayout(t *testing.T, dir string, layers ...[]byte) {
	t.Helper()
	check := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	blobs := filepath.Join(dir, "blobs", "sha256")
	check(os.MkdirAll(blobs, 0o755))
	put := func(b []byte) string {
		sum := sha256.Sum256(b)
		d := hex.EncodeToString(sum[:])
		check(os.WriteFile(filepath.Join(blobs, d), b, 0o644))
		return "sha256:" + d
	}
	cfg := put([]byte(`{"config":{"Env":["PATH=/bin","FROM=image"],"Cmd":["sh"],"WorkingDir":"/srv","Entrypoint":["/bin/ep"],"User":"app:staff","StopSignal":"SIGQUIT"}}`))
	var ls []map[string]string
	for _, l := range layers {
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		_, err := w.Write(l)
		check(err)
		check(w.Close())
		ls = append(ls, map[string]string{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(gz.Bytes())})
	}
	m, _ := json.Marshal(map[string]any{"schemaVersion": 2, "config": map[string]string{"digest": cfg}, "layers": ls})
	idx, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []map[string]string{{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put(m)}}})
	check(os.WriteFile(filepath.Join(dir, "index.json"), idx, 0o644))
	check(os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644))
}

func TestImportOCIAndRemove(t *testing.T) {
	s := Store{Root: t.TempDir()}
	src := t.TempDir()
	base := tarOf(t, entry{Name: "etc/", Type: tar.TypeDir}, entry{Name: "etc/motd", Body: "base", Type: tar.TypeReg}, entry{Name: "etc/keep", Body: "k", Type: tar.TypeReg})
	top := tarOf(t, entry{Name: "etc/.wh.motd", Type: tar.TypeReg}, entry{Name: "etc/new", Body: "top", Type: tar.TypeReg})
	writeLayout(t, src, base, top)
	img, err := s.Import("app", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Layers) != 2 || img.Workdir != "/srv" || strings.Join(img.Cmd, " ") != "sh" || img.Env[1] != "FROM=image" ||
		strings.Join(img.Entrypoint, " ") != "/bin/ep" || img.User != "app:staff" || img.StopSignal != "SIGQUIT" {
		t.Fatalf("image = %+v", img)
	}
	if got, err := s.Get("app"); err != nil || strings.Join(got.Command(nil, nil), " ") != "/bin/ep sh" || got.User != "app:staff" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if !strings.HasSuffix(s.Lower(img), strings.ReplaceAll(img.Layers[0], ":", "/")) {
		t.Fatalf("lowerdir %q does not end with the base layer", s.Lower(img))
	}
	// The same layers again are not unpacked twice.
	img2, err := s.Import("app2", src, nil)
	if err != nil || img2.Layers[0] != img.Layers[0] {
		t.Fatalf("second import = %+v, %v", img2, err)
	}
	if _, err := s.Import("app", src, nil); err == nil {
		t.Fatal("imported over an existing name")
	}
	if err := s.Remove("app", func(string) bool { return true }); err == nil {
		t.Fatal("removed an image in use")
	}
	if err := s.Remove("app", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.LayerDir(img.Layers[0])); err != nil {
		t.Fatal("a layer app2 still needs was removed")
	}
	if err := s.Remove("app2", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.LayerDir(img.Layers[0])); err == nil {
		t.Fatal("an unused layer was kept")
	}
}

func TestImportDirAndTar(t *testing.T) {
	s := Store{Root: t.TempDir()}
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "bin"), 0o755)
	os.WriteFile(filepath.Join(src, "bin", "tool"), []byte("#!/bin/sh\n"), 0o755)
	os.Symlink("/bin/tool", filepath.Join(src, "bin", "alias"))
	img, err := s.Import("fromdir", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := s.LayerDir(img.Layers[0])
	if fi, err := os.Stat(filepath.Join(l, "bin", "tool")); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("tool in layer: %v %v", fi, err)
	}
	if lk, _ := os.Readlink(filepath.Join(l, "bin", "alias")); lk != "/bin/tool" {
		t.Fatalf("alias = %q", lk)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(tarOf(t, entry{Name: "hello", Body: "hi", Type: tar.TypeReg}))
	w.Close()
	p := filepath.Join(t.TempDir(), "r.tar.gz")
	os.WriteFile(p, gz.Bytes(), 0o644)
	img, err = s.Import("fromtgz", p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(s.LayerDir(img.Layers[0]), "hello")); string(b) != "hi" {
		t.Fatalf("hello = %q", b)
	}
	if _, err := s.Import("../x", p, nil); err == nil {
		t.Fatal("hostile image name accepted")
	}
}

// A damaged image (issue 17: its JSON garbled or truncated, a layer gone)
// is listed, named, refused by Get with its name, and removable; the
// other images are untouched.
func TestDamagedImages(t *testing.T) {
	s := Store{Root: t.TempDir()}
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "f"), []byte("x"), 0o644)
	for _, n := range []string{"good", "garbled", "empty"} {
		if _, err := s.Import(n, src, nil); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(s.imagePath("garbled"), []byte(`{"name": "garb`), 0o600)
	os.WriteFile(s.imagePath("empty"), nil, 0o600)
	// nolayer: its own layer (other content than good's), gone.
	os.WriteFile(filepath.Join(src, "g"), []byte("y"), 0o644)
	img, err := s.Import("nolayer", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(s.LayerDir(img.Layers[0])); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"garbled", "empty", "nolayer"} {
		if _, err := s.Get(n); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), n) {
			t.Errorf("Get(%s) = %v, want ErrDamaged naming it", n, err)
		}
	}
	imgs, err := s.List()
	if err != nil || len(imgs) != 4 {
		t.Fatalf("List = %d images, %v; want 4", len(imgs), err)
	}
	for _, img := range imgs {
		if (img.Name == "good") != (img.Damaged == "") {
			t.Errorf("%s: damaged %q", img.Name, img.Damaged)
		}
	}
	for _, n := range []string{"garbled", "empty", "nolayer"} {
		if err := s.Remove(n, nil); err != nil {
			t.Errorf("Remove(%s): %v", n, err)
		}
	}
	good, err := s.Get("good")
	if err != nil || !exists(s.LayerDir(good.Layers[0])) {
		t.Fatalf("good after the others went: %v", err)
	}
	if imgs, _ := s.List(); len(imgs) != 1 {
		t.Fatalf("List = %d images, want 1", len(imgs))
	}
}

// goC run's refusal names a damaged image as such, else says it is none.
func TestRefusal(t *testing.T) {
	s := Store{Root: t.TempDir()}
	_, err := s.Get("nothere")
	if got := Refusal("nothere", err).Error(); got != "nothere is neither a rootfs directory nor an image (goC image ls)" {
		t.Errorf("Refusal of an unknown image = %q", got)
	}
	os.MkdirAll(filepath.Join(s.Root, "images"), 0o700)
	os.WriteFile(s.imagePath("bad"), []byte("{"), 0o600)
	_, err = s.Get("bad")
	if err := Refusal("bad", err); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "damaged image bad") {
		t.Errorf("Refusal of a damaged image = %v", err)
	}
}

// goC run busybox finds what goC image pull busybox stored.
func TestGetByShortReference(t *testing.T) {
	s := Store{Root: t.TempDir()}
	p := s.imagePath("docker.io/library/busybox:latest")
	os.MkdirAll(filepath.Dir(p), 0o700)
	b, _ := json.Marshal(Image{Name: "docker.io/library/busybox:latest"})
	os.WriteFile(p, b, 0o600)
	for _, n := range []string{"busybox", "busybox:latest", "docker.io/busybox"} {
		if img, err := s.Get(n); err != nil || img.Name != "docker.io/library/busybox:latest" {
			t.Errorf("Get(%s) = %v, %v", n, img, err)
		}
	}
	for _, n := range []string{"../x", "a/../../b", "busybox:other"} {
		if _, err := s.Get(n); err == nil {
			t.Errorf("Get(%s): no error", n)
		}
	}
}
