package registry

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"goc.dev/shared/reference"
)

// PushLayer is one layer to push: its gzip-compressed tar in a file, with
// the digests the caller computed while writing it.
type PushLayer struct {
	Path   string // the compressed blob
	Digest string // sha256:HEX of the blob
	DiffID string // sha256:HEX of the uncompressed tar
	Size   int64  // the blob's bytes
}

// Push writes an OCI image — config, created, and layers bottom first —
// to ref, which must name a tag, and returns the manifest's digest.
// Blobs the registry has are not sent again (remote.Write asks first).
// Plain HTTP is used only where Fetch would use it.
func Push(ctx context.Context, ref reference.Reference, config v1.Config, created time.Time, layers []PushLayer, o Options) (string, error) {
	if ref.Tag() == "" {
		return "", fmt.Errorf("push %s: a tag is needed, not a digest", ref)
	}
	img, err := build(config, created, layers)
	if err != nil {
		return "", fmt.Errorf("push %s: %w", ref, err)
	}
	r, opts, err := o.remote(ctx, ref)
	if err != nil {
		return "", err
	}
	if err = remote.Write(r, img, opts...); err != nil {
		return "", fmt.Errorf("push %s: %w", ref, o.explain(r.Context().RegistryStr(), err))
	}
	d, err := img.Digest()
	return d.String(), err
}

// build is the image: an OCI manifest and config whose rootfs lists the
// layers' diff IDs, for this machine's architecture.
func build(config v1.Config, created time.Time, layers []PushLayer) (v1.Image, error) {
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	adds := make([]mutate.Addendum, len(layers))
	for i, l := range layers {
		fl, err := partial.CompressedToLayer(fileLayer{l})
		if err != nil {
			return nil, err
		}
		adds[i] = mutate.Addendum{Layer: fl, MediaType: types.OCILayer}
	}
	img, err := mutate.Append(img, adds...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Config, cf.Created = "linux", runtime.GOARCH, config, v1.Time{Time: created}
	return mutate.ConfigFile(img, cf)
}

// fileLayer is a PushLayer as go-containerregistry reads a compressed
// layer; it knows its diff ID, so nothing is read twice to find it.
type fileLayer struct{ l PushLayer }

func (f fileLayer) Digest() (v1.Hash, error)            { return v1.NewHash(f.l.Digest) }
func (f fileLayer) DiffID() (v1.Hash, error)            { return v1.NewHash(f.l.DiffID) }
func (f fileLayer) Compressed() (io.ReadCloser, error)  { return os.Open(f.l.Path) }
func (f fileLayer) Size() (int64, error)                { return f.l.Size, nil }
func (f fileLayer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }
