package image

import (
	"archive/tar"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// LayerTar writes the layer unpacked in dir as an image layer's tar: the
// files as TarTree writes them, and what Unpack made of whiteouts turned
// back — a 0:0 character device into ".wh.NAME", a directory marked
// opaque into its ".wh..wh..opq" entry.
func LayerTar(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && fi.Mode()&fs.ModeCharDevice != 0 && st.Rdev == 0 {
			wh := path.Join(path.Dir(rel), whiteoutPrefix+path.Base(rel))
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: wh, Mode: 0o600, ModTime: fi.ModTime()})
		}
		if err := tarEntry(tw, p, rel, fi); err != nil {
			return err
		}
		if v := make([]byte, 1); fi.IsDir() {
			if n, err := unix.Lgetxattr(p, "trusted.overlay.opaque", v); err == nil && n == 1 && v[0] == 'y' {
				return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: rel + "/" + opaqueMarker, Mode: 0o600, ModTime: fi.ModTime()})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Close()
}
