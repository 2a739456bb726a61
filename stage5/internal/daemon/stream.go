package daemon

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
)

// An attached stream is Docker's: the client asks to upgrade its HTTP/1.1
// connection (Connection: Upgrade, Upgrade: tcp), goCd answers 101 and
// takes the connection over from the HTTP server (it is "hijacked"); from
// then on it carries the process's input one way and its output the
// other, multiplexed (api.Muxer) unless there is a terminal. The client's
// half-close (shutdown of its writing side) is the end of the input.

// wantsUpgrade is a 400 unless the request asks for the upgrade.
func wantsUpgrade(r *http.Request) error {
	if !strings.EqualFold(r.Header.Get(api.HeaderUpgrade), api.UpgradeProto) ||
		!headerHas(r.Header, api.HeaderConnection, "upgrade") {
		return bad("this endpoint streams: send Connection: Upgrade and Upgrade: %s", api.UpgradeProto)
	}
	return nil
}

// headerHas tells whether the comma-separated header name lists token.
func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// upgrade answers 101 with contentType and takes the connection over:
// what the client sends is read from in (which may hold bytes the server
// had buffered already), the output written to conn, which the caller
// closes.
func upgrade(c echo.Context, contentType string) (conn net.Conn, in *bufio.Reader, err error) {
	if err := wantsUpgrade(c.Request()); err != nil {
		return nil, nil, err
	}
	conn, rw, err := c.Response().Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("upgrade: %w", err)
	}
	_ = conn.SetDeadline(time.Time{}) // a stream lasts as long as its process
	fmt.Fprintf(rw, "HTTP/1.1 101 UPGRADED\r\nContent-Type: %s\r\n%s: Upgrade\r\n%s: %s\r\n\r\n",
		contentType, api.HeaderConnection, api.HeaderUpgrade, api.UpgradeProto)
	if err := rw.Flush(); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("upgrade: %w", err)
	}
	return conn, rw.Reader, nil
}
