// Package remote moves images between goC's store (package image) and
// registries (package registry): Pull and Push, and the image command
// (goC image …) that offers them with the store's own import, tag, ls and
// rm. It is apart from package image so that what only runs containers
// from the store (goC) links no HTTP, TLS, credential or zstd code; the
// image command is goC-image's.
package remote

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"sync"

	"github.com/klauspost/compress/zstd"

	"goc.dev/shared/image"
)

func init() {
	image.Zstd = func(r io.Reader) (io.Reader, error) {
		return zstd.NewReader(r, zstd.WithDecoderConcurrency(1)) // synchronous: no goroutine left behind
	}
}

var digestRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sha256:[0-9a-f]{64}$`) })

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func report(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
