package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"goc.dev/shared/registry/authfile"
	"goc.dev/stage5/api"
	"goc.dev/stage5/client"
)

// Registry credentials live with the client, as Docker's: goC-cli login
// has goCd check them against the registry (POST /v1/auth) and, if they
// pass, stores them in goC's config.json (authfile: $GOC_CONFIG, else
// ~/.config/goC; mode 0600); each pull sends the registry's to goCd in
// X-Registry-Auth. goCd stores none.

type loginOptions struct {
	user, pass string
	passStdin  bool
}

func newLoginCommand(gl *globals) *cobra.Command {
	var o loginOptions
	c := &cobra.Command{
		Use:   "login [flags] [SERVER]",
		Short: "Log in to a registry",
		Long: "Log in to a registry (HOST[:PORT]; none: Docker Hub), as docker login: goCd checks the\n" +
			"credentials against the registry, and goC-cli stores them only if they pass, in\n" +
			"$GOC_CONFIG/config.json (else ~/.config/goC/config.json), mode 0600, Docker's layout.",
		Args:              maxOneArg("give one registry, or none for Docker Hub"),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, args []string) error {
			return login(gl, c, server(args), o)
		},
	}
	c.Flags().StringVarP(&o.user, "username", "u", "", "Username")
	c.Flags().StringVarP(&o.pass, "password", "p", "", "Password (seen by ps and the shell's history: prefer --password-stdin)")
	c.Flags().BoolVar(&o.passStdin, "password-stdin", false, "Take the password from stdin")
	return c
}

func newLogoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:               "logout [SERVER]",
		Short:             "Log out from a registry",
		Long:              "Remove the credentials goC-cli login stored for a registry (none: Docker Hub).",
		Args:              maxOneArg("give one registry, or none for Docker Hub"),
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, args []string) error {
			f, err := authfile.Default()
			if err != nil {
				return err
			}
			host := authfile.Key(server(args))
			removed, err := f.Remove(host)
			if err != nil {
				return err
			}
			if !removed {
				_, err = fmt.Fprintf(c.OutOrStdout(), "Not logged in to %s\n", host)
				return err
			}
			_, err = fmt.Fprintf(c.OutOrStdout(), "Removing login credentials for %s\n", host)
			return err
		},
	}
}

// login asks for what the flags did not give, has goCd check it, and
// stores it.
func login(gl *globals, c *cobra.Command, srv string, o loginOptions) error {
	f, err := authfile.Default()
	if err != nil {
		return err
	}
	in := bufio.NewReader(c.InOrStdin())
	if err := o.complete(in, c.OutOrStdout(), c.ErrOrStderr()); err != nil {
		return err
	}
	cl, err := gl.client()
	if err != nil {
		return err
	}
	a := api.AuthConfig{Username: o.user, Password: o.pass, ServerAddress: authfile.Key(srv)}
	st, err := cl.Login(a)
	if err != nil {
		return err
	}
	if err := f.Set(srv, authfile.Auth{Username: o.user, Password: o.pass}); err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.OutOrStdout(), st.Status)
	return err
}

// complete reads the password from stdin (--password-stdin), or asks for
// the username and the password (not echoed on a terminal), as docker
// login; -p earns Docker's warning.
func (o *loginOptions) complete(in *bufio.Reader, out, errOut io.Writer) error {
	switch {
	case o.passStdin && o.pass != "":
		return errors.New("login: --password and --password-stdin are mutually exclusive")
	case o.passStdin && o.user == "":
		return errors.New("login: --password-stdin needs --username")
	case o.passStdin:
		b, err := io.ReadAll(in)
		if err != nil {
			return fmt.Errorf("login: stdin: %w", err)
		}
		o.pass = strings.TrimRight(string(b), "\r\n")
	case o.pass != "":
		fmt.Fprintln(errOut, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
	}
	var err error
	if o.user == "" {
		fmt.Fprint(out, "Username: ")
		if o.user, err = readLine(in); err != nil {
			return err
		}
	}
	if o.pass == "" && !o.passStdin {
		fmt.Fprint(out, "Password: ")
		restore := noEcho(os.Stdin)
		o.pass, err = readLine(in)
		restore()
		fmt.Fprintln(out)
	}
	if err == nil && (o.user == "" || o.pass == "") {
		err = errors.New("login: need a username and a password")
	}
	return err
}

func readLine(in *bufio.Reader) (string, error) {
	s, err := in.ReadString('\n')
	if err != nil && (err != io.EOF || s == "") {
		return "", fmt.Errorf("login: stdin: %w", err)
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// noEcho turns the terminal f's echo off, if f is one, and returns how to
// turn it on again.
func noEcho(f *os.File) (restore func()) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return func() {}
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	if unix.IoctlSetTermios(fd, unix.TCSETS, &quiet) != nil {
		return func() {}
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }
}

// server is login's or logout's SERVER; none is Docker Hub.
func server(args []string) string {
	if len(args) == 0 {
		return "docker.io"
	}
	return args[0]
}

// maxOneArg accepts zero or one argument, else says which (what).
func maxOneArg(what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usageError(c, 1, errors.New(what))
		}
		return nil
	}
}

// withRegistryAuth is cl sending the credentials goC-cli login stored for
// ref's registry, if any, with each request (X-Registry-Auth).
func withRegistryAuth(cl *client.Client, ref string) (*client.Client, error) {
	f, err := authfile.Default()
	if err != nil {
		return cl, nil // no home directory: no credentials
	}
	host := authfile.RegistryOf(ref)
	a, ok, err := f.Lookup(host)
	if err != nil || !ok {
		return cl, err
	}
	return cl.WithRegistryAuth(api.AuthConfig{Username: a.Username, Password: a.Password, ServerAddress: authfile.Key(host)}), nil
}
