package main

import (
	"crypto/tls"
	"errors"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"goc.dev/stage5/client"
)

// globals are goC-cli's options, given before or after the command, in
// Docker's words: which goCd (-H unix:///PATH or tcp://HOST:PORT, or
// --socket PATH) and, for TCP, the certificates of mutual TLS. Each has an
// environment variable, which the option overrides.
type globals struct {
	host, socket               string
	tlsVerify                  bool
	tlsCACert, tlsCert, tlsKey string
	format                     string
	flags                      *pflag.FlagSet // to tell options given from the environment's
}

// register adds the options to fs, their defaults from the environment.
func (gl *globals) register(fs *pflag.FlagSet) {
	socket := client.DefaultSocket
	if s := os.Getenv("GOC_SOCKET"); s != "" {
		socket = s
	}
	verify := os.Getenv("GOC_TLS_VERIFY") != "" && os.Getenv("GOC_TLS_VERIFY") != "0" && os.Getenv("GOC_TLS_VERIFY") != "false"
	gl.flags = fs
	fs.StringVar(&gl.socket, "socket", socket, "goCd's unix socket (env GOC_SOCKET)")
	fs.StringVarP(&gl.host, "host", "H", os.Getenv("GOC_HOST"), "Daemon socket to connect to: unix:///PATH or tcp://HOST:PORT (env GOC_HOST)")
	fs.BoolVar(&gl.tlsVerify, "tlsverify", verify, "Use TLS and verify the remote (env GOC_TLS_VERIFY)")
	fs.StringVar(&gl.tlsCACert, "tlscacert", os.Getenv("GOC_TLS_CACERT"), "Trust certs signed only by this CA (env GOC_TLS_CACERT)")
	fs.StringVar(&gl.tlsCert, "tlscert", os.Getenv("GOC_TLS_CERT"), "Path to TLS certificate file (env GOC_TLS_CERT)")
	fs.StringVar(&gl.tlsKey, "tlskey", os.Getenv("GOC_TLS_KEY"), "Path to TLS key file (env GOC_TLS_KEY)")
	fs.StringVar(&gl.format, "format", "table", "Print ps and images as a table or as json")
}

// client is the client of the goCd the options name: --socket, else -H
// (or GOC_HOST), else GOC_SOCKET or the default socket. A tcp:// host
// needs --tlsverify (or GOC_TLS_VERIFY) and the CA that signed goCd's
// certificate; goCd refuses a client without a certificate it trusts.
func (gl *globals) client() (*client.Client, error) {
	socketSet, hostSet := gl.flags.Changed("socket"), gl.flags.Changed("host")
	if socketSet && hostSet {
		return nil, errors.New("--socket and -H/--host: give one")
	}
	if socketSet || gl.host == "" {
		return client.New(gl.socket), nil
	}
	var cfg *tls.Config
	if gl.tlsVerify && strings.HasPrefix(gl.host, "tcp://") {
		var err error
		if cfg, err = client.TLSConfig(gl.tlsCACert, gl.tlsCert, gl.tlsKey); err != nil {
			return nil, err
		}
	}
	return client.NewHost(gl.host, cfg)
}
