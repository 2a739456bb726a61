package confine

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"goc.dev/shared/image"
	"goc.dev/shared/spec"
)

// imageWith stores an image of one layer holding files (path → content).
func imageWith(t *testing.T, files map[string]string) (image.Store, *image.Image) {
	t.Helper()
	src := t.TempDir()
	for p, body := range files {
		p = filepath.Join(src, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := image.Store{Root: t.TempDir()}
	img, err := s.Import("img", src, nil)
	if err != nil {
		t.Skipf("cannot import a test image here: %v", err)
	}
	return s, img
}

// ApplyImage gives a container of an image the image's user where goC
// run's --user gives none.
func TestApplyImage(t *testing.T) {
	s, img := imageWith(t, map[string]string{
		"etc/passwd": "root:x:0:0::/:/bin/sh\napp:x:1000:1001::/:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n",
		"etc/group":  "root:x:0:\nstaff:x:50:\n"})
	img.User = "app"
	cases := []struct {
		name       string
		img        *image.Image
		user, want string // want: uid:gid
		err        string
	}{
		{"the image's", img, "", "1000:1001", ""},
		{"the flag's", img, "nobody:staff", "65534:50", ""},
		{"numbers", img, "7", "7:0", ""},
		{"a rootfs directory", nil, "7:8", "7:8", ""},
		{"a rootfs directory, no user", nil, "", "0:0", ""},
		{"a name without an image", nil, "app", "", `--user "app": want UID or UID:GID`},
		{"an unknown name", img, "ghost", "", `user "ghost": no such user`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{User: tc.user}
			p := spec.Plan{Cwd: "/"}
			err := o.ApplyImage(s, tc.img, &p, &spec.Runtime{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ApplyImage = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := strconv.Itoa(int(p.UID)) + ":" + strconv.Itoa(int(p.GID))
			if got != tc.want || o.User != tc.user {
				t.Errorf("ApplyImage: %q (options' user %q), want %q (%q)", got, o.User, tc.want, tc.user)
			}
		})
	}
}
