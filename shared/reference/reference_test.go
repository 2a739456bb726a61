package reference

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

const hex64 = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

// Docker's own examples (distribution/reference's tests and docs).
func TestParse(t *testing.T) {
	for in, want := range map[string]string{
		"busybox":                                     "docker.io/library/busybox:latest",
		"test_com":                                    "docker.io/library/test_com:latest",
		"test.com:tag":                                "docker.io/library/test.com:tag",
		"test.com:5000":                               "docker.io/library/test.com:5000",
		"test.com/repo:tag":                           "test.com/repo:tag",
		"test:5000/repo":                              "test:5000/repo:latest",
		"test:5000/repo:tag":                          "test:5000/repo:tag",
		"test:5000/repo@sha256:" + hex64:              "test:5000/repo@sha256:" + hex64,
		"test:5000/repo:tag@sha256:" + hex64:          "test:5000/repo@sha256:" + hex64,
		"lowercase:Uppercase":                         "docker.io/library/lowercase:Uppercase",
		"sub-dom1.foo.com/bar/baz/quux":               "sub-dom1.foo.com/bar/baz/quux:latest",
		"sub-dom1.foo.com/bar/baz/quux:some-long-tag": "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
		"b.gcr.io/test.example.com/my-app:test.example.com": "b.gcr.io/test.example.com/my-app:test.example.com",
		"xn--n3h.com/myimage:xn--n3h.com":                   "xn--n3h.com/myimage:xn--n3h.com",
		"foo_bar.com:8080":                                  "docker.io/library/foo_bar.com:8080",
		"foo/foo_bar.com:8080":                              "docker.io/foo/foo_bar.com:8080",
		"docker.io/busybox":                                 "docker.io/library/busybox:latest",
		"index.docker.io/library/busybox:1.36":              "docker.io/library/busybox:1.36",
		"localhost/busy":                                    "localhost/busy:latest",
		"localhost:5000/busy:1":                             "localhost:5000/busy:1",
		"127.0.0.1:5000/busy:1":                             "127.0.0.1:5000/busy:1",
		"a/a/a/a":                                           "docker.io/a/a/a/a:latest",
	} {
		r, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if r.String() != want {
			t.Errorf("Parse(%q) = %s, want %s", in, r, want)
		}
		if !IsCanonical(want) {
			t.Errorf("IsCanonical(%q) = false", want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{
		"", ":justtag", "@sha256:" + hex64, "repo@sha256:" + hex64[:63], "validname@invaliddigest:" + hex64,
		"Uppercase:tag", "aa/asdf$$^/aa", "a:" + strings.Repeat("a", 129), "a/../b", "a//b", "a/./b",
		"test:5000/Uppercase/lowercase:tag", "foo/.bar", "foo/bar.", "-foo", "foo-/bar", "/abs/path",
	} {
		r, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %s, want an error", in, r)
			continue
		}
		if !errors.Is(err, ErrBadReference) {
			t.Errorf("Parse(%q): %v is no ErrBadReference", in, err)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "invalid reference ") || strings.Contains(msg, "\n") {
			t.Errorf("Parse(%q): %q, want one line starting 'invalid reference'", in, msg)
		}
	}
	if IsCanonical("busybox") {
		t.Error("IsCanonical(busybox) = true")
	}
}

// viaName is Parse as it was, through go-containerregistry's name package:
// the model Parse must agree with.
func viaName(s string) (string, error) {
	var r name.Reference
	var err error
	if strings.Contains(s, "@") {
		r, err = name.NewDigest(s)
	} else {
		r, err = name.NewTag(s)
	}
	if err != nil {
		return "", err
	}
	repo := r.Context().RepositoryStr()
	for _, c := range strings.Split(repo, "/") {
		if !isComponent(c) {
			return "", errors.New("component")
		}
	}
	reg := r.Context().RegistryStr()
	if reg == name.DefaultRegistry {
		reg = "docker.io"
	}
	sep := ":"
	if _, ok := r.(name.Digest); ok {
		sep = "@"
	}
	return reg + "/" + repo + sep + r.Identifier(), nil
}

func FuzzSameAsName(f *testing.F) {
	for _, s := range []string{
		"busybox", "test.com:5000", "test:5000/repo:tag@sha256:" + hex64, "a@sha384:" + strings.Repeat("a", 96),
		"a@sha512:" + strings.Repeat("0", 128), "a@md5:" + hex64[:32], "x@sha256:" + strings.ToUpper(hex64),
		"[::1]:5000/a", "a.b:x$/c", "docker.io/busybox:1@sha256:" + hex64, "a__b/c---d", "a___b", "a-.b",
		"LOCALHOST/a", "localhost:/a", "a:b:c", "a@b@c", "host:99999/a", "xn--n3h.com/myimage:xn--n3h.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, werr := viaName(s)
		r, err := Parse(s)
		switch {
		case (err == nil) != (werr == nil):
			t.Fatalf("Parse(%q): %v; name: %v", s, err, werr)
		case err == nil && r.String() != want:
			t.Fatalf("Parse(%q) = %s; name: %s", s, r, want)
		}
	})
}

func TestSameAsName(t *testing.T) {
	for _, s := range []string{"busybox", "a/b/c:d", "localhost:5000/x@sha256:" + hex64, "Bad", "a::b"} {
		want, werr := viaName(s)
		r, err := Parse(s)
		if (err == nil) != (werr == nil) || err == nil && r.String() != want {
			t.Errorf("Parse(%q) = %v, %v; name: %v, %v", s, r, err, want, werr)
		}
	}
}
