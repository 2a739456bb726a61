package image

import (
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/rootfs"
)

// Annotation, in a bundle's config.json, names the image the container
// runs from, in place of a root directory.
const Annotation = "org.goc.image"

// Layer is container id's writable layer over img: its directory, which
// holds upper, work and merged (where the overlay is mounted: the
// container's root), and the overlay that mounts it.
func (s Store) Layer(img *Image, id string) (dir string, ov *rootfs.Overlay) {
	dir = filepath.Join(s.Root, "containers", id)
	return dir, &rootfs.Overlay{Lower: s.Lower(img), Upper: filepath.Join(dir, "upper"), Work: filepath.Join(dir, "work")}
}

// BundleLayer roots container id in a writable layer over the image its
// bundle's config names (Annotation) instead of a root directory: config's
// root becomes the layer's merged directory, made here. Without the
// annotation it returns no layer and leaves config alone.
func (s Store) BundleLayer(config *specs.Spec, id string) (layer string, ov *rootfs.Overlay, err error) {
	name := config.Annotations[Annotation]
	if name == "" {
		return "", nil, nil
	}
	img, err := s.Get(name)
	if err != nil {
		return "", nil, fmt.Errorf("config.json: annotation %s: %w", Annotation, err)
	}
	layer, ov = s.Layer(img, id)
	readonly := config.Root != nil && config.Root.Readonly
	config.Root = &specs.Root{Path: filepath.Join(layer, "merged"), Readonly: readonly}
	if err := os.MkdirAll(config.Root.Path, 0o755); err != nil {
		return "", nil, err
	}
	return layer, ov, nil
}
