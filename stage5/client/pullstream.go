package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"goc.dev/stage5/api"
)

// PullProgress is Pull with goCd's progress: each message of the stream
// (layers' steps, in Docker's shape) goes to show as it comes; the image
// is the stream's last message. A goCd that answers one JSON (no stream)
// is taken as well.
func (c *Client) PullProgress(ref, platform string, show func(api.PullMessage)) (api.Image, error) {
	q := url.Values{"ref": {ref}, "progress": {"true"}}
	if platform != "" {
		q.Set("platform", platform)
	}
	resp, err := c.send("POST", "/images/pull?"+q.Encode(), nil)
	if err != nil {
		return api.Image{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusCreated {
		var img api.Image
		return img, json.NewDecoder(resp.Body).Decode(&img)
	}
	return ReadPullStream(resp.Body, show)
}

// ReadPullStream reads a pull's JSON lines from r, passing each to show,
// and returns the image the last one carries; a message with an error
// ends it with that error.
func ReadPullStream(r io.Reader, show func(api.PullMessage)) (api.Image, error) {
	dec := json.NewDecoder(r)
	for {
		var m api.PullMessage
		err := dec.Decode(&m)
		switch {
		case errors.Is(err, io.EOF):
			return api.Image{}, errors.New("pull: the progress stream ended without the image")
		case err != nil:
			return api.Image{}, fmt.Errorf("pull: progress stream: %w", err)
		case m.Error != "":
			return api.Image{}, errors.New(m.Error)
		}
		if show != nil {
			show(m)
		}
		if m.Image != nil {
			return *m.Image, nil
		}
	}
}
