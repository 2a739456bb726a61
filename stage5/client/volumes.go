package client

import (
	"bytes"
	"encoding/json"
	"net/url"

	"goc.dev/stage5/api"
)

// CreateVolume makes a named volume (an empty name: a new random one);
// an existing one is answered as it is.
func (c *Client) CreateVolume(name string) (api.Volume, error) {
	var v api.Volume
	b, err := json.Marshal(api.VolumeCreate{Name: name})
	if err != nil {
		return v, err
	}
	return v, c.do("POST", "/volumes", bytes.NewReader(b), &v)
}

// Volumes lists the volumes, by name.
func (c *Client) Volumes() ([]api.Volume, error) {
	var vs []api.Volume
	return vs, c.do("GET", "/volumes", nil, &vs)
}

// Volume is one volume, with the containers that use it.
func (c *Client) Volume(name string) (api.Volume, error) {
	var v api.Volume
	return v, c.do("GET", "/volumes/"+url.PathEscape(name), nil, &v)
}

// RemoveVolume removes a volume no container uses.
func (c *Client) RemoveVolume(name string) error {
	return c.do("DELETE", "/volumes/"+url.PathEscape(name), nil, nil)
}

// RemoveWithVolumes removes a container and its anonymous volumes (rm -v).
func (c *Client) RemoveWithVolumes(ref string, force bool) error {
	q := "?v=1"
	if force {
		q += "&force=1"
	}
	return c.do("DELETE", "/containers/"+url.PathEscape(ref)+q, nil, nil)
}
