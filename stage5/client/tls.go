package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
)

// NewHost returns a client of the goCd at host, as Docker's -H names it:
// unix:///PATH, or tcp://HOST:PORT with tlsConfig (see TLSConfig), since
// goCd serves TCP only with mutual TLS. A unix socket ignores tlsConfig.
func NewHost(host string, tlsConfig *tls.Config) (*Client, error) {
	if path, ok := strings.CutPrefix(host, "unix://"); ok && path != "" {
		return New(path), nil
	}
	addr, ok := strings.CutPrefix(host, "tcp://")
	if _, _, err := net.SplitHostPort(addr); !ok || err != nil {
		return nil, fmt.Errorf("host %q: not unix:///PATH or tcp://HOST:PORT", host)
	}
	if tlsConfig == nil {
		return nil, fmt.Errorf("host %s: goCd serves TCP only with mutual TLS (--tlsverify --tlscacert CA --tlscert CERT --tlskey KEY)", host)
	}
	dial := func() (net.Conn, error) { return tls.Dial("tcp", addr, tlsConfig) }
	return &Client{where: host, base: "https://" + addr, dial: dial, http: &http.Client{Transport: &http.Transport{
		Proxy:           nil, // goCd is reached directly, never through a proxy
		TLSClientConfig: tlsConfig,
	}}}, nil
}

// TLSConfig is a client's side of mutual TLS, as Docker's --tlsverify:
// goCd's certificate must be signed by the CA in caFile (and name the
// host dialled); the client shows the certificate in certFile, with its
// key in keyFile. Without certFile and keyFile the client shows none, and
// goCd refuses it. TLS 1.2 or later.
func TLSConfig(caFile, certFile, keyFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, errors.New("--tlsverify needs --tlscacert: the CA that signed goCd's certificate")
	}
	roots, err := CertPool(caFile)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots}
	if certFile == "" && keyFile == "" {
		return cfg, nil
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tlscert/--tlskey: %w", err)
	}
	// Shown whichever CAs goCd asks for, so that a certificate it does not
	// trust is refused as such ("unknown certificate authority"), not as
	// missing.
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &pair, nil }
	return cfg, nil
}

// CertPool reads the PEM certificates in file: the CAs one trusts.
func CertPool(file string) (*x509.CertPool, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("CA certificate %s: no PEM certificate in it", file)
	}
	return pool, nil
}
