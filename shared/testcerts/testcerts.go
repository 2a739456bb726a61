// Package testcerts makes throwaway certificate authorities and
// certificates for tests of mutual TLS: a CA, a server certificate for
// 127.0.0.1 and client certificates, as PEM files. Its keys are fresh
// ECDSA P-256 keys each time and are never meant to protect anything.
package testcerts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CA is a certificate authority that signs certificates.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

// NewCA makes a self-signed certificate authority named name.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("ca key: %w", err)
	}
	tmpl := template(name)
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("ca certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("ca certificate: %w", err)
	}
	return &CA{cert: cert, key: key, der: der}, nil
}

// CertPEM is the CA's certificate, PEM-encoded.
func (ca *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.der})
}

// Issue signs a new key's certificate named name and returns both,
// PEM-encoded. A server certificate is for 127.0.0.1 (its only SAN); any
// other is a client certificate.
func (ca *CA) Issue(name string, server bool) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("%s key: %w", name, err)
	}
	tmpl := template(name)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("%s certificate: %w", name, err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("%s key: %w", name, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}

// template is a certificate named name, valid from an hour ago for a day.
func template(name string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
	}
}

// Files names the PEM files Write makes in a directory, as Docker's
// documentation names them, plus a client of another CA.
var Files = []string{
	"ca.pem",                            // the CA both sides trust
	"server-cert.pem", "server-key.pem", // goCd's, for 127.0.0.1
	"cert.pem", "key.pem", // a client the CA signed
	"other-ca.pem",                    // another CA
	"other-cert.pem", "other-key.pem", // a client the other CA signed
}

// Write makes a CA, a server certificate and a client certificate signed
// by it, and a client certificate of another CA, as the Files in dir
// (mode 0600).
func Write(dir string) error {
	ca, err := NewCA("goC test CA")
	if err != nil {
		return err
	}
	other, err := NewCA("another CA")
	if err != nil {
		return err
	}
	srvCert, srvKey, err := ca.Issue("goCd", true)
	if err != nil {
		return err
	}
	cliCert, cliKey, err := ca.Issue("client", false)
	if err != nil {
		return err
	}
	otherCert, otherKey, err := other.Issue("stranger", false)
	if err != nil {
		return err
	}
	contents := [][]byte{ca.CertPEM(), srvCert, srvKey, cliCert, cliKey, other.CertPEM(), otherCert, otherKey}
	for i, name := range Files {
		if err := os.WriteFile(filepath.Join(dir, name), contents[i], 0o600); err != nil {
			return fmt.Errorf("testcerts: %w", err)
		}
	}
	return nil
}
