package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"io"
	"os"
	"strings"

	"goc.dev/stage5/client"
)

// globals are goC-cli's options before the command, in Docker's words:
// which goCd (-H unix:///PATH or tcp://HOST:PORT, or --socket PATH) and,
// for TCP, the certificates of mutual TLS. Each has an environment
// variable, which the option overrides.
type globals struct {
	host, socket               string
	tlsVerify                  bool
	tlsCACert, tlsCert, tlsKey string
	format                     string
	socketSet, hostSet         bool // given as options, not by the environment
}

// parseGlobals parses the options before the command and returns them
// and the command with its arguments.
func parseGlobals(args []string) (*globals, []string, error) {
	gl := &globals{
		host:      os.Getenv("GOC_HOST"),
		socket:    client.DefaultSocket,
		tlsVerify: os.Getenv("GOC_TLS_VERIFY") != "" && os.Getenv("GOC_TLS_VERIFY") != "0" && os.Getenv("GOC_TLS_VERIFY") != "false",
		tlsCACert: os.Getenv("GOC_TLS_CACERT"),
		tlsCert:   os.Getenv("GOC_TLS_CERT"),
		tlsKey:    os.Getenv("GOC_TLS_KEY"),
	}
	if s := os.Getenv("GOC_SOCKET"); s != "" {
		gl.socket = s
	}
	g := flag.NewFlagSet("goC-cli", flag.ContinueOnError)
	g.SetOutput(io.Discard)
	g.StringVar(&gl.socket, "socket", gl.socket, "")
	g.StringVar(&gl.host, "H", gl.host, "")
	g.StringVar(&gl.host, "host", gl.host, "")
	g.BoolVar(&gl.tlsVerify, "tlsverify", gl.tlsVerify, "")
	g.StringVar(&gl.tlsCACert, "tlscacert", gl.tlsCACert, "")
	g.StringVar(&gl.tlsCert, "tlscert", gl.tlsCert, "")
	g.StringVar(&gl.tlsKey, "tlskey", gl.tlsKey, "")
	g.StringVar(&gl.format, "format", "table", "")
	if err := g.Parse(args); err != nil {
		return nil, nil, err
	}
	g.Visit(func(f *flag.Flag) {
		gl.socketSet = gl.socketSet || f.Name == "socket"
		gl.hostSet = gl.hostSet || f.Name == "H" || f.Name == "host"
	})
	return gl, g.Args(), nil
}

// client is the client of the goCd the options name: --socket, else -H
// (or GOC_HOST), else GOC_SOCKET or the default socket. A tcp:// host
// needs --tlsverify (or GOC_TLS_VERIFY) and the CA that signed goCd's
// certificate; goCd refuses a client without a certificate it trusts.
func (gl *globals) client() (*client.Client, error) {
	if gl.socketSet && gl.hostSet {
		return nil, errors.New("--socket and -H/--host: give one")
	}
	if gl.socketSet || gl.host == "" {
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
