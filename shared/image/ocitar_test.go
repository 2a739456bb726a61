package image

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A tar of an OCI image layout (as goC-cli import sends one to goCd) is
// imported as the layout, config and all, and its unpacked copy does not
// stay; a tar whose oci-layout is not at its top is a rootfs.
func TestImportOCITar(t *testing.T) {
	s := Store{Root: t.TempDir()}
	src := t.TempDir()
	writeLayout(t, src, tarOf(t, entry{Name: "etc/", Type: tar.TypeDir}, entry{Name: "etc/passwd", Body: passwd, Type: tar.TypeReg},
		entry{Name: "etc/group", Body: group, Type: tar.TypeReg}))
	archive := filepath.Join(t.TempDir(), "oci.tar")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	if err := TarTree(tw, src); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	f.Close()
	img, err := s.Import("fromtar", archive, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Layers) != 1 || img.User != "app:staff" || strings.Join(img.Command(nil, nil), " ") != "/bin/ep sh" {
		t.Fatalf("image = %+v", img)
	}
	if got, err := s.User(img, img.User); err != nil || got != "1000:50" {
		t.Errorf("User = %q, %v", got, err)
	}
	if left, _ := filepath.Glob(filepath.Join(s.Root, ".oci-*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}

	nested := filepath.Join(t.TempDir(), "nested.tar")
	os.WriteFile(nested, tarOf(t, entry{Name: "sub/oci-layout", Body: "{}", Type: tar.TypeReg}), 0o644)
	img, err = s.Import("rootfs", nested, nil)
	if err != nil || len(img.Layers) != 1 || img.User != "" {
		t.Fatalf("nested = %+v, %v", img, err)
	}
	if _, err := os.Stat(filepath.Join(s.LayerDir(img.Layers[0]), "sub", "oci-layout")); err != nil {
		t.Errorf("a rootfs tar was not imported as one: %v", err)
	}
}
