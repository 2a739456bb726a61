package image

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"goc.dev/shared/atomicfile"
	"goc.dev/shared/reference"
)

// ID is the image's identity, as Docker's image ID: the sha256 of its
// record without its name and digest, so that a tag shares its source's
// ID. A damaged image has none.
func (img *Image) ID() string {
	if img.Damaged != "" {
		return ""
	}
	c := *img
	c.Name, c.Digest = "", ""
	b, _ := json.Marshal(c)
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// isIDPrefix: an image ID or a prefix of one, as rmi takes it,
// ^(sha256:)?[0-9a-f]{1,64}$.
func isIDPrefix(s string) bool {
	h := strings.TrimPrefix(s, "sha256:")
	return len(h) >= 1 && len(h) <= 64 && lowerHex(h)
}

// Find is the name of the image given names, as Docker's rmi takes it: a
// name or a reference (as Get: busybox finds
// docker.io/library/busybox:latest), REPO@sha256:HEX (the image of that
// repository pulled or pushed with that manifest digest), or a prefix of an
// image ID. One that fits no image is ErrNotExist; one that fits several
// names is refused, naming them.
func (s Store) Find(given string) (string, error) {
	names, err := s.find(given)
	if err != nil {
		return "", err
	}
	if len(names) > 1 {
		return "", fmt.Errorf("%s names %d images (%s): name one of them", given, len(names), strings.Join(names, ", "))
	}
	return names[0], nil
}

// find is every name given may mean (Find), at least one; an ID prefix
// that fits two different images is refused.
func (s Store) find(given string) ([]string, error) {
	if name, err := s.resolve(given); err == nil && exists(s.imagePath(name)) {
		return []string{name}, nil
	}
	imgs, err := s.List()
	if err != nil {
		return nil, err
	}
	var names []string
	ids := map[string]bool{}
	_, digest, byDigest := strings.Cut(given, "@")
	ref, perr := reference.Parse(given)
	for _, img := range imgs {
		switch {
		case byDigest && perr == nil && img.Digest == digest && sameRepository(img.Name, ref):
			names = append(names, img.Name)
		case !byDigest && isIDPrefix(given) && img.ID() != "" &&
			strings.HasPrefix(strings.TrimPrefix(img.ID(), "sha256:"), strings.TrimPrefix(given, "sha256:")):
			names = append(names, img.Name)
			ids[img.ID()] = true
		}
	}
	if len(ids) > 1 {
		return nil, fmt.Errorf("image ID prefix %s is ambiguous: %d images have it", given, len(ids))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotExist, given)
	}
	sort.Strings(names)
	return names, nil
}

// sameRepository says whether the image named name is in ref's repository.
func sameRepository(name string, ref reference.Reference) bool {
	r, err := reference.Parse(name)
	return err == nil && r.Repository() == ref.Repository()
}

// Tag gives the image source names (Find) a second name, target: a
// reference with a tag, in its canonical form (busybox is
// docker.io/library/busybox:latest). Both names share the layers; removing
// one leaves the other whole. A target that names another image is moved
// to this one, as Docker's tag does.
func (s Store) Tag(source, target string) (*Image, error) {
	names, err := s.find(source)
	if err != nil {
		return nil, err
	}
	img, err := s.Get(names[0])
	if err != nil {
		return nil, err
	}
	r, err := reference.Parse(target)
	if err != nil {
		return nil, err
	}
	if strings.Contains(r.String(), "@") {
		return nil, fmt.Errorf("tag %s: a tag is needed, not a digest", target)
	}
	unlock, err := s.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	img.Name, img.Digest = r.String(), "" // a digest is a registry's, for the source's repository
	return img, s.Write(img)
}

// Write stores img's record under its name.
func (s Store) Write(img *Image) error {
	b, err := json.MarshalIndent(img, "", "  ")
	if err != nil {
		return err
	}
	p := s.imagePath(img.Name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(p, b, 0o600)
}

// RepoTag is the image's name as Docker's images lists it: the repository
// (Docker Hub's without docker.io/ and library/) and the tag,
// "<none>" for a name given to import and for a reference by digest.
func (img *Image) RepoTag() (repo, tag string) {
	r, err := reference.Parse(img.Name)
	if err != nil || r.String() != img.Name {
		return img.Name, "<none>"
	}
	if tag = r.Tag(); tag == "" {
		tag = "<none>"
	}
	return strings.TrimPrefix(strings.TrimPrefix(r.Repository(), "docker.io/library/"), "docker.io/"), tag
}
