package daemon

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
)

// files lists every path under the daemon's roots.
func files(t *testing.T, d *Daemon) []string {
	t.Helper()
	var all []string
	for _, root := range []string{d.DataRoot, d.StateRoot} {
		filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
			if err != nil && !os.IsNotExist(err) {
				t.Errorf("walk %s: %v", p, err)
			}
			all = append(all, p)
			return nil
		})
	}
	sort.Strings(all)
	return all
}

// refusal checks a response to bad input: a 4xx whose body is one line of
// JSON {"message": …}; never a 5xx.
func refusal(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s = %d %s: bad input is the client's error, not the server's", what, rec.Code, rec.Body)
	}
	var e api.Error
	body := strings.TrimSuffix(rec.Body.String(), "\n")
	if strings.Contains(body, "\n") || json.Unmarshal([]byte(body), &e) != nil || e.Message == "" {
		t.Fatalf("%s = %d: body %q is not one line of {\"message\": …}", what, rec.Code, body)
	}
}

// FuzzCreateBody: POST /v1/containers with any body (create only, not
// started). Refused: a 4xx with a JSON error and nothing new under the
// daemon's roots (no record directory, no volume). Accepted: removed again.
func FuzzCreateBody(f *testing.F) {
	for _, s := range []string{`{"image":"img","cmd":["true"]}`, `{`, `{"image":"x","colour":"blue"}`, `{"cmd":["true"]}`,
		`{"image":"img","cmd":["true"],"name":"../x"}`, `{"image":"img","mounts":[{"source":"v","target":"/d"}]}`,
		`{"image":"img","memory":"12q"}`, `{"image":"img","ports":["99999:80"]}`, `{"image":"img","env":["A"],"volumes":["/:/x:zz"]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		d, e := fake(t)
		before := files(t, d)
		req := httptest.NewRequest("POST", "/v1/containers", strings.NewReader(body))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code == 201 {
			var ct api.Container
			json.Unmarshal(rec.Body.Bytes(), &ct)
			call(t, e, "DELETE", "/v1/containers/"+url.PathEscape(ct.ID)+"?force=1", nil)
			return
		}
		refusal(t, "create "+body, rec)
		if after := files(t, d); strings.Join(after, "\n") != strings.Join(before, "\n") {
			t.Fatalf("a refused create left files: before %v, after %v", before, after)
		}
	})
}

// FuzzListQuery: any query string on the list endpoints (filters, all,
// format…) is answered with a 2xx or a 4xx JSON error, never a 5xx.
func FuzzListQuery(f *testing.F) {
	for _, s := range []string{"all=1", "filters=status%3Drunning", "filters=label%3Da%3Db&all=true", "all=maybe", "filters=%7B", "since=x&tail=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		_, e := fake(t)
		for _, p := range []string{"/v1/containers", "/v1/images", "/v1/volumes"} {
			req := httptest.NewRequest("GET", "/", nil)
			req.URL.Path, req.URL.RawQuery = p, query
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code >= 300 {
				refusal(t, p+"?"+query, rec)
			}
		}
	})
}
