package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"goc.dev/stage5/client"
)

// listenConfig says where goCd serves and whom it lets in: the unix socket
// (root's, and its group's if one is named), and a TCP address that only
// clients with a certificate signed by the CA may use (Docker's
// --tlsverify).
type listenConfig struct {
	socket, group string
	tcp           string
	tlsVerify     bool
	tlsCACert     string
	tlsCert       string
	tlsKey        string
}

// listen checks the configuration and opens the listeners: nothing is
// opened when any part is wrong.
func (lc listenConfig) listen() ([]net.Listener, error) {
	var tlsConfig *tls.Config
	if err := lc.checkTCP(); err != nil {
		return nil, err
	}
	if lc.tcp != "" {
		var err error
		if tlsConfig, err = serverTLS(lc.tlsCACert, lc.tlsCert, lc.tlsKey); err != nil {
			return nil, fmt.Errorf("--tcp: %w", err)
		}
	}
	gid, mode := -1, os.FileMode(0o600) // root only: the group has no say
	if lc.group != "" {
		var err error
		if gid, err = lookupGroup(lc.group); err != nil {
			return nil, err
		}
		mode = 0o660
	}
	ln, err := listenUnix(lc.socket, gid, mode)
	if err != nil {
		return nil, err
	}
	if lc.tcp == "" {
		return []net.Listener{ln}, nil
	}
	tl, err := net.Listen("tcp", lc.tcp)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("--tcp: %w", err)
	}
	return []net.Listener{ln, tls.NewListener(tl, tlsConfig)}, nil
}

// checkTCP refuses a TCP listener without mutual TLS, one on an address
// other than loopback, and TLS flags without a TCP listener.
func (lc listenConfig) checkTCP() error {
	tlsFlags := lc.tlsVerify || lc.tlsCACert != "" || lc.tlsCert != "" || lc.tlsKey != ""
	if lc.tcp == "" {
		if tlsFlags {
			return errors.New("--tlsverify, --tlscacert, --tlscert and --tlskey are for --tcp, which is not set")
		}
		return nil
	}
	host, _, err := net.SplitHostPort(lc.tcp)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--tcp %q: only a loopback address is allowed", lc.tcp)
	}
	if !lc.tlsVerify || lc.tlsCACert == "" || lc.tlsCert == "" || lc.tlsKey == "" {
		return errors.New("--tcp serves only clients with a certificate: it needs --tlsverify --tlscacert CA --tlscert CERT --tlskey KEY")
	}
	return nil
}

// serverTLS is goCd's side of mutual TLS: it shows the certificate in
// certFile (key in keyFile) and accepts only clients whose certificate the
// CA in caFile signed. TLS 1.2 or later.
func serverTLS(caFile, certFile, keyFile string) (*tls.Config, error) {
	pool, err := client.CertPool(caFile)
	if err != nil {
		return nil, err
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tlscert/--tlskey: %w", err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{pair},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
	}, nil
}

// lookupGroup is the GID of a group of the group database, by name or
// number.
func lookupGroup(name string) (int, error) {
	g, err := user.LookupGroup(name)
	if err != nil {
		if g, err = user.LookupGroupId(name); err != nil {
			return 0, fmt.Errorf("--group %q: no such group", name)
		}
	}
	return strconv.Atoi(g.Gid)
}

// listenUnix opens the unix socket at path with mode, owned by goCd's
// user (root) and group gid (-1: goCd's own, root's). The socket is created under a umask that
// lets no one else in, so it is never reachable before its mode is set.
func listenUnix(path string, gid int, mode os.FileMode) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o711); err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	os.Remove(path) // a socket left by a goCd that was killed
	old := syscall.Umask(0o177)
	ln, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	if err := os.Chown(path, os.Geteuid(), gid); err != nil {
		ln.Close()
		return nil, fmt.Errorf("socket: %w", err)
	}
	if err := os.Chmod(path, mode); err != nil {
		ln.Close()
		return nil, fmt.Errorf("socket: %w", err)
	}
	return ln, nil
}
