package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"goc.dev/shared/atomicfile"
	"goc.dev/shared/registry"
)

// Pull fetches ref from its registry into the store and records it under
// the reference's canonical name (docker.io/library/busybox:latest). A
// layer already in the store is not fetched again; a fetched layer is
// written to a temporary file, its digest checked, and only then unpacked
// (into a temporary directory renamed into place), so a tampered or
// truncated blob leaves nothing behind. The layers it finished stay, so a
// pull that failed later does not fetch them again.
func (s Store) Pull(ctx context.Context, ref string, o registry.Options, progress io.Writer) (*Image, error) {
	r, err := registry.Parse(ref)
	if err != nil {
		return nil, err
	}
	remote, err := registry.Fetch(ctx, r, o)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", r, err)
	}
	c := remote.Config
	img := &Image{Name: r.String(), Digest: remote.Digest, Created: time.Now().UTC()}
	img.setConfig(c.Env, c.Entrypoint, c.Cmd, c.WorkingDir, c.User, c.StopSignal)
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	for i, l := range remote.Layers {
		if err := s.pullLayer(l, progress, i+1, len(remote.Layers)); err != nil {
			return nil, fmt.Errorf("pull %s: layer %s: %w", r, l.Digest, err)
		}
		img.Layers = append(img.Layers, l.Digest)
		img.Size += l.Size // for a pulled image: its compressed layers' size
	}
	b, err := json.MarshalIndent(img, "", "  ")
	if err != nil {
		return nil, err
	}
	p := s.imagePath(img.Name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, err
	}
	return img, atomicfile.Write(p, b, 0o600)
}

// pullLayer fetches layer l unless the store has it, checks its digest,
// then unpacks it.
func (s Store) pullLayer(l registry.Layer, progress io.Writer, i, n int) error {
	if !digestRE().MatchString(l.Digest) {
		return fmt.Errorf("digest %q: not sha256:<64 hex digits>", l.Digest)
	}
	if exists(s.LayerDir(l.Digest)) {
		report(progress, "layer %d/%d %.19s… already present", i, n, l.Digest)
		return nil
	}
	dir := filepath.Join(s.Root, "layers")
	if err := os.MkdirAll(filepath.Join(dir, "sha256"), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".blob-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := fetchBlob(l, f); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r, err := decompress(f)
	if err != nil {
		return err
	}
	_, _, err = s.addLayer(r, l.Digest, progress, i, n)
	return err
}

// fetchBlob copies layer l's blob into f and checks its digest.
func fetchBlob(l registry.Layer, f *os.File) error {
	rc, err := l.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), rc); err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != l.Digest {
		return fmt.Errorf("content has digest %s: refused", got)
	}
	return nil
}
