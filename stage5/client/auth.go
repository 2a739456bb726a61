package client

import (
	"bytes"
	"encoding/json"

	"goc.dev/stage5/api"
)

// Login has goCd check a's credentials against the registry a names (POST
// /v1/auth); the caller stores them if they pass. A registry's refusal is
// an *Error with Status 401 and the registry's message.
func (c *Client) Login(a api.AuthConfig) (api.AuthStatus, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return api.AuthStatus{}, err
	}
	var st api.AuthStatus
	return st, c.do("POST", "/auth", bytes.NewReader(b), &st)
}

// WithRegistryAuth is a copy of c whose requests carry a in
// X-Registry-Auth, as Docker's client sends credentials with a pull.
func (c *Client) WithRegistryAuth(a api.AuthConfig) *Client {
	cp := *c
	cp.registryAuth = a.Encode()
	return &cp
}
