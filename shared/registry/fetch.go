// Package registry fetches images from registries that speak the OCI
// distribution API (Docker's registry protocol v2), through
// github.com/google/go-containerregistry: it resolves a reference
// (package reference) to its config and layer blobs, and pushes. It knows
// nothing of goC's store; shared/image/remote stores what it fetches.
package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"goc.dev/shared/reference"
)

// MaxManifest bounds a manifest or an index (4 MiB, as containerd): no real
// one comes near it.
const MaxManifest = 4 << 20

// Options are a pull's choices.
type Options struct {
	// Platform picks an image from a multi-platform index: os/arch[/variant]
	// ("" is linux/amd64).
	Platform string
	// Insecure names the registries (host or host:port) that may be reached
	// over plain HTTP besides loopback ones, as Docker's --insecure-registry.
	Insecure []string
	// Transport carries the requests (nil: http.DefaultTransport's
	// settings, trusting the CAs of CertsDir).
	Transport http.RoundTripper
	// Auth answers a registry that asks for credentials (nil: none).
	Auth Credentials
	// CertsDir holds HOST[:PORT]/*.crt, CAs trusted for that registry
	// ("": DefaultCertsDir).
	CertsDir string
}

// Image is what Fetch resolved a reference to.
type Image struct {
	Ref    reference.Reference
	Digest string    // of the manifest or index the reference names
	Config v1.Config // Entrypoint, Cmd, Env, WorkingDir, User, StopSignal…
	Layers []Layer   // bottom first
}

// Layer is one layer blob of an image.
type Layer struct {
	Digest    string
	MediaType string
	Size      int64
	layer     v1.Layer
}

// Open streams the layer blob as the registry sends it (compressed); the
// stream fails at its end if its content does not match Digest.
func (l Layer) Open() (io.ReadCloser, error) { return l.layer.Compressed() }

// Fetch resolves ref: its manifest (from an index, the one for the
// platform), its config, and its layers, which the caller opens.
func Fetch(ctx context.Context, ref reference.Reference, o Options) (*Image, error) {
	plat := v1.Platform{OS: "linux", Architecture: "amd64"}
	if o.Platform != "" {
		p, err := v1.ParsePlatform(o.Platform)
		if err != nil {
			return nil, fmt.Errorf("platform %q: %w", o.Platform, err)
		}
		plat = *p
	}
	r, opts, err := o.remote(ctx, ref)
	if err != nil {
		return nil, err
	}
	desc, err := remote.Get(r, append(opts, remote.WithPlatform(plat))...)
	if err != nil {
		return nil, o.explain(r.Context().RegistryStr(), err)
	}
	img, err := desc.Image()
	if err != nil {
		return nil, err
	}
	return describe(ref, desc.Digest.String(), img)
}

// remote is ref as go-containerregistry is to reach it (plain HTTP where
// that is allowed) and the options of every request to its registry: the
// guarded transport (with the CAs of CertsDir), the credentials, no retry.
func (o Options) remote(ctx context.Context, ref reference.Reference) (name.Reference, []remote.Option, error) {
	r, err := Name(ref)
	if err == nil && plainHTTP(r.Context().RegistryStr(), o.Insecure) {
		r, err = Name(ref, name.Insecure)
	}
	if err != nil {
		return nil, nil, err
	}
	g, err := o.transport(r.Context().RegistryStr())
	if err != nil {
		return nil, nil, err
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithTransport(g), remote.WithRetryBackoff(remote.Backoff{Steps: 1})}
	if o.Auth != nil {
		opts = append(opts, remote.WithAuthFromKeychain(keychain{o.Auth}))
	}
	return r, opts, nil
}

// describe reads img's config and layer list.
func describe(ref reference.Reference, digest string, img v1.Image) (*Image, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	out := &Image{Ref: ref, Digest: digest, Config: cfg.Config}
	for _, d := range m.Layers {
		l, err := img.LayerByDigest(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", d.Digest, err)
		}
		out.Layers = append(out.Layers, Layer{Digest: d.Digest.String(), MediaType: string(d.MediaType), Size: d.Size, layer: l})
	}
	return out, nil
}

// plainHTTP says whether host[:port] may be reached over plain HTTP: a
// loopback registry (127.0.0.0/8, ::1, localhost) or one named insecure.
func plainHTTP(hostport string, insecure []string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return true
	}
	return slices.Contains(insecure, hostport) || slices.Contains(insecure, host)
}

// guard sends over HTTPS what go-containerregistry would send over plain
// HTTP to a registry plainHTTP does not allow (it allows more: private
// addresses, *.localhost), and bounds manifests to MaxManifest.
type guard struct {
	base     http.RoundTripper
	insecure []string
}

func (g guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !plainHTTP(req.URL.Host, g.insecure) {
		req = req.Clone(req.Context())
		req.URL.Scheme = "https"
	}
	resp, err := g.base.RoundTrip(req)
	if err != nil || !strings.Contains(req.URL.Path, "/manifests/") {
		return resp, err
	}
	if resp.ContentLength > MaxManifest {
		resp.Body.Close()
		return nil, fmt.Errorf("manifest of %d bytes refused (more than %d)", resp.ContentLength, MaxManifest)
	}
	resp.Body = &bounded{ReadCloser: resp.Body, left: MaxManifest}
	return resp, nil
}

// errTooLarge is a manifest body longer than MaxManifest.
var errTooLarge = errors.New("manifest refused: larger than 4 MiB")

type bounded struct {
	io.ReadCloser
	left int64
}

func (b *bounded) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.left -= int64(n); b.left < 0 {
		return 0, errTooLarge
	}
	return n, err
}

// NotFound says whether err is a registry's answer that the repository or
// the tag or digest does not exist (HTTP 404).
func NotFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}

// Name is ref as the registry client has it.
func Name(ref reference.Reference, opts ...name.Option) (name.Reference, error) {
	return name.ParseReference(ref.String(), opts...)
}
