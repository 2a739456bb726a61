package confine

import (
	"cmp"

	"goc.dev/shared/image"
	"goc.dev/shared/spec"
)

// ApplyImage is Apply for a container of img in store s (img nil: a rootfs
// directory), with the image's user as goC run takes it, as Docker's:
// o.User or else the image's User, names resolved by the image's own
// /etc/passwd and /etc/group (image.Store.User). o itself is not changed.
func (o *Options) ApplyImage(s image.Store, img *image.Image, p *spec.Plan, rt *spec.Runtime) error {
	opts := *o
	if img != nil {
		u, err := s.User(img, cmp.Or(o.User, img.User))
		if err != nil {
			return err
		}
		opts.User = u
	}
	return opts.Apply(p, rt)
}
