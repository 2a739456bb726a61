package authfile

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetGetRemove(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "goC")
	f := File{Path: filepath.Join(dir, "config.json")}
	if _, ok, err := f.Lookup("127.0.0.1:5000"); ok || err != nil {
		t.Fatalf("no file: Lookup = %v, %v; want nothing, no error", ok, err)
	}
	if err := f.Set("127.0.0.1:5000", Auth{Username: "ann", Password: "p:w"}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, f.Path: 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want mode %v", path, fi.Mode().Perm(), err, want)
		}
	}
	b, _ := os.ReadFile(f.Path)
	var raw struct {
		Auths map[string]map[string]string `json:"auths"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if got := raw.Auths["127.0.0.1:5000"]["auth"]; got != base64.StdEncoding.EncodeToString([]byte("ann:p:w")) || len(raw.Auths["127.0.0.1:5000"]) != 1 {
		t.Errorf("file %s, want Docker's {auths: {HOST: {auth: base64(user:pass)}}}", b)
	}
	a, ok, err := f.Lookup("127.0.0.1:5000")
	if err != nil || !ok || a != (Auth{"ann", "p:w"}) {
		t.Errorf("Lookup = %+v %v %v", a, ok, err)
	}
	if _, ok, _ := f.Lookup("127.0.0.1:5001"); ok {
		t.Error("another port: found")
	}
	if gone, err := f.Remove("127.0.0.1:5000"); !gone || err != nil {
		t.Errorf("Remove = %v, %v", gone, err)
	}
	if gone, err := f.Remove("127.0.0.1:5000"); gone || err != nil {
		t.Errorf("Remove again = %v, %v; want false, nil", gone, err)
	}
	if _, ok, _ := f.Lookup("127.0.0.1:5000"); ok {
		t.Error("removed: still found")
	}
}

// What else the file holds (Docker's other keys, other registries) stays;
// a file another program left 0644 is 0600 once goC writes it.
func TestSetKeepsOthers(t *testing.T) {
	f := File{Path: filepath.Join(t.TempDir(), "config.json")}
	os.WriteFile(f.Path, []byte(`{"auths":{"reg.example":{"auth":"eDp5"}},"psFormat":"table"}`), 0o644)
	if err := f.Set("https://127.0.0.1:5000/v2/", Auth{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(f.Path)
	if !strings.Contains(string(b), `"psFormat": "table"`) || !strings.Contains(string(b), `"reg.example"`) || !strings.Contains(string(b), `"127.0.0.1:5000"`) {
		t.Errorf("file %s: want psFormat, reg.example and 127.0.0.1:5000", b)
	}
	if fi, _ := os.Stat(f.Path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if a, ok, err := f.Lookup("reg.example"); !ok || err != nil || a != (Auth{"x", "y"}) {
		t.Errorf("reg.example: %+v %v %v", a, ok, err)
	}
}

func TestDamaged(t *testing.T) {
	for name, content := range map[string]string{
		"not json":    `{"auths": {`,
		"auths array": `{"auths": []}`,
		"bad base64":  `{"auths": {"127.0.0.1:5000": {"auth": "%%%"}}}`,
		"no colon":    `{"auths": {"127.0.0.1:5000": {"auth": "` + base64.StdEncoding.EncodeToString([]byte("ann")) + `"}}}`,
	} {
		f := File{Path: filepath.Join(t.TempDir(), "config.json")}
		os.WriteFile(f.Path, []byte(content), 0o600)
		_, _, err := f.Lookup("127.0.0.1:5000")
		if err == nil || !strings.HasPrefix(err.Error(), "credentials file "+f.Path+": ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: Lookup: %v, want one line naming the file", name, err)
		}
		if name == "not json" {
			if err := f.Set("h", Auth{"a", "b"}); err == nil || !strings.Contains(err.Error(), f.Path) {
				t.Errorf("%s: Set: %v, want an error naming the file", name, err)
			}
			if b, _ := os.ReadFile(f.Path); string(b) != content {
				t.Errorf("%s: Set rewrote the damaged file: %s", name, b)
			}
		}
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:5000": "127.0.0.1:5000", "https://127.0.0.1:5000": "127.0.0.1:5000",
		"http://reg.example/v2/": "reg.example", "Reg.Example:443": "reg.example:443",
		"": DockerHub, "docker.io": DockerHub, "index.docker.io": DockerHub, "registry-1.docker.io": DockerHub,
		"https://index.docker.io/v1/": DockerHub,
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRegistryOf(t *testing.T) {
	for ref, want := range map[string]string{
		"busybox": "docker.io", "library/busybox:1": "docker.io", "user/app@sha256:abc": "docker.io",
		"127.0.0.1:5000/busy:1": "127.0.0.1:5000", "localhost/x": "localhost", "reg.example/a/b:c": "reg.example",
		"localhost:5000/x": "localhost:5000",
	} {
		if got := RegistryOf(ref); got != want {
			t.Errorf("RegistryOf(%q) = %q, want %q", ref, got, want)
		}
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("GOC_CONFIG", "/x/cfg")
	if p, err := DefaultPath(); p != "/x/cfg/config.json" || err != nil {
		t.Errorf("GOC_CONFIG: %q %v", p, err)
	}
	t.Setenv("GOC_CONFIG", "")
	t.Setenv("HOME", "/home/ann")
	if p, err := DefaultPath(); p != "/home/ann/.config/goC/config.json" || err != nil {
		t.Errorf("HOME: %q %v", p, err)
	}
}
