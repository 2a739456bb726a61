package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"goc.dev/shared/registry/authfile"
)

// tokenRegistry is a registry on loopback that takes only a bearer token,
// which its token server (same host, /token) gives ann (password
// "secret"), as Docker Hub does; it holds HOST/busy:1.
func tokenRegistry(t *testing.T) string {
	t.Helper()
	reg := ggcr.New()
	var realm string
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			if u, p, ok := r.BasicAuth(); !ok || u != "ann" || p != "secret" {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"wrong password"}]}`))
				return
			}
			w.Write([]byte(`{"token":"T0K3N"}`))
			return
		}
		if r.Header.Get("Authorization") != "Bearer T0K3N" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`",service="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"token required"}]}`))
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	realm = s.URL + "/token"
	host := strings.TrimPrefix(s.URL, "http://")
	ann := One{Registry: host, Auth: authfile.Auth{Username: "ann", Password: "secret"}}
	if err := remote.Write(mustName(t, host+"/busy:1"), image(t, "amd64", "true"),
		remote.WithAuthFromKeychain(keychain{ann})); err != nil {
		t.Fatal(err)
	}
	return host
}

// Bearer tokens: go-containerregistry fetches one with the credentials.
func TestBearerToken(t *testing.T) {
	host := tokenRegistry(t)
	ctx := context.Background()
	ann := authfile.Auth{Username: "ann", Password: "secret"}
	if _, err := Fetch(ctx, mustParse(t, host+"/busy:1"), Options{Auth: One{Registry: host, Auth: ann}}); err != nil {
		t.Errorf("Fetch with credentials: %v", err)
	}
	if _, err := Fetch(ctx, mustParse(t, host+"/busy:1"), Options{}); !Unauthorized(err) {
		t.Errorf("Fetch without: %v, want a 401", err)
	}
	if err := Login(ctx, host, ann, Options{}); err != nil {
		t.Errorf("Login: %v", err)
	}
	err := Login(ctx, host, authfile.Auth{Username: "ann", Password: "wrong"}, Options{})
	if !Unauthorized(err) || !strings.Contains(err.Error(), "wrong password") {
		t.Errorf("Login with a wrong password: %v, want the token server's 401", err)
	}
}
