package client

import (
	"fmt"
	"net/url"
)

// Attach joins the stdio of the container ref, which was created with
// OpenStdin or Tty; the stream ends when the container does, and Wait
// then tells its exit code.
func (c *Client) Attach(ref string) (*Stream, error) {
	return c.upgrade("/containers/"+url.PathEscape(ref)+"/attach", nil)
}

// Resize sizes the container's terminal: rows, columns.
func (c *Client) Resize(ref string, rows, cols int) error {
	return c.do("POST", fmt.Sprintf("/containers/%s/resize?h=%d&w=%d", url.PathEscape(ref), rows, cols), nil, nil)
}
