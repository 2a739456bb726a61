package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
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
		entry{Name: "etc/", Type: tar.TypeDir},
		entry{Name: "etc/.wh.motd", Type: tar.TypeReg},
		entry{Name: "etc/hostname", Body: "box\n", Type: tar.TypeReg},
		entry{Name: "opt/", Type: tar.TypeDir},
		entry{Name: "opt/.wh..wh..opq", Type: tar.TypeReg},
		entry{Name: "opt/new", Body: "new\n", Type: tar.TypeReg},
		entry{Name: "bin/sh", Link: "/bin/busybox", Type: tar.TypeSymlink},
		entry{Name: "run/fifo", Type: tar.TypeFifo},
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
