package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"goc.dev/shared/testcerts"
)

// TestWhichGoCd: the options and environment name the goCd goC-cli talks
// to; a socket that does not exist names itself in the error. The options
// come before or after the command.
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
		{map[string]string{"GOC_SOCKET": "/e.sock"}, []string{"ps", "--socket", "/f.sock", "-a"}, "cannot reach goCd at /f.sock"},
		{nil, []string{"version", "--host=unix:///h.sock"}, "cannot reach goCd at /h.sock"},
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
		var stderr bytes.Buffer
		status := execute(c.args, &stderr)
		if status != 1 || !strings.HasPrefix(stderr.String(), "goC-cli: ") || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v %v: status %d, %q, want 1 and %q", c.env, c.args, status, stderr.String(), c.want)
		}
	}
}
