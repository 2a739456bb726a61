package client

import (
	"encoding/json"
	"errors"
	"io"
	"net/url"

	"goc.dev/stage5/api"
)

// Stats reads the container's resource usage: one sample (stream false)
// or a sample a second, each given to each, until each returns an error
// (returned) or the stream ends (nil).
func (c *Client) Stats(ref string, stream bool, each func(api.Stats) error) error {
	q := url.Values{"stream": {"0"}}
	if stream {
		q.Set("stream", "1")
	}
	resp, err := c.send("GET", "/containers/"+url.PathEscape(ref)+"/stats?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var s api.Stats
		if err := dec.Decode(&s); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if err := each(s); err != nil {
			return err
		}
	}
}
