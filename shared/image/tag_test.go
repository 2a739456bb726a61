package image

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// importApp imports a one-file rootfs as name.
func importApp(t *testing.T, s Store, name, body string) *Image {
	t.Helper()
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "f"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := s.Import(name, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// A tag is a second name for the same image: same ID, same layers; rmi
// of one name leaves the other whole, and the layers go with the last.
func TestTagAndRemove(t *testing.T) {
	s := Store{Root: t.TempDir()}
	app := importApp(t, s, "app", "one")
	bb, err := s.Tag("app", "busybox")
	if err != nil {
		t.Fatal(err)
	}
	if bb.Name != "docker.io/library/busybox:latest" || bb.ID() != app.ID() || bb.Layers[0] != app.Layers[0] {
		t.Fatalf("Tag = %+v (ID %s), source ID %s", bb, bb.ID(), app.ID())
	}
	if _, err := s.Tag("app", "127.0.0.1:5000/test/bb:v1"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"Busy", "127.0.0.1:5000/test/bb@sha256:" + strings.Repeat("a", 64)} {
		if _, err := s.Tag("app", bad); err == nil {
			t.Errorf("Tag(app, %s): no error", bad)
		}
	}
	if _, err := s.Tag("nope", "x:1"); !errors.Is(err, ErrNotExist) {
		t.Errorf("Tag of an unknown image: %v", err)
	}
	// The ID names three images: refused, naming them.
	if err := s.Remove(app.ID()[7:19], nil); err == nil || !strings.Contains(err.Error(), "docker.io/library/busybox:latest") {
		t.Errorf("Remove by the ID of three names: %v", err)
	}
	if err := s.Remove("app", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("busybox", nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get("127.0.0.1:5000/test/bb:v1")
	if err != nil || got.ID() != app.ID() {
		t.Fatalf("the last name after rmi of the others: %+v, %v", got, err)
	}
	if err := s.Remove(app.ID()[7:19], nil); err != nil {
		t.Fatal(err)
	}
	if l, _ := os.ReadDir(filepath.Join(s.Root, "layers", "sha256")); len(l) != 0 {
		t.Errorf("after the last name, layers left: %v", l)
	}
}

// Find takes a name, a reference, REPO@DIGEST and an ID prefix; the
// unknown and the ambiguous are refused.
func TestFind(t *testing.T) {
	s := Store{Root: t.TempDir()}
	a := importApp(t, s, "a", "one")
	b := importApp(t, s, "b", "two")
	d := "sha256:" + strings.Repeat("d", 64)
	a.Name, a.Digest = "127.0.0.1:5000/test/a:1", d
	if err := s.Write(a); err != nil {
		t.Fatal(err)
	}
	for given, want := range map[string]string{
		"a": "a", "127.0.0.1:5000/test/a:1": "127.0.0.1:5000/test/a:1",
		"127.0.0.1:5000/test/a@" + d: "127.0.0.1:5000/test/a:1",
		b.ID()[7:19]:                 "b", b.ID(): "b",
	} {
		if got, err := s.Find(given); err != nil || got != want {
			t.Errorf("Find(%s) = %q, %v; want %q", given, got, err, want)
		}
	}
	for _, given := range []string{"nope", "127.0.0.1:5000/test/b@" + d, "127.0.0.1:5000/test/a@sha256:" + strings.Repeat("e", 64), "zzz"} {
		if got, err := s.Find(given); !errors.Is(err, ErrNotExist) {
			t.Errorf("Find(%s) = %q, %v; want no such image", given, got, err)
		}
	}
	// a and its copy under another name share an ID.
	if _, err := s.Find(a.ID()); err == nil || !strings.Contains(err.Error(), "names 2 images") {
		t.Errorf("Find of an ID two names share: %v", err)
	}
}

func TestRepoTag(t *testing.T) {
	d := "sha256:" + strings.Repeat("d", 64)
	for name, want := range map[string]string{
		"bb":                               "bb <none>",
		"docker.io/library/busybox:latest": "busybox latest",
		"docker.io/someone/app:1.2":        "someone/app 1.2",
		"127.0.0.1:5000/test/bb:v1":        "127.0.0.1:5000/test/bb v1",
		"127.0.0.1:5000/test/bb@" + d:      "127.0.0.1:5000/test/bb <none>",
	} {
		if repo, tag := (&Image{Name: name}).RepoTag(); repo+" "+tag != want {
			t.Errorf("RepoTag(%s) = %s %s, want %s", name, repo, tag, want)
		}
	}
}
