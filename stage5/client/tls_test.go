package client

import (
	"crypto/tls"
	"path/filepath"
	"strings"
	"testing"

	"goc.dev/shared/testcerts"
)

func TestNewHost(t *testing.T) {
	if c, err := NewHost("unix:///run/x.sock", nil); err != nil || c.where != "/run/x.sock" {
		t.Errorf("unix: %+v, %v", c, err)
	}
	if c, err := NewHost("tcp://127.0.0.1:2376", &tls.Config{}); err != nil || c.base != "https://127.0.0.1:2376" {
		t.Errorf("tcp: %+v, %v", c, err)
	}
	for host, want := range map[string]string{
		"tcp://127.0.0.1:2376": "goCd serves TCP only with mutual TLS",
		"127.0.0.1:2376":       "not unix:///PATH or tcp://HOST:PORT",
		"tcp://127.0.0.1":      "not unix:///PATH or tcp://HOST:PORT",
		"unix://":              "not unix:///PATH or tcp://HOST:PORT",
		"http://127.0.0.1:80":  "not unix:///PATH or tcp://HOST:PORT",
	} {
		if _, err := NewHost(host, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewHost(%q) = %v, want %q", host, err, want)
		}
	}
}

func TestTLSConfig(t *testing.T) {
	dir := t.TempDir()
	if err := testcerts.Write(dir); err != nil {
		t.Fatal(err)
	}
	f := func(name string) string { return filepath.Join(dir, name) }
	cfg, err := TLSConfig(f("ca.pem"), f("cert.pem"), f("key.pem"))
	if err != nil || cfg.MinVersion != tls.VersionTLS12 || cfg.RootCAs == nil || cfg.GetClientCertificate == nil {
		t.Fatalf("TLSConfig = %+v, %v", cfg, err)
	}
	if cfg, err := TLSConfig(f("ca.pem"), "", ""); err != nil || cfg.GetClientCertificate != nil {
		t.Errorf("without a certificate: %+v, %v", cfg, err)
	}
	for _, c := range []struct{ ca, cert, key, want string }{
		{"", f("cert.pem"), f("key.pem"), "--tlsverify needs --tlscacert"},
		{f("key.pem"), f("cert.pem"), f("key.pem"), "no PEM certificate in it"},
		{f("none.pem"), f("cert.pem"), f("key.pem"), "CA certificate: open"},
		{f("ca.pem"), f("cert.pem"), f("other-key.pem"), "--tlscert/--tlskey: tls: private key does not match public key"},
		{f("ca.pem"), f("cert.pem"), "", "--tlscert/--tlskey"},
	} {
		if _, err := TLSConfig(c.ca, c.cert, c.key); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("TLSConfig(%q, %q, %q) = %v, want %q", c.ca, c.cert, c.key, err, c.want)
		}
	}
}
