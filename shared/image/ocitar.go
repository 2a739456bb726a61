package image

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
)

// isOCITar tells whether the tar (or tar.gz, tar.zst) src holds an OCI
// image layout: a file oci-layout at its top, as "tar -C LAYOUT -cf - ."
// writes it.
func isOCITar(src string) bool {
	f, err := os.Open(src)
	if err != nil {
		return false
	}
	defer f.Close()
	r, err := Decompress(f)
	if err != nil {
		return false
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err != nil {
			return false
		}
		if path.Clean(h.Name) == "oci-layout" && h.Typeflag == tar.TypeReg {
			return true
		}
	}
}

// importOCITar unpacks the layout in src (with Unpack's care) into a
// temporary directory of the store's, imports it as importOCI does, and
// removes it.
func (s Store) importOCITar(img *Image, src string, progress io.Writer) error {
	tmp, err := os.MkdirTemp(s.Root, ".oci-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := Decompress(f)
	if err != nil {
		return err
	}
	if _, err := Unpack(r, tmp); err != nil {
		return fmt.Errorf("the layout's tar: %w", err)
	}
	return s.importOCI(img, tmp, progress)
}
