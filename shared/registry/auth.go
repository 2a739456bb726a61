package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"goc.dev/shared/reference"
	"goc.dev/shared/registry/authfile"
)

// DefaultCertsDir holds the CAs of registries, as Docker's
// /etc/docker/certs.d: HOST[:PORT]/*.crt are trusted for that registry,
// besides the system's.
const DefaultCertsDir = "/etc/goC/certs.d"

// Credentials finds a registry's user and password: an authfile.File (the
// config.json), or One.
type Credentials interface {
	Lookup(registry string) (authfile.Auth, bool, error)
}

// One is the credentials of one registry (what a client sent goCd in
// X-Registry-Auth); other registries get none.
type One struct {
	Registry string
	authfile.Auth
}

// Lookup is o's credentials if registry is o's.
func (o One) Lookup(registry string) (authfile.Auth, bool, error) {
	return o.Auth, authfile.Key(registry) == authfile.Key(o.Registry), nil
}

// keychain is Credentials as go-containerregistry asks for them; it
// answers a registry's Basic or Bearer challenge with them.
type keychain struct{ c Credentials }

func (k keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	a, ok, err := k.c.Lookup(r.RegistryStr())
	if err != nil || !ok {
		return authn.Anonymous, err
	}
	return authn.FromConfig(authn.AuthConfig{Username: a.Username, Password: a.Password}), nil
}

// Login checks a against registry as docker login does: the registry's
// /v2/ answers 200 with them (after a token exchange if it asks for a
// bearer token). A registry that asks for no credentials takes any.
// registry is read as authfile.Key reads it: https://HOST:PORT/v2/ is
// HOST:PORT, docker.io Docker Hub.
func Login(ctx context.Context, registry string, a authfile.Auth, o Options) error {
	host := authfile.Key(registry)
	if host == authfile.DockerHub {
		host = name.DefaultRegistry
	}
	var opts []name.Option
	if plainHTTP(host, o.Insecure) {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(host, opts...)
	if err != nil {
		return fmt.Errorf("%w %q: %w", reference.ErrBadReference, registry, err)
	}
	rt, err := o.transport(reg.RegistryStr())
	if err != nil {
		return err
	}
	auth := authn.FromConfig(authn.AuthConfig{Username: a.Username, Password: a.Password})
	tr, err := transport.NewWithContext(ctx, reg, auth, rt, nil)
	if err != nil {
		return o.explain(reg.RegistryStr(), err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+reg.RegistryStr()+"/v2/", nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return o.explain(reg.RegistryStr(), err)
	}
	defer resp.Body.Close()
	return transport.CheckError(resp, http.StatusOK)
}

// Unauthorized says whether err is a registry's 401: no credentials, or
// wrong ones.
func Unauthorized(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusUnauthorized
}

// transport is what carries requests to host: o.Transport if set, else
// one that trusts the system's CAs and host's in the certs directory;
// plain HTTP only where plainHTTP allows it.
func (o Options) transport(host string) (http.RoundTripper, error) {
	base := o.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		pool, err := o.certPool(host)
		if err != nil {
			return nil, err
		}
		if pool != nil {
			t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		base = t
	}
	return guard{base: base, insecure: o.Insecure}, nil
}

func (o Options) certsDir() string {
	if o.CertsDir == "" {
		return DefaultCertsDir
	}
	return o.CertsDir
}

// certPool is the system's CAs and those in CERTSDIR/host/*.crt; nil when
// there are none of the latter.
func (o Options) certPool(host string) (*x509.CertPool, error) {
	files, _ := filepath.Glob(filepath.Join(o.certsDir(), host, "*.crt"))
	if len(files) == 0 {
		return nil, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("registry %s: %w", host, err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("registry %s: %s: no PEM certificate in it", host, f)
		}
	}
	return pool, nil
}

// explain makes a certificate that does not verify one clear error naming
// the registry and where its CA goes.
func (o Options) explain(host string, err error) error {
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		return fmt.Errorf("registry %s: certificate not trusted: %w (its CA goes in %s)",
			host, cv.Err, filepath.Join(o.certsDir(), host, "ca.crt"))
	}
	return err
}
