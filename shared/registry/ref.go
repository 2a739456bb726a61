// Package registry fetches images from registries that speak the OCI
// distribution API (Docker's registry protocol v2), through
// github.com/google/go-containerregistry: it parses references as Docker
// does and resolves a reference to its config and layer blobs. It knows
// nothing of goC's store; shared/image stores what it fetches.
package registry

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Reference is an image reference: registry, repository, and a tag or a
// digest.
type Reference struct{ ref name.Reference }

// ErrBadReference is a reference Parse refuses.
var ErrBadReference = errors.New("invalid reference")

// A repository path component, as Docker's reference grammar has it.
var component = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)

// Parse reads s as Docker does: busybox is docker.io/library/busybox:latest,
// a first component with a dot or a colon (or localhost) is a registry
// host[:port], ":TAG" and "@sha256:HEX" name the version.
func Parse(s string) (Reference, error) {
	var r name.Reference
	var err error
	if strings.Contains(s, "@") { // parsed apart for a precise error
		r, err = name.NewDigest(s)
	} else {
		r, err = name.NewTag(s)
	}
	if err != nil {
		return Reference{}, fmt.Errorf("%w %q: %w", ErrBadReference, s, err)
	}
	for _, c := range strings.Split(r.Context().RepositoryStr(), "/") {
		if !component.MatchString(c) {
			return Reference{}, fmt.Errorf("%w %q: repository path component %q", ErrBadReference, s, c)
		}
	}
	return Reference{r}, nil
}

// String is the canonical form: docker.io/library/busybox:latest,
// host:port/repo:tag or host/repo@sha256:HEX. It is a safe relative path:
// no empty, "." or ".." component.
func (r Reference) String() string {
	reg := r.Registry()
	sep := ":"
	if _, ok := r.ref.(name.Digest); ok {
		sep = "@"
	}
	return reg + "/" + r.ref.Context().RepositoryStr() + sep + r.ref.Identifier()
}

// Registry is the registry's host[:port]; Docker Hub is docker.io.
func (r Reference) Registry() string {
	if reg := r.ref.Context().RegistryStr(); reg != name.DefaultRegistry {
		return reg
	}
	return "docker.io"
}

// IsCanonical says whether s is a reference in its canonical form.
func IsCanonical(s string) bool {
	r, err := Parse(s)
	return err == nil && r.String() == s
}

// Ref is the reference as go-containerregistry has it.
func (r Reference) Ref() name.Reference { return r.ref }
