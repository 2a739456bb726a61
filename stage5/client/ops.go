package client

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"goc.dev/stage5/api"
)

// ListFiltered lists running containers, or all, that pass every filter
// (KEY=VALUE: status=, name=, label=, id=, as docker ps --filter).
func (c *Client) ListFiltered(all bool, filters []string) ([]api.Container, error) {
	q := url.Values{"filter": filters}
	if all {
		q.Set("all", "1")
	}
	path := "/containers"
	if query := q.Encode(); query != "" {
		path += "?" + query
	}
	var cs []api.Container
	return cs, c.do("GET", path, nil, &cs)
}

// LogOptions select what Logs streams, as docker logs's flags.
type LogOptions struct {
	Follow     bool
	Since      time.Time // lines that began at or after it; zero: all
	Tail       int       // the last Tail lines; negative: all
	Timestamps bool      // each line after the time it began (RFC 3339)
}

// LogsWith streams the container's output into w, as o says.
func (c *Client) LogsWith(ref string, o LogOptions, w io.Writer) error {
	q := url.Values{}
	if o.Follow {
		q.Set("follow", "1")
	}
	if !o.Since.IsZero() {
		q.Set("since", o.Since.UTC().Format(time.RFC3339Nano))
	}
	if o.Tail >= 0 {
		q.Set("tail", strconv.Itoa(o.Tail))
	}
	if o.Timestamps {
		q.Set("timestamps", "1")
	}
	resp, err := c.send("GET", "/containers/"+url.PathEscape(ref)+"/logs?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

// Pause freezes the container's processes.
func (c *Client) Pause(ref string) error {
	return c.do("POST", "/containers/"+url.PathEscape(ref)+"/pause", nil, nil)
}

// Unpause thaws them.
func (c *Client) Unpause(ref string) error {
	return c.do("POST", "/containers/"+url.PathEscape(ref)+"/unpause", nil, nil)
}

// Top lists the container's processes: ps(1) with psArgs (none: -ef).
func (c *Client) Top(ref string, psArgs []string) (api.Top, error) {
	var t api.Top
	q := url.Values{}
	if len(psArgs) > 0 {
		q.Set("ps_args", strings.Join(psArgs, " "))
	}
	return t, c.do("GET", "/containers/"+url.PathEscape(ref)+"/top?"+q.Encode(), nil, &t)
}

// Start runs a container that has stopped again: a new run of its command.
func (c *Client) Start(ref string) (api.Container, error) {
	var ct api.Container
	return ct, c.do("POST", "/containers/"+url.PathEscape(ref)+"/start", nil, &ct)
}

// Restart stops the container (SIGTERM, then SIGKILL after timeout
// seconds) if it runs, and starts it again.
func (c *Client) Restart(ref string, timeout int) (api.Container, error) {
	var ct api.Container
	return ct, c.do("POST", fmt.Sprintf("/containers/%s/restart?timeout=%d", url.PathEscape(ref), timeout), nil, &ct)
}
