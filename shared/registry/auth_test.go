package registry

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"goc.dev/shared/registry/authfile"
)

// tlsRegistry is an in-memory registry over TLS on loopback that lets in
// only ann (password "secret"), with basic auth as Debian's docker-registry
// with htpasswd; it returns its host:port and a certs.d directory that
// trusts its certificate.
func tlsRegistry(t *testing.T) (host, certsDir string) {
	t.Helper()
	reg := ggcr.New()
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "ann" || p != "secret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`))
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	host = strings.TrimPrefix(s.URL, "https://")
	certsDir = t.TempDir()
	os.MkdirAll(filepath.Join(certsDir, host), 0o755)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(certsDir, host, "ca.crt"), ca, 0o644); err != nil {
		t.Fatal(err)
	}
	err := remote.Write(mustName(t, host+"/busy:1"), image(t, "amd64", "true"),
		remote.WithTransport(s.Client().Transport), remote.WithAuth(&authn.Basic{Username: "ann", Password: "secret"}))
	if err != nil {
		t.Fatal(err)
	}
	return host, certsDir
}

func TestFetchAuthAndTLS(t *testing.T) {
	host, certs := tlsRegistry(t)
	ref := mustParse(t, host+"/busy:1")
	ann := One{Registry: host, Auth: authfile.Auth{Username: "ann", Password: "secret"}}
	ctx := context.Background()
	if _, err := Fetch(ctx, ref, Options{CertsDir: certs, Auth: ann}); err != nil {
		t.Errorf("with credentials and the CA: %v", err)
	}
	_, err := Fetch(ctx, ref, Options{CertsDir: certs})
	if !Unauthorized(err) || !strings.Contains(err.Error(), "UNAUTHORIZED") {
		t.Errorf("no credentials: %v, want a 401", err)
	}
	other := One{Registry: "127.0.0.1:1", Auth: ann.Auth}
	if _, err := Fetch(ctx, ref, Options{CertsDir: certs, Auth: other}); !Unauthorized(err) {
		t.Errorf("credentials of another registry: %v, want a 401", err)
	}
	_, err = Fetch(ctx, ref, Options{CertsDir: t.TempDir(), Auth: ann})
	want := "registry " + host + ": certificate not trusted: x509: certificate signed by unknown authority"
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("no CA: %v, want %q…", err, want)
	}
}

func TestLogin(t *testing.T) {
	host, certs := tlsRegistry(t)
	ctx := context.Background()
	if err := Login(ctx, "https://"+host+"/v2/", authfile.Auth{Username: "ann", Password: "secret"}, Options{CertsDir: certs}); err != nil {
		t.Errorf("right password: %v", err)
	}
	err := Login(ctx, host, authfile.Auth{Username: "ann", Password: "wrong"}, Options{CertsDir: certs})
	if !Unauthorized(err) || !strings.Contains(err.Error(), "authentication required") {
		t.Errorf("wrong password: %v, want the registry's 401", err)
	}
	err = Login(ctx, host, authfile.Auth{Username: "ann", Password: "secret"}, Options{CertsDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "certificate not trusted") {
		t.Errorf("no CA: %v, want certificate not trusted", err)
	}
	plain := serve(t, ggcr.New())
	if err := Login(ctx, plain, authfile.Auth{Username: "x", Password: "y"}, Options{}); err != nil {
		t.Errorf("a registry without auth: %v, want success (as Docker)", err)
	}
}

func TestCertPoolDamaged(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "reg.example:5000"), 0o755)
	os.WriteFile(filepath.Join(dir, "reg.example:5000", "ca.crt"), []byte("not a certificate"), 0o644)
	_, err := Fetch(context.Background(), mustParse(t, "reg.example:5000/busy:1"), Options{CertsDir: dir})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "reg.example:5000", "ca.crt")) {
		t.Errorf("a ca.crt that is no certificate: %v, want an error naming it", err)
	}
}

func TestOneLookup(t *testing.T) {
	o := One{Registry: "https://127.0.0.1:5000", Auth: authfile.Auth{Username: "a", Password: "b"}}
	if a, ok, _ := o.Lookup("127.0.0.1:5000"); !ok || a.Username != "a" {
		t.Errorf("own registry: %v %v", a, ok)
	}
	if _, ok, _ := o.Lookup("127.0.0.1:5001"); ok {
		t.Error("another registry: found")
	}
}

// goC-cli finds a reference's registry with authfile.RegistryOf (it does
// not link go-containerregistry): it agrees with Parse.
func TestRegistryOfAgreesWithParse(t *testing.T) {
	for _, s := range []string{"busybox", "library/busybox:1", "user/app", "127.0.0.1:5000/busy:1",
		"localhost/x", "localhost:5000/a/b", "reg.example/a/b:c", "docker.io/library/x", "index.docker.io/x/y",
		"[::1]:5000/x", "reg.example:5000/x@sha256:" + strings.Repeat("a", 64)} {
		r := mustParse(t, s)
		if authfile.Key(authfile.RegistryOf(s)) != authfile.Key(r.Registry()) {
			t.Errorf("%s: RegistryOf %q, Parse %q", s, authfile.RegistryOf(s), r.Registry())
		}
	}
}
