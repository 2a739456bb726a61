package client

import (
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func serve(t *testing.T, h http.HandlerFunc) string {
	sock := filepath.Join(t.TempDir(), "d.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return sock
}

func TestErrorsAndDecoding(t *testing.T) {
	sock := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/containers/web":
			w.Write([]byte(`{"id":"abc","name":"web","status":"running","oomKilled":false}`))
		case "/v1/containers/web/wait":
			w.Write([]byte(`{"exitCode":7}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"no such container: ` + strings.TrimPrefix(r.URL.Path, "/v1/containers/") + `"}`))
		}
	})
	c := New(sock)
	ct, err := c.Inspect("web")
	if err != nil || ct.Name != "web" || ct.Status != "running" {
		t.Fatalf("Inspect = %+v, %v", ct, err)
	}
	if code, err := c.Wait("web"); err != nil || code != 7 {
		t.Fatalf("Wait = %d, %v", code, err)
	}
	_, err = c.Inspect("nope")
	var e *Error
	if !errors.As(err, &e) || e.Status != 404 || e.Message != "no such container: nope" {
		t.Fatalf("Inspect(nope) error = %#v", err)
	}
}

func TestNoDaemon(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	_, err := New(sock).Version()
	if err == nil || err.Error() != "cannot reach goCd at "+sock+": is it running?" {
		t.Fatalf("error = %v", err)
	}
}

// A list without filters asks for /containers, not /containers? (a URL a
// user sees in error messages); with filters, the query carries them.
func TestListURL(t *testing.T) {
	var got []string
	sock := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.RequestURI())
		w.Write([]byte(`[]`))
	})
	c := New(sock)
	if _, err := c.ListFiltered(false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListFiltered(true, []string{"name=web"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"/v1/containers", "/v1/containers?all=1&filter=name%3Dweb"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("requests = %q, want %q", got, want)
	}
}

// Close ends the connection kept for the next request: goCd sees it
// closed, and the client still works afterwards (on a new one).
func TestClose(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "d.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{}, 4)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"version":"x"}`)) }),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateClosed {
				closed <- struct{}{}
			}
		},
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	c := New(sock)
	if _, err := c.Version(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the server's connection is still open after Close")
	}
	if _, err := c.Version(); err != nil {
		t.Fatalf("Version after Close: %v", err)
	}
}
