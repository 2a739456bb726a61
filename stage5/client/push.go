package client

import (
	"net/url"

	"goc.dev/stage5/api"
)

// Tag has goCd give image source the second name target, a reference.
func (c *Client) Tag(source, target string) (api.Image, error) {
	var img api.Image
	return img, c.do("POST", "/images/tag?"+url.Values{"source": {source}, "target": {target}}.Encode(), nil, &img)
}

// Push has goCd push the image ref names to ref's registry; the answer
// has the manifest's digest.
func (c *Client) Push(ref string) (api.Image, error) {
	var img api.Image
	return img, c.do("POST", "/images/push?"+url.Values{"ref": {ref}}.Encode(), nil, &img)
}
