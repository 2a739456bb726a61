package client

import (
	"net/url"

	"goc.dev/stage5/api"
)

// Pull has goCd pull ref from its registry; platform "" is linux/amd64.
func (c *Client) Pull(ref, platform string) (api.Image, error) {
	q := url.Values{"ref": {ref}}
	if platform != "" {
		q.Set("platform", platform)
	}
	var img api.Image
	return img, c.do("POST", "/images/pull?"+q.Encode(), nil, &img)
}
