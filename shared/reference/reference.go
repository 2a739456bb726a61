// Package reference parses image references as Docker does
// (busybox is docker.io/library/busybox:latest), through
// github.com/google/go-containerregistry's name package. It is apart from
// package registry, the registry client, so that what only names images
// (goC's store, goC run) links no HTTP, TLS or credential code.
package reference

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

// Name is the reference as go-containerregistry has it.
func (r Reference) Name() name.Reference { return r.ref }

// Repository is the reference's registry and repository:
// docker.io/library/busybox, 127.0.0.1:5000/test/bb.
func (r Reference) Repository() string { return r.Registry() + "/" + r.ref.Context().RepositoryStr() }

// Tag is the reference's tag, "" for a reference by digest.
func (r Reference) Tag() string {
	if t, ok := r.ref.(name.Tag); ok {
		return t.TagStr()
	}
	return ""
}
