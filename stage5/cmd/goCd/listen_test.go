package main

import (
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"goc.dev/shared/testcerts"
	"goc.dev/stage5/client"
)

// TestTCPServesOnlyTheCAsClients: goCd's TCP listener answers a client
// whose certificate the CA signed, and no one else: not plain HTTP, not
// TLS without a certificate, not a certificate of another CA, not TLS 1.1.
func TestTCPServesOnlyTheCAsClients(t *testing.T) {
	dir := t.TempDir()
	if err := testcerts.Write(dir); err != nil {
		t.Fatal(err)
	}
	f := func(name string) string { return filepath.Join(dir, name) }
	var served atomic.Int32
	addr := serveTLS(t, listenConfig{socket: f("d.sock"), tcp: "127.0.0.1:0", tlsVerify: true,
		tlsCACert: f("ca.pem"), tlsCert: f("server-cert.pem"), tlsKey: f("server-key.pem")}, &served)

	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Get("http://" + addr + "/v1/version")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(body), "test") {
		t.Errorf("plain HTTP: %s %q, want 400 and no answer", resp.Status, body)
	}

	version := func(cfg *tls.Config) error {
		c, err := client.NewHost("tcp://"+addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Version()
		return err
	}
	tlsConfig := func(cert, key string) *tls.Config {
		cfg, err := client.TLSConfig(f("ca.pem"), cert, key)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	if err := version(tlsConfig(f("cert.pem"), f("key.pem"))); err != nil {
		t.Errorf("the CA's client: %v", err)
	}
	if err := version(tlsConfig("", "")); err == nil || !strings.Contains(err.Error(), "certificate required") {
		t.Errorf("TLS without a client certificate: %v, want refused", err)
	}
	if err := version(tlsConfig(f("other-cert.pem"), f("other-key.pem"))); err == nil || !strings.Contains(err.Error(), "unknown certificate authority") {
		t.Errorf("another CA's client: %v, want refused", err)
	}
	old := tlsConfig(f("cert.pem"), f("key.pem"))
	old.MinVersion, old.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	if err := version(old); err == nil || !strings.Contains(err.Error(), "protocol version") {
		t.Errorf("TLS 1.1: %v, want refused", err)
	}
	if n := served.Load(); n != 1 {
		t.Errorf("goCd answered %d requests, want 1 (the CA's client)", n)
	}
}

// serveTLS serves a stub of /v1/version on lc's listeners and returns the
// TCP address.
func serveTLS(t *testing.T, lc listenConfig, served *atomic.Int32) string {
	lns, err := lc.listen()
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		io.WriteString(w, `{"version":"test"}`)
	})}
	for _, ln := range lns {
		go srv.Serve(ln)
	}
	t.Cleanup(func() { srv.Close() })
	return lns[1].Addr().String()
}

func TestTCPNeedsMutualTLS(t *testing.T) {
	dir := t.TempDir()
	if err := testcerts.Write(dir); err != nil {
		t.Fatal(err)
	}
	f := func(name string) string { return filepath.Join(dir, name) }
	good := listenConfig{tcp: "127.0.0.1:0", tlsVerify: true, tlsCACert: f("ca.pem"), tlsCert: f("server-cert.pem"), tlsKey: f("server-key.pem")}
	noVerify, noKey, public, notTCP, badCA := good, good, good, good, good
	noVerify.tlsVerify = false
	noKey.tlsKey = ""
	public.tcp = "0.0.0.0:2376"
	notTCP.tcp = ""
	badCA.tlsCACert = f("key.pem")
	for name, c := range map[string]struct {
		lc   listenConfig
		want string
	}{
		"plain --tcp":       {listenConfig{tcp: "127.0.0.1:0"}, "--tcp serves only clients with a certificate: it needs --tlsverify --tlscacert CA --tlscert CERT --tlskey KEY"},
		"no --tlsverify":    {noVerify, "it needs --tlsverify"},
		"no --tlskey":       {noKey, "it needs --tlsverify"},
		"not loopback":      {public, `--tcp "0.0.0.0:2376": only a loopback address is allowed`},
		"TLS without --tcp": {notTCP, "are for --tcp, which is not set"},
		"no CA in the file": {badCA, "no PEM certificate in it"},
	} {
		c.lc.socket = filepath.Join(dir, "d.sock")
		lns, err := c.lc.listen()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, %v; want an error with %q", name, lns, err, c.want)
		}
		if _, err := os.Stat(c.lc.socket); err == nil {
			t.Errorf("%s: the socket was created", name)
		}
	}
}

func TestSocketGroup(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "d.sock")
	check := func(lc listenConfig, mode os.FileMode, gid int) {
		t.Helper()
		lns, err := lc.listen()
		if err != nil {
			t.Fatal(err)
		}
		defer lns[0].Close()
		fi, err := os.Stat(sock)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().Perm() != mode || int(st.Gid) != gid || int(st.Uid) != os.Geteuid() {
			t.Errorf("--group %q: socket %v %d:%d, want %v %d:%d", lc.group, fi.Mode().Perm(), st.Uid, st.Gid, mode, os.Geteuid(), gid)
		}
	}
	gid := os.Getegid() // root's when goCd runs; a test may run as anyone
	check(listenConfig{socket: sock}, 0o600, gid)
	check(listenConfig{socket: sock, group: strconv.Itoa(gid)}, 0o660, gid)
	g, err := user.LookupGroupId(strconv.Itoa(gid))
	if err != nil {
		t.Fatal(err)
	}
	check(listenConfig{socket: sock, group: g.Name}, 0o660, gid)
	if gid, err := lookupGroup("root"); gid != 0 || err != nil {
		t.Errorf(`lookupGroup("root") = %d, %v`, gid, err)
	}

	_, err = listenConfig{socket: sock, group: "no-such-group-goC"}.listen()
	if err == nil || err.Error() != `--group "no-such-group-goC": no such group` {
		t.Errorf("unknown group: %v", err)
	}
}
