package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"

	"goc.dev/stage5/api"
)

// ExecCreate makes an exec in the running container ref; ExecStart runs it.
func (c *Client) ExecCreate(ref string, req api.ExecCreate) (string, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	var x api.ExecCreated
	return x.ID, c.do("POST", "/containers/"+url.PathEscape(ref)+"/exec", bytes.NewReader(b), &x)
}

// ExecStart runs the exec id and returns its stream, which ends when the
// process has ended; ExecInspect then tells its exit code.
func (c *Client) ExecStart(id string) (*Stream, error) {
	return c.upgrade("/exec/"+url.PathEscape(id)+"/start", nil)
}

// ExecResize sizes the exec's terminal: rows, columns.
func (c *Client) ExecResize(id string, rows, cols int) error {
	return c.do("POST", fmt.Sprintf("/exec/%s/resize?h=%d&w=%d", url.PathEscape(id), rows, cols), nil, nil)
}

// ExecInspect describes the exec id.
func (c *Client) ExecInspect(id string) (api.Exec, error) {
	var x api.Exec
	return x, c.do("GET", "/exec/"+url.PathEscape(id)+"/json", nil, &x)
}
