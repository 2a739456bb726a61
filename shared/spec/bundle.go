package spec

import (
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/image"
)

// Bundle is an OCI bundle loaded for one container: its config.json,
// converted, and, when the config names an image (image.Annotation)
// instead of a root directory, the container's writable layer over that
// image, which the plan's overlay mounts as its root.
type Bundle struct {
	Dir     string // absolute
	Config  *specs.Spec
	Plan    Plan
	Runtime Runtime
	Image   string // the image the config names, or ""
	Layer   string // the container's writable layer over it, or ""
}

// LoadBundle loads dir's config.json for container id and converts it;
// the image it may name comes from images. If the config does not convert,
// the layer made for it is removed.
func LoadBundle(dir, id string, images image.Store) (Bundle, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return Bundle{}, err
	}
	s, err := Load(dir)
	if err != nil {
		return Bundle{}, err
	}
	layer, overlay, err := images.BundleLayer(s, id)
	if err != nil {
		return Bundle{}, err
	}
	plan, rt, err := Convert(s, dir, id)
	if err != nil {
		if layer != "" {
			os.RemoveAll(layer)
		}
		return Bundle{}, err
	}
	plan.Overlay = overlay
	return Bundle{Dir: dir, Config: s, Plan: plan, Runtime: rt, Image: s.Annotations[image.Annotation], Layer: layer}, nil
}
