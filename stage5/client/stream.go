package client

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"goc.dev/stage5/api"
)

// Stream is an attached stream (an upgraded connection): Read is the
// process's output — multiplexed (api.Demux) unless Raw — Write its
// input, CloseWrite the end of its input, Close the end of it all.
type Stream struct {
	conn net.Conn
	r    *bufio.Reader
	Raw  bool // a terminal's: one stream of raw bytes
}

func (s *Stream) Read(p []byte) (int, error)  { return s.r.Read(p) }
func (s *Stream) Write(p []byte) (int, error) { return s.conn.Write(p) }
func (s *Stream) Close() error                { return s.conn.Close() }

// CloseWrite half-closes the connection: the process reads the end of
// its input, its output still comes.
func (s *Stream) CloseWrite() error {
	if cw, ok := s.conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.New("stream: cannot half-close this connection")
}

// upgrade sends a POST to path on a connection of its own, asking to
// upgrade it, and returns the stream it has become once goCd answers
// 101; any other answer is its error.
func (c *Client) upgrade(path string, body io.Reader) (*Stream, error) {
	conn, err := c.dial()
	if err != nil {
		return nil, fmt.Errorf("cannot reach goCd at %s: %w", c.where, err)
	}
	req, err := http.NewRequest("POST", c.base+"/"+api.Version+path, body)
	if err != nil {
		conn.Close()
		return nil, err
	}
	req.Header.Set(api.HeaderConnection, "Upgrade")
	req.Header.Set(api.HeaderUpgrade, api.UpgradeProto)
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("goCd at %s: %w", c.where, err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, req)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("goCd at %s: %w", c.where, err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		defer conn.Close()
		return nil, answerError(resp)
	}
	raw := strings.HasPrefix(resp.Header.Get("Content-Type"), api.StreamRaw)
	return &Stream{conn: conn, r: r, Raw: raw}, nil
}

// answerError is goCd's error answer resp as an *Error.
func answerError(resp *http.Response) error {
	defer resp.Body.Close()
	var e api.Error
	b, _ := io.ReadAll(resp.Body)
	if json.Unmarshal(b, &e) != nil || e.Message == "" {
		e.Message = strings.TrimSpace(string(b))
	}
	return &Error{Status: resp.StatusCode, Message: e.Message}
}
