package client

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"goc.dev/stage5/api"
)

func TestLoginAndRegistryAuth(t *testing.T) {
	var header string
	var body api.AuthConfig
	sock := serve(t, func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Get(api.RegistryAuthHeader)
		switch r.URL.Path {
		case "/v1/auth":
			json.NewDecoder(r.Body).Decode(&body)
			if body.Password != "right" {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"message":"login 127.0.0.1:5000: UNAUTHORIZED"}`))
				return
			}
			w.Write([]byte(`{"Status":"Login Succeeded"}`))
		default:
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"name":"x"}`))
		}
	})
	a := api.AuthConfig{Username: "ann", Password: "right", ServerAddress: "127.0.0.1:5000"}
	if st, err := New(sock).Login(a); err != nil || st.Status != "Login Succeeded" || body != a || header != "" {
		t.Errorf("Login: %+v %v; body %+v header %q", st, err, body, header)
	}
	a.Password = "wrong"
	var e *Error
	if _, err := New(sock).Login(a); err == nil || err.Error() != "login 127.0.0.1:5000: UNAUTHORIZED" || !asError(err, &e) || e.Status != 401 {
		t.Errorf("Login with a wrong password: %v", err)
	}
	c := New(sock)
	if c.WithRegistryAuth(a).Pull("127.0.0.1:5000/x:1", ""); header != a.Encode() {
		t.Errorf("Pull WithRegistryAuth: header %q, want %q", header, a.Encode())
	}
	if c.Pull("127.0.0.1:5000/x:1", ""); header != "" {
		t.Errorf("Pull of the original client: header %q, want none", header)
	}
}

func asError(err error, target **Error) bool {
	return errors.As(err, target)
}
