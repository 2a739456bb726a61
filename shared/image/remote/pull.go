package remote

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"goc.dev/shared/image"
	"goc.dev/shared/reference"
	"goc.dev/shared/registry"
)

// Pull fetches ref from its registry into the store and records it under
// the reference's canonical name (docker.io/library/busybox:latest). A
// layer already in the store is not fetched again; a fetched layer is
// written to a temporary file, its digest checked, and only then unpacked
// (into a temporary directory renamed into place), so a tampered or
// truncated blob leaves nothing behind. The layers it finished stay, so a
// pull that failed later does not fetch them again.
func Pull(ctx context.Context, s image.Store, ref string, o registry.Options, progress io.Writer) (*image.Image, error) {
	r, err := reference.Parse(ref)
	if err != nil {
		return nil, err
	}
	remote, err := registry.Fetch(ctx, r, o)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", r, err)
	}
	c := remote.Config
	img := &image.Image{Name: r.String(), Digest: remote.Digest, Created: time.Now().UTC()}
	img.SetConfig(c.Env, c.Entrypoint, c.Cmd, c.WorkingDir, c.User, c.StopSignal)
	unlock, err := s.SharedLock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := pullLayers(s, remote.Layers, newPullProgress(progress)); err != nil {
		return nil, fmt.Errorf("pull %s: %w", r, err)
	}
	for _, l := range remote.Layers {
		img.Layers = append(img.Layers, l.Digest)
		img.Size += l.Size // for a pulled image: its compressed layers' size
	}
	return img, s.Write(img)
}

// pullLayers fetches and unpacks layers in order, bottom first; a
// layer's error ends the pull before the layers above it are fetched.
func pullLayers(s image.Store, layers []registry.Layer, p *pullProgress) error {
	for _, l := range layers {
		if !exists(s.LayerDir(l.Digest)) {
			p.event(l.Digest, "Pulling fs layer", 0, 0)
		}
	}
	for i, l := range layers {
		if err := pullLayer(s, l, p, i+1, len(layers)); err != nil {
			return fmt.Errorf("layer %s: %w", l.Digest, err)
		}
	}
	return nil
}

// pullLayer fetches layer l unless the store has it, checks its digest,
// then unpacks it. A pull of l by another goroutine or process is waited
// for, and what it stored is taken.
func pullLayer(s image.Store, l registry.Layer, p *pullProgress, i, n int) error {
	if !digestRE().MatchString(l.Digest) {
		return fmt.Errorf("digest %q: not sha256:<64 hex digits>", l.Digest)
	}
	present := func() bool {
		if !exists(s.LayerDir(l.Digest)) {
			return false
		}
		p.event(l.Digest, "Already exists", 0, 0)
		p.line("layer %d/%d %.19s… already present", i, n, l.Digest)
		return true
	}
	if present() {
		return nil
	}
	unlock, err := s.LayerLock(l.Digest, func() { p.event(l.Digest, "Waiting", 0, 0) })
	if err != nil {
		return err
	}
	defer unlock()
	if present() { // another pull stored it meanwhile
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
	if err := fetchBlob(l, f, p); err != nil {
		return err
	}
	return extract(s, l, f, p, i, n)
}

// extract unpacks the fetched blob f of layer l into the store.
func extract(s image.Store, l registry.Layer, f *os.File, p *pullProgress, i, n int) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r, err := image.Decompress(f)
	if err != nil {
		return err
	}
	p.event(l.Digest, "Extracting", 0, 0)
	if _, _, err = s.AddLayer(r, l.Digest, p, i, n); err != nil {
		return err
	}
	p.event(l.Digest, "Pull complete", 0, 0)
	return nil
}

// fetchBlob copies layer l's blob into f and checks its digest.
func fetchBlob(l registry.Layer, f *os.File, p *pullProgress) error {
	rc, err := l.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	d := &downloadReader{r: rc, p: p, digest: l.Digest, tot: l.Size}
	if _, err := io.Copy(io.MultiWriter(f, h), d); err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	p.event(l.Digest, "Verifying Checksum", 0, 0)
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != l.Digest {
		return fmt.Errorf("content has digest %s: refused", got)
	}
	p.event(l.Digest, "Download complete", 0, 0)
	return nil
}
