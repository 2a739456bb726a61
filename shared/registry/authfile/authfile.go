// Package authfile keeps registry credentials in a file laid out as
// Docker's config.json: {"auths": {"HOST[:PORT]": {"auth":
// base64("user:password")}}}, mode 0600 in a directory of mode 0700.
//
// goC keeps its own file, $GOC_CONFIG/config.json or else
// ~/.config/goC/config.json, rather than writing Docker's: a Docker
// config often delegates to a credential helper ("credsStore") goC does
// not run, and goC's logins should not change what docker does. The
// layout is Docker's, so a file can be copied from one to the other.
// The package needs only the standard library: goC-cli, a thin client,
// reads the file too.
package authfile

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DockerHub is the key Docker's config.json has for Docker Hub.
const DockerHub = "https://index.docker.io/v1/"

// Auth is one registry's credentials.
type Auth struct {
	Username string
	Password string
}

// File is a credentials file at Path.
type File struct{ Path string }

// DefaultPath is $GOC_CONFIG/config.json if GOC_CONFIG is set (a
// directory, as Docker's DOCKER_CONFIG), else ~/.config/goC/config.json.
func DefaultPath() (string, error) {
	if d := os.Getenv("GOC_CONFIG"); d != "" {
		return filepath.Join(d, "config.json"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("credentials file: %w (set GOC_CONFIG)", err)
	}
	return filepath.Join(home, ".config", "goC", "config.json"), nil
}

// Default is the file at DefaultPath.
func Default() (File, error) {
	p, err := DefaultPath()
	return File{Path: p}, err
}

// Key is the entry a registry has in the file: its lower-case host[:port]
// without scheme or path ("https://127.0.0.1:5000/v2/" is 127.0.0.1:5000),
// and Docker's DockerHub for Docker Hub under any of its names (or "").
func Key(registry string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(registry, "https://"), "http://")
	s, _, _ = strings.Cut(s, "/")
	s = strings.ToLower(s)
	switch s {
	case "", "docker.io", "index.docker.io", "registry-1.docker.io":
		return DockerHub
	}
	return s
}

// RegistryOf is the registry a reference names, as Docker reads it: the
// first path component if it has a dot or a colon or is localhost, else
// docker.io.
func RegistryOf(ref string) string {
	first, _, ok := strings.Cut(ref, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return "docker.io"
}

// entry is a registry's object in "auths".
type entry struct {
	Auth string `json:"auth"`
}

// Lookup is registry's credentials; false when the file (or the entry)
// does not exist.
func (f File) Lookup(registry string) (Auth, bool, error) {
	_, auths, err := f.load()
	if err != nil {
		return Auth{}, false, err
	}
	e, ok := auths[Key(registry)]
	if !ok {
		return Auth{}, false, nil
	}
	a, err := decode(e.Auth)
	if err != nil {
		return Auth{}, false, f.damaged(fmt.Errorf("entry %q: %w", Key(registry), err))
	}
	return a, true, nil
}

// Set stores registry's credentials, keeping everything else of the file.
func (f File) Set(registry string, a Auth) error {
	doc, auths, err := f.load()
	if err != nil {
		return err
	}
	auths[Key(registry)] = entry{Auth: base64.StdEncoding.EncodeToString([]byte(a.Username + ":" + a.Password))}
	return f.save(doc, auths)
}

// Remove deletes registry's credentials; false if it had none.
func (f File) Remove(registry string) (bool, error) {
	doc, auths, err := f.load()
	if err != nil {
		return false, err
	}
	if _, ok := auths[Key(registry)]; !ok {
		return false, nil
	}
	delete(auths, Key(registry))
	return true, f.save(doc, auths)
}

// load reads the whole document and its "auths"; a missing file is empty.
func (f File) load() (map[string]json.RawMessage, map[string]entry, error) {
	doc, auths := map[string]json.RawMessage{}, map[string]entry{}
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return doc, auths, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("credentials file: %w", err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, nil, f.damaged(err)
	}
	if raw, ok := doc["auths"]; ok {
		if err := json.Unmarshal(raw, &auths); err != nil {
			return nil, nil, f.damaged(fmt.Errorf("auths: %w", err))
		}
	}
	return doc, auths, nil
}

// save writes doc with auths as a new file of mode 0600 renamed over the
// old one: a reader sees the old file or the new one, never a part.
func (f File) save(doc map[string]json.RawMessage, auths map[string]entry) error {
	raw, err := json.Marshal(auths)
	if err != nil {
		return err
	}
	doc["auths"] = raw
	b, err := json.MarshalIndent(doc, "", "\t")
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("credentials file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.json") // mode 0600
	if err != nil {
		return fmt.Errorf("credentials file: %w", err)
	}
	defer os.Remove(tmp.Name()) // once renamed, there is nothing to remove
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("credentials file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("credentials file: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("credentials file: %w", err)
	}
	return nil
}

// damaged is the one error a file goC cannot read gives: it names the file.
func (f File) damaged(err error) error {
	return fmt.Errorf("credentials file %s: damaged (%w); fix or remove it", f.Path, err)
}

// decode reads an "auth" field: base64 of "user:password".
func decode(s string) (Auth, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return Auth{}, fmt.Errorf("auth: %w", err)
	}
	u, p, ok := bytes.Cut(b, []byte(":"))
	if !ok {
		return Auth{}, errors.New("auth: not user:password")
	}
	return Auth{Username: string(u), Password: string(p)}, nil
}
