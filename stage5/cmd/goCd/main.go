// Command goCd is goC's daemon (stage 5): an HTTP API over containers,
// served on a unix socket, the low-level work done by the stage-4 goC.
// The socket is root's (mode 0600) or, with --group, root's and the
// group's (0660); a TCP listener serves only clients with a certificate
// the CA signed (mutual TLS, as Docker's --tlsverify).
//
//	goCd [--socket PATH] [--group NAME] [--data-root DIR] [--root DIR] [--runtime PATH] [--max-upload SIZE]
//	     [--tcp 127.0.0.1:PORT --tlsverify --tlscacert CA --tlscert CERT --tlskey KEY]
//	     [--insecure-registry HOST[:PORT]]… [--certs-dir DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/image"
	"goc.dev/shared/registry"
	"goc.dev/shared/state"
	"goc.dev/stage5/client"
	"goc.dev/stage5/internal/daemon"
)

const version = "0.5.0-stage5"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "goCd:", err)
		os.Exit(1)
	}
}

func run() error {
	var lc listenConfig
	flag.StringVar(&lc.socket, "socket", client.DefaultSocket, "the unix socket to serve on")
	flag.StringVar(&lc.group, "group", "", "the group that may use the socket too (default: root only)")
	dataRoot := flag.String("data-root", image.DefaultRoot, "images, writable layers and goCd's records")
	root := flag.String("root", state.DefaultRoot, "goC's state directory")
	runtime := flag.String("runtime", "", "the goC binary (default: the goC beside goCd, else on PATH)")
	flag.StringVar(&lc.tcp, "tcp", "", "also serve on this loopback address (127.0.0.1:PORT), with mutual TLS")
	flag.BoolVar(&lc.tlsVerify, "tlsverify", false, "serve --tcp only to clients with a certificate the CA signed")
	flag.StringVar(&lc.tlsCACert, "tlscacert", "", "the CA that signs clients' certificates (PEM)")
	flag.StringVar(&lc.tlsCert, "tlscert", "", "goCd's certificate (PEM)")
	flag.StringVar(&lc.tlsKey, "tlskey", "", "goCd's key (PEM)")
	maxUpload := flag.String("max-upload", "8g", "the largest image archive an import takes")
	var insecure []string
	flag.Func("insecure-registry", "a registry (HOST[:PORT]) that may be reached over plain HTTP (loopback ones may)",
		func(h string) error { insecure = append(insecure, h); return nil })
	certsDir := flag.String("certs-dir", registry.DefaultCertsDir, "registries' CAs, as Docker's certs.d: HOST:PORT/ca.crt")
	flag.Parse()
	if os.Geteuid() != 0 {
		return errors.New("must run as root")
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))

	rt, err := findRuntime(*runtime)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dataRoot, 0o711); err != nil {
		return fmt.Errorf("data root: %w", err)
	}
	limit, err := cgroups.ParseMemory(*maxUpload) // Docker's size units
	if err != nil || limit <= 0 {
		return fmt.Errorf("--max-upload %q: not a size of 6m or more (like 512m or 8g)", *maxUpload)
	}
	// Absolute: the shims start in a directory of their own (create.go).
	for _, p := range []*string{dataRoot, root, certsDir} {
		if *p != "" {
			if *p, err = filepath.Abs(*p); err != nil {
				return err
			}
		}
	}
	lns, err := lc.listen() // before any container is touched
	if err != nil {
		return err
	}
	d := &daemon.Daemon{Runtime: rt, DataRoot: *dataRoot, StateRoot: *root, Version: version, MaxUpload: limit,
		InsecureRegistries: insecure, CertsDir: *certsDir}
	d.Recover()
	defer d.Close()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	d.Routes(e)

	slog.Info("goCd serving", "socket", lc.socket, "group", lc.group, "tcp", lc.tcp, "runtime", rt, "data-root", *dataRoot)
	return serve(&http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn)}, lns)
}

// serve serves on every listener until one fails or goCd gets SIGTERM or
// SIGINT.
func serve(srv *http.Server, lns []net.Listener) error {
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		go func() { errc <- srv.Serve(ln) }()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case s := <-sig:
		// Containers keep running: their shims are not goCd's children
		// in any way that a shutdown touches.
		slog.Info("shutting down; containers keep running", "signal", s)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(ctx)
	}
}

// findRuntime is --runtime, else the goC beside goCd, else goC on PATH.
func findRuntime(flagValue string) (string, error) {
	if flagValue != "" {
		return filepath.Abs(flagValue)
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "goC")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := execLookPath("goC")
	if err != nil {
		return "", errors.New("no goC runtime found beside goCd or on PATH (--runtime)")
	}
	return p, nil
}

var execLookPath = func(name string) (string, error) {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", os.ErrNotExist
}
