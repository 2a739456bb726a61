package registry

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// pushLayer gzips content into a file under dir as a PushLayer.
func pushLayer(t *testing.T, dir, content string) PushLayer {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(content))
	zw.Close()
	p := filepath.Join(dir, content)
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	blob, diff := sha256.Sum256(buf.Bytes()), sha256.Sum256([]byte(content))
	return PushLayer{Path: p, Digest: "sha256:" + hex.EncodeToString(blob[:]),
		DiffID: "sha256:" + hex.EncodeToString(diff[:]), Size: int64(buf.Len())}
}

// Push writes an OCI manifest whose config has the image's settings and
// its layers' diff IDs; the registry serves it back by the digest Push
// returned. A digest reference is refused.
func TestPush(t *testing.T) {
	host := serve(t, ggcr.New())
	dir := t.TempDir()
	layers := []PushLayer{pushLayer(t, dir, "bottom"), pushLayer(t, dir, "top")}
	ref := mustParse(t, host+"/test/bb:v1")
	created := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	digest, err := Push(context.Background(), ref, v1.Config{Cmd: []string{"sh"}, Env: []string{"A=1"}}, created, layers, Options{})
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(mustName(t, host+"/test/bb@"+digest))
	if err != nil {
		t.Fatal(err)
	}
	img, err := desc.Image()
	if err != nil {
		t.Fatal(err)
	}
	m, _ := img.Manifest()
	cf, _ := img.ConfigFile()
	if m.MediaType != types.OCIManifestSchema1 || len(m.Layers) != 2 || m.Layers[1].Digest.String() != layers[1].Digest ||
		m.Layers[0].MediaType != types.OCILayer {
		t.Errorf("manifest = %+v", m)
	}
	if len(cf.RootFS.DiffIDs) != 2 || cf.RootFS.DiffIDs[0].String() != layers[0].DiffID || cf.Config.Cmd[0] != "sh" ||
		cf.Config.Env[0] != "A=1" || !cf.Created.Equal(created) || cf.OS != "linux" {
		t.Errorf("config = %+v", cf)
	}
	if _, err := Push(context.Background(), mustParse(t, host+"/test/bb@"+digest), v1.Config{}, created, layers, Options{}); err == nil ||
		!strings.Contains(err.Error(), "a tag is needed") {
		t.Errorf("push by digest: %v", err)
	}
	if r := mustParse(t, "busybox"); r.Repository() != "docker.io/library/busybox" {
		t.Errorf("Repository() = %s", r.Repository())
	}
}
