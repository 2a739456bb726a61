package daemon

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
)

// echoStream is a server whose /v1/echo upgrades and sends back, framed
// as stdout, what the client sends until it half-closes.
func echoStream(t *testing.T) *httptest.Server {
	e := echo.New()
	e.HTTPErrorHandler = errorHandler
	e.POST("/v1/echo", func(c echo.Context) error {
		conn, in, err := upgrade(c, api.StreamMultiplex)
		if err != nil {
			return err
		}
		defer conn.Close()
		_, err = io.Copy(api.NewMuxer(conn).Stream(api.Stdout), in)
		return err
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

// The handshake is Docker's: Connection: Upgrade, Upgrade: tcp, answered
// by 101 and the stream's content type; the client's half-close ends its
// input, and the answer still comes whole.
func TestUpgradeHandshake(t *testing.T) {
	srv := echoStream(t)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/v1/echo", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "tcp")
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Upgrade") != "tcp" ||
		resp.Header.Get("Content-Type") != api.StreamMultiplex {
		t.Fatalf("answer %s %v", resp.Status, resp.Header)
	}
	if _, err := io.WriteString(conn, "hello, stream"); err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	var out, errw strings.Builder
	if err := api.Demux(&out, &errw, r); err != nil {
		t.Fatal(err)
	}
	if out.String() != "hello, stream" || errw.Len() != 0 {
		t.Fatalf("stdout %q, stderr %q", out.String(), errw.String())
	}
}

// A request that does not ask for the upgrade is a 400 that says how.
func TestUpgradeRequired(t *testing.T) {
	srv := echoStream(t)
	resp, err := http.Post(srv.URL+"/v1/echo", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "Upgrade: tcp") {
		t.Fatalf("answer %s %s", resp.Status, b)
	}
}

func TestHeaderHas(t *testing.T) {
	h := http.Header{"Connection": {"keep-alive, Upgrade"}}
	if !headerHas(h, "Connection", "upgrade") || headerHas(h, "Connection", "close") {
		t.Fatal("headerHas")
	}
}
