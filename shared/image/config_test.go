package image

import (
	"archive/tar"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCommand(t *testing.T) {
	img := &Image{Entrypoint: []string{"/bin/ep", "-x"}, Cmd: []string{"default", "arg"}}
	old := &Image{Cmd: []string{"/bin/sh", "-c", "flattened"}} // a record of before Entrypoint was kept
	cleared, other := []string{""}, []string{"/bin/other"}
	cases := []struct {
		name       string
		img        *Image
		entrypoint *[]string
		args, want []string
	}{
		{"no command: entrypoint and cmd", img, nil, nil, []string{"/bin/ep", "-x", "default", "arg"}},
		{"a command replaces cmd", img, nil, []string{"mine"}, []string{"/bin/ep", "-x", "mine"}},
		{"--entrypoint drops cmd", img, &other, nil, []string{"/bin/other"}},
		{"--entrypoint with a command", img, &other, []string{"a"}, []string{"/bin/other", "a"}},
		{`--entrypoint "" clears it`, img, &cleared, []string{"ls", "/"}, []string{"ls", "/"}},
		{`--entrypoint "" and no command`, img, &cleared, nil, nil},
		{"old record, no command", old, nil, nil, []string{"/bin/sh", "-c", "flattened"}},
		{"old record, a command", old, nil, []string{"id"}, []string{"id"}},
		{"no image", nil, nil, []string{"id"}, []string{"id"}},
		{"no image, an entrypoint", nil, &other, []string{"x"}, []string{"/bin/other", "x"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.img.Command(tc.entrypoint, tc.args); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Command = %q, want %q", got, tc.want)
			}
		})
	}
	if img.Cmd[0] != "default" || img.Entrypoint[1] != "-x" {
		t.Errorf("Command changed the image: %+v", img)
	}
}

// layers writes each map (path → content, or "->TARGET" a symlink) as a layer of an
// image in a new store.
func layers(t *testing.T, ls ...map[string]string) (Store, *Image) {
	s := Store{Root: t.TempDir()}
	img := &Image{}
	for i, l := range ls {
		d := "sha256:" + strings.Repeat(string(rune('a'+i)), 64)
		dir := s.LayerDir(d)
		for p, body := range l {
			p = filepath.Join(dir, p)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			var err error
			switch {
			case strings.HasPrefix(body, "->"):
				err = os.Symlink(strings.TrimPrefix(body, "->"), p)
			default:
				err = os.WriteFile(p, []byte(body), 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		img.Layers = append(img.Layers, d)
	}
	return s, img
}

const (
	passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
	group  = "root:x:0:\nstaff:x:50:app\napp:x:1001:\nnogroup:x:65534:\n"
)

func TestUser(t *testing.T) {
	s, img := layers(t, map[string]string{"etc/passwd": passwd, "etc/group": group})
	cases := []struct{ user, want, err string }{
		{"", "", ""},
		{"0", "0:0", ""},
		{"1000", "1000:1001", ""}, // as Docker: a known UID's group is its passwd entry's
		{"4242", "4242:0", ""},    // an unknown UID: group 0
		{"1000:50", "1000:50", ""},
		{"app", "1000:1001", ""},
		{"app:staff", "1000:50", ""},
		{"nobody:nogroup", "65534:65534", ""},
		{"4242:nogroup", "4242:65534", ""},
		{"ghost", "", `user "ghost": no such user in the image's /etc/passwd`},
		{"app:ghosts", "", `group "ghosts": no such group in the image's /etc/group`},
		{"app:", "", `invalid user "app:"`},
		{":1", "", `invalid user ":1"`},
		{"99999999999", "", `user "99999999999": out of range`},
		{"0:4294967295", "", `group "4294967295": out of range`},
		{"a:b:c", "", `invalid user "a:b:c"`},
	}
	for _, tc := range cases {
		t.Run(tc.user, func(t *testing.T) {
			got, err := s.User(img, tc.user)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("User(%q) = %q, %v; want error %q", tc.user, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("User(%q) = %q, %v; want %q", tc.user, got, err, tc.want)
			}
		})
	}
}

// The top layer's file wins; a whiteout (character device 0:0, as Unpack
// makes it) or a symlink hides the lower layers' file; a symlink is not
// followed out of the layer.
func TestUserLayers(t *testing.T) {
	top := "app:x:2000:2000::/:/bin/sh\n"
	s, img := layers(t, map[string]string{"etc/passwd": passwd}, map[string]string{"etc/passwd": top})
	if got, err := s.User(img, "app"); err != nil || got != "2000:2000" {
		t.Errorf("top layer's passwd: User = %q, %v; want 2000:2000", got, err)
	}
	outside := filepath.Join(t.TempDir(), "passwd")
	os.WriteFile(outside, []byte("evil:x:7:7::/:/bin/sh\n"), 0o644)
	s, img = layers(t, map[string]string{"etc/passwd": passwd}, map[string]string{"etc/passwd": "->" + outside})
	if got, err := s.User(img, "evil"); err == nil {
		t.Errorf("a symlink out of the layer was followed: User = %q", got)
	}
	s, img = layers(t, map[string]string{"etc/passwd": passwd}, map[string]string{"etc/x": "x"})
	if err := os.Remove(filepath.Join(s.LayerDir(img.Layers[1]), "etc/x")); err != nil {
		t.Fatal(err)
	}
	wh := tarOf(t, entry{Name: "etc/", Type: tar.TypeDir}, entry{Name: "etc/.wh.passwd", Type: tar.TypeReg})
	if _, err := Unpack(strings.NewReader(string(wh)), s.LayerDir(img.Layers[1])); err != nil {
		t.Fatal(err)
	}
	if got, err := s.User(img, "app"); err == nil {
		t.Errorf("a whiteout did not hide the base layer's passwd: User = %q", got)
	}
	if got, err := s.User(img, "0:0"); err != nil || got != "0:0" {
		t.Errorf("numbers need no passwd: User = %q, %v", got, err)
	}
}

func TestStopSignal(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"", "", ""}, {"SIGQUIT", "SIGQUIT", ""}, {"quit", "SIGQUIT", ""}, {"3", "SIGQUIT", ""},
		{"SIGRTMIN+3", "", `invalid stop signal "SIGRTMIN+3"`}, {"0", "", `invalid stop signal "0"`},
		{"BOGUS", "", `invalid stop signal "BOGUS"`},
	} {
		got, err := StopSignal(tc.in)
		if tc.err != "" && (err == nil || err.Error() != tc.err) || tc.err == "" && (err != nil || got != tc.want) {
			t.Errorf("StopSignal(%q) = %q, %v; want %q, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}
