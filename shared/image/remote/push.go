package remote

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"goc.dev/shared/image"
	"goc.dev/shared/reference"
	"goc.dev/shared/registry"
	"goc.dev/shared/registry/authfile"
)

// Push sends the image ref names (Find) to the registry ref names: each
// layer, stored unpacked, is written again as a tar (LayerTar), gzipped
// into a temporary file while its two digests are computed, then
// registry.Push writes the blobs the registry lacks and the manifest. The
// image's record gets the manifest's digest.
func Push(ctx context.Context, s image.Store, ref string, o registry.Options, progress io.Writer) (*image.Image, error) {
	r, err := reference.Parse(ref)
	if err != nil {
		return nil, err
	}
	if r.Tag() == "" {
		return nil, fmt.Errorf("%w %q: push needs a tag, not a digest", reference.ErrBadReference, ref)
	}
	name, err := s.Find(ref)
	if err != nil {
		return nil, err
	}
	unlock, err := s.Lock() // no layer goes while it is read
	if err != nil {
		return nil, err
	}
	defer unlock()
	img, err := s.Get(name)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(s.Root, ".push-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var layers []registry.PushLayer
	for i, l := range img.Layers {
		pl, err := compressLayer(s.LayerDir(l), filepath.Join(tmp, strconv.Itoa(i)))
		if err != nil {
			return nil, fmt.Errorf("push %s: layer %s: %w", r, l, err)
		}
		report(progress, "layer %d/%d %.19s… %.1f MB", i+1, len(img.Layers), pl.Digest, float64(pl.Size)/1e6)
		layers = append(layers, pl)
	}
	if img.Digest, err = registry.Push(ctx, r, config(img), img.Created, layers, o); err != nil {
		return nil, err
	}
	return img, s.Write(img)
}

// config is the image configuration a push sends: what a pull or an
// import kept of the image's own.
func config(img *image.Image) v1.Config {
	return v1.Config{Env: img.Env, Entrypoint: img.Entrypoint, Cmd: img.Cmd, WorkingDir: img.Workdir,
		User: img.User, StopSignal: img.StopSignal}
}

// compressLayer writes the layer unpacked in dir to file as a gzipped tar.
func compressLayer(dir, file string) (registry.PushLayer, error) {
	f, err := os.Create(file)
	if err != nil {
		return registry.PushLayer{}, err
	}
	defer f.Close()
	blob, diff := sha256.New(), sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, blob)}
	zw := gzip.NewWriter(cw)
	if err := image.LayerTar(io.MultiWriter(zw, diff), dir); err != nil {
		return registry.PushLayer{}, err
	}
	if err := zw.Close(); err != nil {
		return registry.PushLayer{}, err
	}
	if err := f.Close(); err != nil {
		return registry.PushLayer{}, err
	}
	return registry.PushLayer{Path: file, Digest: "sha256:" + hex.EncodeToString(blob.Sum(nil)),
		DiffID: "sha256:" + hex.EncodeToString(diff.Sum(nil)), Size: cw.n}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// pushCommand is "goC image tag SOURCE TARGET" and
// "goC image push [--insecure-registry HOST]… REF" (progress on stderr).
func pushCommand(s image.Store, args []string) error {
	if args[0] == "tag" {
		if len(args) != 3 {
			return errors.New("image tag: need SOURCE and TARGET")
		}
		img, err := s.Tag(args[1], args[2])
		if err == nil {
			fmt.Printf("%s: %s\n", img.Name, img.ID())
		}
		return err
	}
	var o registry.Options
	if creds, err := authfile.Default(); err == nil { // goC-cli login's, as pull
		o.Auth = creds
	}
	fs := flag.NewFlagSet("image push", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.CertsDir, "certs-dir", registry.DefaultCertsDir, "")
	fs.Func("insecure-registry", "", func(h string) error { o.Insecure = append(o.Insecure, h); return nil })
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("image push: %w", err)
	}
	if fs.NArg() != 1 {
		return errors.New("image push: need REF")
	}
	img, err := Push(context.Background(), s, fs.Arg(0), o, os.Stderr)
	if err == nil {
		fmt.Printf("%s: digest %s\n", img.Name, img.Digest)
	}
	return err
}
