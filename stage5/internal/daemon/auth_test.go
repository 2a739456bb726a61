package daemon

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"goc.dev/stage5/api"
)

// passwordRegistry is a registry on loopback that lets in only ann
// (password "s3cret"), holding HOST/rand:1.
func passwordRegistry(t *testing.T) string {
	t.Helper()
	reg := ggcr.New()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "ann" || p != "s3cret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`))
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	host := strings.TrimPrefix(s.URL, "http://")
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(host + "/rand:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: "ann", Password: "s3cret"})); err != nil {
		t.Fatal(err)
	}
	return host
}

func callAuth(e http.Handler, path, header string) (int, string) {
	req := httptest.NewRequest("POST", path, nil)
	if header != "" {
		req.Header.Set(api.RegistryAuthHeader, header)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// POST /v1/auth checks credentials against the registry (200 or its 401);
// a pull carries them in X-Registry-Auth; goCd stores none.
func TestAuthAndPullWithCredentials(t *testing.T) {
	host := passwordRegistry(t)
	d, e := fake(t)
	for pass, want := range map[string]int{"s3cret": http.StatusOK, "wrong": http.StatusUnauthorized} {
		code, body := call(t, e, "POST", "/v1/auth", api.AuthConfig{Username: "ann", Password: pass, ServerAddress: host})
		if code != want || want == http.StatusOK && !strings.Contains(body, "Login Succeeded") ||
			want != http.StatusOK && !strings.Contains(body, "UNAUTHORIZED") {
			t.Errorf("auth with %q: %d %s, want %d", pass, code, body, want)
		}
	}
	if code, body := call(t, e, "POST", "/v1/auth", "not an object"); code != http.StatusBadRequest {
		t.Errorf("auth with a bad body: %d %s, want 400", code, body)
	}
	pull := "/v1/images/pull?ref=" + url.QueryEscape(host+"/rand:1")
	right := api.AuthConfig{Username: "ann", Password: "s3cret", ServerAddress: host}.Encode()
	for header, want := range map[string]int{
		"":    http.StatusUnauthorized,
		"%%%": http.StatusBadRequest,
		right: http.StatusCreated,
		api.AuthConfig{Username: "ann", Password: "s3cret", ServerAddress: "127.0.0.1:1"}.Encode(): http.StatusUnauthorized,
	} {
		if code, body := callAuth(e, pull, header); code != want {
			t.Errorf("pull with %q: %d %s, want %d", header, code, body, want)
		}
	}
	filepath.Walk(d.DataRoot, func(p string, fi os.FileInfo, err error) error {
		if b, _ := os.ReadFile(p); err == nil && fi.Mode().IsRegular() && bytes.Contains(b, []byte("s3cret")) {
			t.Errorf("%s holds the password", p)
		}
		return nil
	})
}

// goCd's --insecure-registry and --certs-dir reach every pull and login.
func TestRegistryOptions(t *testing.T) {
	d := &Daemon{InsecureRegistries: []string{"reg.example:5000"}, CertsDir: "/etc/x/certs.d"}
	o := d.registryOptions(&api.AuthConfig{Username: "ann", Password: "pw", ServerAddress: "reg.example:5000"})
	a, ok, _ := o.Auth.Lookup("reg.example:5000")
	if len(o.Insecure) != 1 || o.Insecure[0] != "reg.example:5000" || o.CertsDir != "/etc/x/certs.d" || !ok || a.Password != "pw" {
		t.Errorf("registryOptions = %+v (%+v %v)", o, a, ok)
	}
	if o := d.registryOptions(nil); o.Auth != nil {
		t.Errorf("no X-Registry-Auth: credentials %+v", o.Auth)
	}
}
