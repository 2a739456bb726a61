package daemon

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
)

func server(t *testing.T) *echo.Echo {
	e := echo.New()
	d := &Daemon{Runtime: "/nonexistent/goC", DataRoot: t.TempDir(), StateRoot: t.TempDir(), Version: "test"}
	d.Routes(e)
	return e
}

func TestRequests(t *testing.T) {
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string // in the body
	}{
		{"ping", "GET", "/v1/ping", "", 200, "OK"},
		{"version", "GET", "/v1/version", "", 200, `"apiVersion":"v1"`},
		{"no containers", "GET", "/v1/containers?all=1", "", 200, "[]"},
		{"no images", "GET", "/v1/images", "", 200, "[]"},
		{"bad json", "POST", "/v1/containers", "{", 400, "invalid request body"},
		{"unknown field", "POST", "/v1/containers", `{"image":"x","colour":"blue"}`, 400, "unknown field"},
		{"no image", "POST", "/v1/containers", `{"cmd":["true"]}`, 400, "image is required"},
		{"unknown image", "POST", "/v1/containers", `{"image":"nope","cmd":["true"]}`, 404, "no such image"},
		{"unknown container", "GET", "/v1/containers/nope", "", 404, "no such container: nope"},
		{"stop unknown", "POST", "/v1/containers/nope/stop", "", 404, "no such container"},
		{"delete unknown", "DELETE", "/v1/containers/nope", "", 404, "no such container"},
		{"hostile image name", "POST", "/v1/images?name=../x", "", 400, "invalid image name"},
		{"remove unknown image", "DELETE", "/v1/images/nope", "", 404, "no such image"},
		{"unknown route", "GET", "/v1/nothing", "", 404, "Not Found"},
	}
	e := server(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("%s %s = %d %s; want %d with %q", tc.method, tc.path, rec.Code, rec.Body, tc.status, tc.want)
			}
			if tc.status >= 400 {
				var e api.Error
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Message == "" {
					t.Fatalf("error body %q is not {\"message\": …}", rec.Body)
				}
			}
		})
	}
}

func TestCreateBodyLimit(t *testing.T) {
	e := server(t)
	big := `{"image":"x","cmd":["` + strings.Repeat("a", 2<<20) + `"]}`
	req := httptest.NewRequest(http.MethodPost, "/v1/containers", strings.NewReader(big))
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != 400 {
		t.Fatalf("a 2 MiB create body = %d, want 400", rec.Code)
	}
}
