package main

import (
	"path/filepath"
	"strings"
	"testing"

	"goc.dev/shared/testcerts"
)

// TestWhichGoCd: the options and environment name the goCd goC-cli talks
// to; a socket that does not exist names itself in the error.
func TestWhichGoCd(t *testing.T) {
	dir := t.TempDir()
	if err := testcerts.Write(dir); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"ps"}, "cannot reach goCd at /run/goC/goCd.sock"},
		{map[string]string{"GOC_SOCKET": "/e.sock"}, []string{"ps"}, "cannot reach goCd at /e.sock"},
		{map[string]string{"GOC_SOCKET": "/e.sock"}, []string{"--socket", "/f.sock", "ps"}, "cannot reach goCd at /f.sock"},
		{nil, []string{"-H", "unix:///h.sock", "ps"}, "cannot reach goCd at /h.sock"},
		{map[string]string{"GOC_HOST": "unix:///e.sock"}, []string{"ps"}, "cannot reach goCd at /e.sock"},
		{map[string]string{"GOC_HOST": "unix:///e.sock"}, []string{"--host", "unix:///h.sock", "ps"}, "cannot reach goCd at /h.sock"},
		{map[string]string{"GOC_HOST": "unix:///e.sock"}, []string{"--socket", "/f.sock", "ps"}, "cannot reach goCd at /f.sock"},
		{nil, []string{"--socket", "/f.sock", "-H", "unix:///h.sock", "ps"}, "--socket and -H/--host: give one"},
		{nil, []string{"-H", "tcp://127.0.0.1:1", "ps"}, "goCd serves TCP only with mutual TLS"},
		{nil, []string{"-H", "tcp://127.0.0.1:1", "--tlsverify", "ps"}, "--tlsverify needs --tlscacert"},
		{map[string]string{"GOC_TLS_VERIFY": "1", "GOC_TLS_CACERT": ca}, []string{"-H", "tcp://127.0.0.1:1", "ps"}, "goCd at tcp://127.0.0.1:1: "},
		{map[string]string{"GOC_TLS_VERIFY": "0", "GOC_TLS_CACERT": ca}, []string{"-H", "tcp://127.0.0.1:1", "ps"}, "goCd serves TCP only with mutual TLS"},
		{map[string]string{"GOC_TLS_VERIFY": "1"}, []string{"-H", "unix:///h.sock", "ps"}, "cannot reach goCd at /h.sock"},
		{map[string]string{"GOC_TLS_VERIFY": "1", "GOC_TLS_CACERT": ca, "GOC_TLS_CERT": ca}, []string{"-H", "tcp://127.0.0.1:1", "ps"}, "--tlscert/--tlskey"},
	} {
		for _, k := range []string{"GOC_SOCKET", "GOC_HOST", "GOC_TLS_VERIFY", "GOC_TLS_CACERT", "GOC_TLS_CERT", "GOC_TLS_KEY"} {
			t.Setenv(k, c.env[k])
		}
		gl, rest, err := parseGlobals(c.args)
		if err != nil || len(rest) != 1 || rest[0] != "ps" {
			t.Fatalf("%v: %v %v", c.args, rest, err)
		}
		cl, err := gl.client()
		if err == nil {
			_, err = cl.Version()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: %v, want %q", c.env, c.args, err, c.want)
		}
	}
}
