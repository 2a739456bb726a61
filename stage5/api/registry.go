package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// RegistryAuthHeader carries a registry's credentials with a pull, as
// Docker's: AuthConfig as JSON, base64url-encoded. goCd uses them for that
// request only and never stores them.
const RegistryAuthHeader = "X-Registry-Auth"

// AuthConfig is a registry's credentials: the body of POST /v1/auth (which
// checks them against the registry) and the content of X-Registry-Auth.
type AuthConfig struct {
	Username      string `json:"username"`
	Password      string `json:"password"`
	ServerAddress string `json:"serveraddress"` // HOST[:PORT]
}

// Encode is a as the X-Registry-Auth header carries it.
func (a AuthConfig) Encode() string {
	b, _ := json.Marshal(a) // strings only: cannot fail
	return base64.URLEncoding.EncodeToString(b)
}

// DecodeAuthConfig reads an X-Registry-Auth header (padded or not).
func DecodeAuthConfig(s string) (AuthConfig, error) {
	var a AuthConfig
	b, err := base64.URLEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawURLEncoding.DecodeString(s); err != nil {
			return a, fmt.Errorf("%s: %w", RegistryAuthHeader, err)
		}
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, fmt.Errorf("%s: %w", RegistryAuthHeader, err)
	}
	return a, nil
}

// AuthStatus is POST /v1/auth's answer when the registry took the
// credentials.
type AuthStatus struct {
	Status string `json:"Status"` // "Login Succeeded"
}
