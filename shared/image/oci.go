package image

import (
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
	} `json:"config"`
}

// importOCI reads an OCI image layout (as skopeo copy … oci:DIR or umoci
// write it): index.json → the first manifest → its layers, bottom first.
func (s Store) importOCI(img *Image, dir string, progress io.Writer) error {
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
		if err := readJSON(blobPath(dir, desc.Digest), &nested); err != nil {
			return err
		}
		if len(nested.Manifests) == 0 {
			return fmt.Errorf("nested index lists no manifest")
		}
		desc = nested.Manifests[0]
	}
	var m ociManifest
	if err := readJSON(blobPath(dir, desc.Digest), &m); err != nil {
		return err
	}
	var cfg ociConfig
	if m.Config.Digest != "" {
		if err := readJSON(blobPath(dir, m.Config.Digest), &cfg); err != nil {
			return err
		}
		img.Env, img.Workdir = cfg.Config.Env, cfg.Config.WorkingDir
		img.Cmd = append(append([]string(nil), cfg.Config.Entrypoint...), cfg.Config.Cmd...)
	}
	for i, l := range m.Layers {
		if strings.Contains(l.MediaType, "zstd") {
			return fmt.Errorf("layer %s: zstd-compressed layers are not supported", l.Digest)
		}
		f, err := os.Open(blobPath(dir, l.Digest))
		if err != nil {
			return err
		}
		r, err := decompress(f)
		if err != nil {
			f.Close()
			return err
		}
		d, n, err := s.addLayer(r, l.Digest, progress, i+1, len(m.Layers))
		f.Close()
		if err != nil {
			return fmt.Errorf("layer %s: %w", l.Digest, err)
		}
		img.Layers = append(img.Layers, d)
		img.Size += n
	}
	return nil
}

func blobPath(dir, digest string) string {
	algo, hex, _ := strings.Cut(digest, ":")
	return filepath.Join(dir, "blobs", filepath.Base(algo), filepath.Base(hex))
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
