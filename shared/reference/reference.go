// Package reference parses image references as Docker does
// (busybox is docker.io/library/busybox:latest). It is the rules of
// github.com/google/go-containerregistry's name package, which the
// registry client uses, written out without it: name links
// go-digest, whose regular expressions every process that imports it
// compiles at start, and goC (which names images to find them in its
// store, never to fetch them) started 0.9 ms slower for it on each run,
// create, start, state and delete. reference_test.go holds the two to
// the same answers (FuzzSameAsName).
package reference

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Reference is an image reference: registry, repository, and a tag or a
// digest.
type Reference struct {
	registry   string // host[:port]; "" for Docker Hub
	repository string // with Docker Hub's implicit library/
	tag        string // "" when by digest
	digest     string
}

// ErrBadReference is a reference Parse refuses.
var ErrBadReference = errors.New("invalid reference")

const (
	hub        = "index.docker.io" // as the registry client names Docker Hub
	defaultTag = "latest"
	tagChars   = "abcdefghijklmnopqrstuvwxyz0123456789_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	repoChars  = "abcdefghijklmnopqrstuvwxyz0123456789_-./"
)

// Parse reads s as Docker does: busybox is docker.io/library/busybox:latest,
// a first component with a dot or a colon (or localhost) is a registry
// host[:port], ":TAG" and "@sha256:HEX" name the version (a tag before a
// digest is dropped).
func Parse(s string) (Reference, error) {
	r, err := parse(s)
	if err != nil {
		return Reference{}, fmt.Errorf("%w %q: %w", ErrBadReference, s, err)
	}
	return r, nil
}

func parse(s string) (Reference, error) {
	base, dig, byDigest := strings.Cut(s, "@")
	if byDigest {
		if strings.Contains(dig, "@") {
			return Reference{}, errors.New("a digest must contain exactly one '@' separator")
		}
		if err := checkDigest(dig); err != nil {
			return Reference{}, err
		}
		if b, tag, err := splitTag(base); err == nil && tag != "" {
			base = b
		}
	}
	var tag string
	if !byDigest {
		var err error
		if base, tag, err = splitTag(base); err != nil {
			return Reference{}, err
		}
		if tag == "" {
			tag = defaultTag
		}
	}
	r, err := parseRepository(base)
	if err != nil {
		return Reference{}, err
	}
	r.tag, r.digest = tag, dig
	return r, nil
}

// splitTag splits "name:tag" at its last colon, when what follows it has
// no slash (else the colon is a registry's port).
func splitTag(s string) (name, tag string, err error) {
	i := strings.LastIndex(s, ":")
	if i < 0 || strings.Contains(s[i+1:], "/") {
		return s, "", nil
	}
	tag = s[i+1:]
	if tag == "" {
		return "", "", errors.New("a tag name must follow the colon")
	}
	if err := checkChars("tag", tag, tagChars, 128); err != nil {
		return "", "", err
	}
	return s[:i], tag, nil
}

func parseRepository(s string) (Reference, error) {
	if s == "" {
		return Reference{}, errors.New("a repository name must be specified")
	}
	var r Reference
	repo := s
	if first, rest, ok := strings.Cut(s, "/"); ok && (first == "localhost" || strings.ContainsAny(first, ".:")) {
		r.registry, repo = first, rest
	}
	if err := checkChars("repository", repo, repoChars, 255); err != nil {
		return Reference{}, err
	}
	if u, err := url.Parse("//" + r.registry); err != nil || u.Host != r.registry {
		return Reference{}, fmt.Errorf("registry %q is no valid host[:port]", r.registry)
	}
	if r.registry == "docker.io" || r.registry == hub {
		r.registry = ""
	}
	if r.registry == "" && !strings.Contains(repo, "/") {
		repo = "library/" + repo
	}
	for _, c := range strings.Split(repo, "/") {
		if !isComponent(c) {
			return Reference{}, fmt.Errorf("repository path component %q", c)
		}
	}
	r.repository = repo
	return r, nil
}

// checkChars: 1 to max characters, each in allowed.
func checkChars(what, s, allowed string, max int) error {
	if len(s) == 0 || len(s) > max {
		return fmt.Errorf("%s must be between 1 and %d characters in length: %s", what, max, s)
	}
	for _, c := range s {
		if !strings.ContainsRune(allowed, c) {
			return fmt.Errorf("%s can only contain the characters `%s`: %s", what, allowed, s)
		}
	}
	return nil
}

// isComponent: a repository path component of Docker's grammar,
// [a-z0-9]+ joined by ".", "_", "__" or any run of "-".
func isComponent(c string) bool {
	if c == "" || !isAlnum(c[0]) || !isAlnum(c[len(c)-1]) {
		return false
	}
	for i := 0; i < len(c); {
		if isAlnum(c[i]) {
			i++
			continue
		}
		j := i
		for j < len(c) && !isAlnum(c[j]) {
			j++
		}
		switch sep := c[i:j]; {
		case sep == "." || sep == "_" || sep == "__":
		case strings.Trim(sep, "-") == "":
		default:
			return false
		}
		i = j
	}
	return true
}

func isAlnum(b byte) bool { return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' }

// checkDigest accepts what go-digest does: sha256, sha384 or sha512, then
// the lowercase hex of that many bytes.
func checkDigest(d string) error {
	alg, hex, _ := strings.Cut(d, ":")
	size := map[string]int{"sha256": 32, "sha384": 48, "sha512": 64}[alg]
	if size == 0 {
		return fmt.Errorf("unsupported or invalid digest %q", d)
	}
	if len(hex) != 2*size || strings.Trim(hex, "0123456789abcdef") != "" {
		return fmt.Errorf("invalid digest %q: want %d lowercase hex digits", d, 2*size)
	}
	return nil
}

// String is the canonical form: docker.io/library/busybox:latest,
// host:port/repo:tag or host/repo@sha256:HEX. It is a safe relative path:
// no empty, "." or ".." component.
func (r Reference) String() string {
	if r.digest != "" {
		return r.Repository() + "@" + r.digest
	}
	return r.Repository() + ":" + r.tag
}

// Registry is the registry's host[:port]; Docker Hub is docker.io.
func (r Reference) Registry() string {
	if r.registry == "" {
		return "docker.io"
	}
	return r.registry
}

// IsCanonical says whether s is a reference in its canonical form.
func IsCanonical(s string) bool {
	r, err := Parse(s)
	return err == nil && r.String() == s
}

// Repository is the reference's registry and repository:
// docker.io/library/busybox, 127.0.0.1:5000/test/bb.
func (r Reference) Repository() string { return r.Registry() + "/" + r.repository }

// Path is the repository within its registry: library/busybox, test/bb.
func (r Reference) Path() string { return r.repository }

// Tag is the reference's tag, "" for a reference by digest.
func (r Reference) Tag() string { return r.tag }

// Digest is the reference's digest, "" for a reference by tag.
func (r Reference) Digest() string { return r.digest }
