package client

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"goc.dev/shared/testcerts"
	"goc.dev/stage5/api"
)

// upgrader answers an upgrade as goCd does (101, then the raw stream) and
// echoes, in upper case, what it reads until the client half-closes; any
// other request gets goCd's error body.
func upgrader(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") != "tcp" || r.Header.Get("Connection") != "Upgrade" || r.URL.Path != "/v1/containers/c/attach" {
		w.WriteHeader(http.StatusConflict)
		fmt.Fprint(w, `{"message":"container c is not running"}`)
		return
	}
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(rw, "HTTP/1.1 101 UPGRADED\r\nContent-Type: %s\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", api.StreamRaw)
	rw.Flush()
	b, _ := io.ReadAll(rw)
	io.WriteString(conn, strings.ToUpper(string(b)))
}

// serveUpgrader serves upgrader on l until the test ends.
func serveUpgrader(t *testing.T, l net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(upgrader)}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

// roundTrip attaches, sends, half-closes and reads the answer.
func roundTrip(t *testing.T, c *Client) {
	t.Helper()
	s, err := c.Attach("c")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Raw {
		t.Error("a raw stream is not Raw")
	}
	io.WriteString(s, "hello")
	if err := s.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(s); string(b) != "HELLO" {
		t.Fatalf("read %q", b)
	}
}

// The stream works over the unix socket and over mutual TLS alike, the
// half-close included; an answer other than 101 is goCd's error.
func TestUpgradeUnixAndTLS(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "d.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	serveUpgrader(t, l)
	roundTrip(t, New(sock))

	dir := t.TempDir()
	if err := testcerts.Write(dir); err != nil {
		t.Fatal(err)
	}
	f := func(name string) string { return filepath.Join(dir, name) }
	pair, err := tls.LoadX509KeyPair(f("server-cert.pem"), f("server-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots, err := CertPool(f("ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	tl, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: roots})
	if err != nil {
		t.Fatal(err)
	}
	serveUpgrader(t, tl)
	cfg, err := TLSConfig(f("ca.pem"), f("cert.pem"), f("key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewHost("tcp://"+tl.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c)

	_, err = New(sock).ExecStart("x")
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusConflict || e.Message != "container c is not running" {
		t.Fatalf("a refused upgrade: %v", err)
	}
}
