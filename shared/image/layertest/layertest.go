// Package layertest builds image layers (tars) for the tests of package
// image and its remote.
package layertest

import (
	"archive/tar"
	"bytes"
	"testing"
)

// Entry is one tar entry: Type is a tar.Type*; Body a regular file's
// content, Link a link's target.
type Entry struct {
	Name, Body, Link string
	Type             byte
}

// Tar is entries as a tar, each with mode 0644 (0755 for a directory).
func Tar(t testing.TB, entries ...Entry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Typeflag: e.Type, Mode: 0o644, Linkname: e.Link, Size: int64(len(e.Body))}
		if e.Type == tar.TypeDir {
			h.Mode = 0o755
		}
		if e.Type != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.Type == tar.TypeReg {
			tw.Write([]byte(e.Body))
		}
	}
	tw.Close()
	return buf.Bytes()
}
