// Package client is a Go client of goCd's API, over its unix socket or
// over TCP with mutual TLS.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"goc.dev/stage5/api"
)

// DefaultSocket is where goCd listens.
const DefaultSocket = "/run/goC/goCd.sock"

// Client talks to one goCd.
type Client struct {
	where string // the socket or tcp://HOST:PORT, for messages
	base  string // the URL requests start with
	http  *http.Client
	dial  func() (net.Conn, error) // a connection of its own, for a stream (stream.go)

	registryAuth string // X-Registry-Auth of every request (auth.go)
}

// New returns a client of the goCd at socket.
func New(socket string) *Client {
	return &Client{where: socket, base: "http://goCd", dial: func() (net.Conn, error) { return net.Dial("unix", socket) }, http: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	}}}
}

// Error is an answer of goCd other than success.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// do sends a request and decodes a JSON answer into out (if not nil).
func (c *Client) do(method, path string, body io.Reader, out any) error {
	resp, err := c.send(method, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *Client) send(method, path string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest(method, c.base+"/"+api.Version+path, body)
	if err != nil {
		return nil, err
	}
	if c.registryAuth != "" {
		req.Header.Set(api.RegistryAuthHeader, c.registryAuth)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("cannot reach goCd at %s: is it running?", c.where)
		}
		if errors.Is(err, syscall.EACCES) {
			return nil, fmt.Errorf("cannot reach goCd at %s: permission denied (only root and goCd's --group may)", c.where)
		}
		return nil, fmt.Errorf("goCd at %s: %w", c.where, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		var e api.Error
		b, _ := io.ReadAll(resp.Body)
		if json.Unmarshal(b, &e) != nil || e.Message == "" {
			e.Message = strings.TrimSpace(string(b))
		}
		return nil, &Error{Status: resp.StatusCode, Message: e.Message}
	}
	return resp, nil
}

// Version asks goCd for its version.
func (c *Client) Version() (api.VersionInfo, error) {
	var v api.VersionInfo
	return v, c.do("GET", "/version", nil, &v)
}

// Info describes goCd and what it manages.
func (c *Client) Info() (api.Info, error) {
	var i api.Info
	return i, c.do("GET", "/info", nil, &i)
}

// Create creates and starts a container.
func (c *Client) Create(req api.ContainerCreate) (api.Container, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return api.Container{}, err
	}
	var ct api.Container
	return ct, c.do("POST", "/containers", bytes.NewReader(b), &ct)
}

// List lists running containers, or all.
func (c *Client) List(all bool) ([]api.Container, error) {
	var cs []api.Container
	q := ""
	if all {
		q = "?all=1"
	}
	return cs, c.do("GET", "/containers"+q, nil, &cs)
}

// Inspect describes one container.
func (c *Client) Inspect(ref string) (api.Container, error) {
	var ct api.Container
	return ct, c.do("GET", "/containers/"+url.PathEscape(ref), nil, &ct)
}

// Stop sends SIGTERM, then SIGKILL after timeout seconds.
func (c *Client) Stop(ref string, timeout int) (api.Container, error) {
	var ct api.Container
	return ct, c.do("POST", fmt.Sprintf("/containers/%s/stop?timeout=%d", url.PathEscape(ref), timeout), nil, &ct)
}

// Kill signals the container.
func (c *Client) Kill(ref, signal string) error {
	return c.do("POST", "/containers/"+url.PathEscape(ref)+"/kill?signal="+url.QueryEscape(signal), nil, nil)
}

// Wait waits for the container to exit and returns its exit code.
func (c *Client) Wait(ref string) (int, error) {
	var w api.Wait
	return w.ExitCode, c.do("POST", "/containers/"+url.PathEscape(ref)+"/wait", nil, &w)
}

// Remove deletes the container (force: even while it runs).
func (c *Client) Remove(ref string, force bool) error {
	q := ""
	if force {
		q = "?force=1"
	}
	return c.do("DELETE", "/containers/"+url.PathEscape(ref)+q, nil, nil)
}

// Logs streams the container's output into w; with follow, until it exits.
func (c *Client) Logs(ref string, follow bool, w io.Writer) error {
	q := ""
	if follow {
		q = "?follow=1"
	}
	resp, err := c.send("GET", "/containers/"+url.PathEscape(ref)+"/logs"+q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

// Import uploads an archive as image name.
func (c *Client) Import(name string, archive io.Reader) (api.Image, error) {
	var img api.Image
	return img, c.do("POST", "/images?name="+url.QueryEscape(name), archive, &img)
}

// Images lists images.
func (c *Client) Images() ([]api.Image, error) {
	var imgs []api.Image
	return imgs, c.do("GET", "/images", nil, &imgs)
}

// RemoveImage deletes an image.
func (c *Client) RemoveImage(name string) error {
	return c.do("DELETE", "/images/"+url.PathEscape(name), nil, nil)
}

// Close closes the connections the client keeps open to goCd for its next
// requests (the Go client otherwise keeps them until it is dropped).
func (c *Client) Close() { c.http.CloseIdleConnections() }
