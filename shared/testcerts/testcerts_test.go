package testcerts

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir); err != nil {
		t.Fatal(err)
	}
	roots := pool(t, filepath.Join(dir, "ca.pem"))
	verify := func(cert, key string, opts x509.VerifyOptions) error {
		pair, err := tls.LoadX509KeyPair(filepath.Join(dir, cert), filepath.Join(dir, key))
		if err != nil {
			t.Fatal(err)
		}
		_, err = pair.Leaf.Verify(opts)
		return err
	}
	server := x509.VerifyOptions{Roots: roots, DNSName: "127.0.0.1"}
	client := x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if err := verify("server-cert.pem", "server-key.pem", server); err != nil {
		t.Errorf("server certificate: %v", err)
	}
	if err := verify("cert.pem", "key.pem", client); err != nil {
		t.Errorf("client certificate: %v", err)
	}
	if err := verify("cert.pem", "key.pem", server); err == nil {
		t.Error("the client certificate passes as a server's")
	}
	if err := verify("other-cert.pem", "other-key.pem", client); err == nil {
		t.Error("the other CA's client verifies against ca.pem")
	}
	other := client
	other.Roots = pool(t, filepath.Join(dir, "other-ca.pem"))
	if err := verify("other-cert.pem", "other-key.pem", other); err != nil {
		t.Errorf("other client against other CA: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "key.pem"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key.pem: %v, %v", fi, err)
	}
}

func pool(t *testing.T, file string) *x509.CertPool {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(b) {
		t.Fatalf("%s: no certificate", file)
	}
	return p
}
