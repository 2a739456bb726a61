package api

import (
	"encoding/base64"
	"testing"
)

func TestAuthConfigRoundTrip(t *testing.T) {
	a := AuthConfig{Username: "ann", Password: "p?w>~", ServerAddress: "127.0.0.1:5000"}
	for _, s := range []string{a.Encode(), base64.RawURLEncoding.EncodeToString([]byte(`{"username":"ann","password":"p?w>~","serveraddress":"127.0.0.1:5000"}`))} {
		if got, err := DecodeAuthConfig(s); err != nil || got != a {
			t.Errorf("DecodeAuthConfig(%q) = %+v, %v", s, got, err)
		}
	}
	for _, bad := range []string{"%%%", base64.URLEncoding.EncodeToString([]byte("not json"))} {
		if _, err := DecodeAuthConfig(bad); err == nil {
			t.Errorf("DecodeAuthConfig(%q): no error", bad)
		}
	}
}
