package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"goc.dev/shared/image"
)

// mkoci OUT ROOTFS [CONFIG [DIR]] writes an OCI image layout with two
// layers: ROOTFS plus /etc/motd and /opt/old, then a layer that deletes
// /etc/motd (a whiteout), makes /opt opaque and adds /opt/new. CONFIG, a
// JSON file, is the image's config blob ({"config":{"Entrypoint":…}});
// DIR's files make a third layer.
func mkoci() {
	if len(os.Args) < 3 || len(os.Args) > 5 {
		fatalf("usage: mkoci out rootfs [config.json [dir]]")
	}
	out, rootfs := os.Args[1], os.Args[2]
	var base bytes.Buffer
	tw := tar.NewWriter(&base)
	if err := image.TarTree(tw, rootfs); err != nil {
		fatalf("mkoci: %v", err)
	}
	addFile(tw, "etc/motd", "old motd")
	addFile(tw, "opt/old", "old")
	tw.Close()
	var top bytes.Buffer
	tw = tar.NewWriter(&top)
	addFile(tw, "etc/.wh.motd", "")
	addFile(tw, "opt/.wh..wh..opq", "")
	addFile(tw, "opt/new", "new")
	tw.Close()
	layers := [][]byte{base.Bytes(), top.Bytes()}
	config := []byte(`{"config":{"Env":["FROM_IMAGE=yes"]}}`)
	if len(os.Args) > 3 {
		var err error
		if config, err = os.ReadFile(os.Args[3]); err != nil {
			fatalf("mkoci: %v", err)
		}
	}
	if len(os.Args) > 4 {
		var extra bytes.Buffer
		tw = tar.NewWriter(&extra)
		if err := image.TarTree(tw, os.Args[4]); err != nil {
			fatalf("mkoci: %v", err)
		}
		tw.Close()
		layers = append(layers, extra.Bytes())
	}
	writeLayout(out, config, layers...)
}

// mktar OUT writes a tar whose second entry climbs out with "..".
func mktar() {
	if len(os.Args) != 2 {
		fatalf("usage: mktar out")
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	addFile(tw, "fine", "ok")
	addFile(tw, "../../escaped", "pwned")
	tw.Close()
	if err := os.WriteFile(os.Args[1], b.Bytes(), 0o644); err != nil {
		fatalf("mktar: %v", err)
	}
}

// flipbyte FILE flips one bit of FILE's middle byte: a tampered blob.
func flipbyte() {
	if len(os.Args) != 2 {
		fatalf("usage: flipbyte file")
	}
	b, err := os.ReadFile(os.Args[1])
	if err != nil || len(b) == 0 {
		fatalf("flipbyte: %v (or empty)", err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(os.Args[1], b, 0o644); err != nil {
		fatalf("flipbyte: %v", err)
	}
}

func addFile(tw *tar.Writer, name, body string) {
	tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))})
	tw.Write([]byte(body))
}

func writeLayout(dir string, config []byte, layers ...[]byte) {
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		fatalf("mkoci: %v", err)
	}
	put := func(b []byte) string {
		sum := sha256.Sum256(b)
		d := hex.EncodeToString(sum[:])
		if err := os.WriteFile(filepath.Join(blobs, d), b, 0o644); err != nil {
			fatalf("mkoci: %v", err)
		}
		return "sha256:" + d
	}
	desc := func(mediaType string, b []byte) map[string]any { // with its size, as registries want
		return map[string]any{"mediaType": mediaType, "digest": put(b), "size": len(b)}
	}
	cfg := desc("application/vnd.oci.image.config.v1+json", config)
	var ls []map[string]any
	for _, l := range layers {
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		w.Write(l)
		w.Close()
		ls = append(ls, desc("application/vnd.oci.image.layer.v1.tar+gzip", gz.Bytes()))
	}
	m, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": cfg, "layers": ls})
	idx, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []map[string]any{desc("application/vnd.oci.image.manifest.v1+json", m)}})
	os.WriteFile(filepath.Join(dir, "index.json"), idx, 0o644)
	os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644)
}
