package image

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The parts of the OCI image layout goC reads.
type ociDescriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
}

type ociIndex struct {
	Manifests []ociDescriptor `json:"manifests"`
}

type ociManifest struct {
	Config ociDescriptor   `json:"config"`
	Layers []ociDescriptor `json:"layers"`
}

type ociConfig struct {
	Config struct {
		Env        []string `json:"Env"`
		Cmd        []string `json:"Cmd"`
		Entrypoint []string `json:"Entrypoint"`
		WorkingDir string   `json:"WorkingDir"`
		User       string   `json:"User"`
		StopSignal string   `json:"StopSignal"`
	} `json:"config"`
}

// importOCI reads an OCI image layout (as skopeo copy … oci:DIR or umoci
// write it): index.json → the first manifest → its layers, bottom first.
// A refused layout leaves no layer it unpacked behind.
func (s Store) importOCI(img *Image, dir string, progress io.Writer) (err error) {
	var fresh []string
	defer func() {
		for _, l := range fresh {
			if err != nil {
				os.RemoveAll(s.LayerDir(l))
			}
		}
	}()
	var idx ociIndex
	if err := readJSON(blobOrFile(dir, "index.json"), &idx); err != nil {
		return err
	}
	if len(idx.Manifests) == 0 {
		return fmt.Errorf("index.json lists no manifest")
	}
	desc := idx.Manifests[0]
	if strings.Contains(desc.MediaType, "image.index") {
		var nested ociIndex
		if err := readBlob(dir, desc.Digest, &nested); err != nil {
			return err
		}
		if len(nested.Manifests) == 0 {
			return fmt.Errorf("nested index lists no manifest")
		}
		desc = nested.Manifests[0]
	}
	var m ociManifest
	if err := readBlob(dir, desc.Digest, &m); err != nil {
		return err
	}
	var cfg ociConfig
	if m.Config.Digest != "" {
		if err := readBlob(dir, m.Config.Digest, &cfg); err != nil {
			return err
		}
		c := cfg.Config
		img.SetConfig(c.Env, c.Entrypoint, c.Cmd, c.WorkingDir, c.User, c.StopSignal)
	}
	for i, l := range m.Layers {
		if strings.Contains(l.MediaType, "zstd") {
			return fmt.Errorf("layer %s: zstd-compressed layers are not supported", l.Digest)
		}
		if err := checkBlob(dir, l.Digest); err != nil {
			return err
		}
		f, err := os.Open(blobPath(dir, l.Digest))
		if err != nil {
			return err
		}
		r, err := Decompress(f)
		if err != nil {
			f.Close()
			return err
		}
		if !exists(s.LayerDir(l.Digest)) {
			fresh = append(fresh, l.Digest)
		}
		d, n, err := s.AddLayer(r, l.Digest, progress, i+1, len(m.Layers))
		f.Close()
		if err != nil {
			return fmt.Errorf("layer %s: %w", l.Digest, err)
		}
		img.Layers = append(img.Layers, d)
		img.Size += n
	}
	return nil
}

// isDigest: a digest goC accepts, ^sha256:[0-9a-f]{64}$ (sha256, as every
// layout it reads uses). A loop: goC links no regexp.
func isDigest(s string) bool {
	h, ok := strings.CutPrefix(s, "sha256:")
	return ok && len(h) == 64 && lowerHex(h)
}

// lowerHex: s is all 0-9a-f.
func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; ('0' > c || c > '9') && ('a' > c || c > 'f') {
			return false
		}
	}
	return true
}

// blobPath is where a layout keeps the blob of a digest checkBlob accepted.
func blobPath(dir, digest string) string {
	return filepath.Join(dir, "blobs", "sha256", strings.TrimPrefix(digest, "sha256:"))
}

// checkBlob refuses a digest that is not sha256:HEX and a blob whose
// content does not hash to its digest, so that only blobs/sha256/ is read
// and only what the manifest names is unpacked.
func checkBlob(dir, digest string) error {
	if !isDigest(digest) {
		return fmt.Errorf("digest %q: not sha256:<64 hex digits>", digest)
	}
	f, err := os.Open(blobPath(dir, digest))
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("blob %s: %w", digest, err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != digest {
		return fmt.Errorf("blob %s: content has digest %s", digest, got)
	}
	return nil
}

// readBlob reads a JSON blob after checking its digest.
func readBlob(dir, digest string, v any) error {
	if err := checkBlob(dir, digest); err != nil {
		return err
	}
	return readJSON(blobPath(dir, digest), v)
}

func blobOrFile(dir, name string) string { return filepath.Join(dir, name) }

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return nil
}
