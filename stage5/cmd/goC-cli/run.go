package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"goc.dev/stage5/api"
	"goc.dev/stage5/client"
)

// runOptions are run's flags; what they say goes into the request goCd
// gets. readFile reads a seccomp profile (os.ReadFile, or a test's).
type runOptions struct {
	req        api.ContainerCreate
	detach, rm bool
	env, ports list
	sec        securityFlags
	opts       optionFlags
	readFile   func(string) ([]byte, error)
	pull       string // runpull.go
}

func newRunCommand(gl *globals) *cobra.Command {
	return (&runOptions{readFile: os.ReadFile}).command(gl)
}

// command is run, with o's flags. Its errors exit with 125, as docker
// run's; else goC-cli exits with the container's status.
func (o *runOptions) command(gl *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "run [flags] IMAGE [COMMAND] [ARG...]",
		Short: "Run a command in a new container",
		Long: "Run a command in a new container, on goCd's bridge network unless --network says otherwise,\n" +
			"confined as Docker's are unless the flags say otherwise. Attached (without -d), goC-cli\n" +
			"prints the container's output and exits with its status; ^C stops the container.\n" +
			"Its own errors exit with 125. What follows IMAGE is the container's command, never\n" +
			"goC-cli's flags.",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 1 {
				return usageError(c, 125, errors.New("need an image and a command"))
			}
			return nil
		},
		ValidArgsFunction: completeFirst(completeImages(gl)),
		RunE: func(c *cobra.Command, args []string) error {
			req, err := o.request(args)
			if err != nil {
				return &exitError{status: 125, err: err}
			}
			cl, err := gl.client()
			if err != nil {
				return err
			}
			create, err := pullingCreate(cl, o.pull, os.Stderr, isTerminal(os.Stderr))
			if err != nil {
				return &exitError{status: 125, err: err}
			}
			if !o.detach && (req.OpenStdin || req.Tty) { // attach.go
				return runInteractive(cl, create, req, stdio{os.Stdin, c.OutOrStdout(), os.Stderr})
			}
			return runContainer(cl, create, req, o.detach, c.OutOrStdout())
		},
	}
	c.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError(c, 125, err) })
	o.register(c.Flags())
	_ = c.RegisterFlagCompletionFunc("network", cobra.FixedCompletions(
		[]string{api.NetworkBridge, api.NetworkHost, api.NetworkNone}, cobra.ShellCompDirectiveNoFileComp))
	return c
}

// register adds run's flags to fs, described in Docker's words where they
// are Docker's. The first argument that is not a flag, the image, ends
// them.
func (o *runOptions) register(fs *pflag.FlagSet) {
	fs.SetInterspersed(false)
	fs.BoolVarP(&o.detach, "detach", "d", false, "Run container in background and print container ID")
	fs.BoolVar(&o.rm, "rm", false, "Automatically remove the container when it exits")
	fs.BoolVarP(&o.req.OpenStdin, "interactive", "i", false, "Keep STDIN open even if not attached")
	fs.BoolVarP(&o.req.Tty, "tty", "t", false, "Allocate a pseudo-TTY")
	fs.StringVar(&o.req.Name, "name", "", "Assign a name to the container")
	fs.StringVar(&o.pull, "pull", "missing", `Pull image before running ("always", "missing", "never")`)
	fs.VarP(&o.env, "env", "e", "Set environment variables")
	fs.StringVarP(&o.req.Workdir, "workdir", "w", "", "Working directory inside the container")
	fs.StringVar(&o.req.StopSignal, "stop-signal", "", "Signal to stop the container (default: the image's, else SIGTERM)")
	fs.StringVarP(&o.req.Memory, "memory", "m", "", "Memory limit, in bytes or with a unit: 512k, 100m, 1g")
	fs.StringVar(&o.req.CPU, "cpu", "", "Number of CPUs, such as 0.5 (Docker's --cpus)")
	kindOf(fs, "memory", "bytes")
	kindOf(fs, "cpu", "decimal")
	fs.IntVar(&o.req.Pids, "pids", 0, "Tune container pids limit (Docker's --pids-limit)")
	fs.StringVar(&o.req.Network, "network", api.NetworkBridge, "Connect a container to a network: bridge, host or none")
	fs.VarP(&o.ports, "publish", "p", "Publish a container's port to the host: HOSTPORT:CONTAINERPORT[/tcp|udp]")
	o.sec.register(fs, &o.req)
	registerMounts(fs, &o.req.MountFlags)
	o.opts.register(fs, &o.req)
}

// request is the request the parsed flags and args (IMAGE [COMMAND]
// [ARG...]) make; a seccomp FILE is read here.
func (o *runOptions) request(args []string) (api.ContainerCreate, error) {
	req := o.req
	req.Image, req.Cmd, req.Env, req.Ports, req.AutoRemove, req.Attach = args[0], args[1:], o.env, o.ports, o.rm, !o.detach
	if err := o.opts.apply(&req); err != nil {
		return req, err
	}
	return req, o.sec.apply(&req, o.readFile)
}

// runContainer creates the container and, unless detached, streams its
// output and ends with its exit status.
func runContainer(c *client.Client, create creator, req api.ContainerCreate, detach bool, out io.Writer) error {
	ct, err := create(req)
	if err != nil {
		return &exitError{status: 125, err: err}
	}
	if detach {
		_, err := fmt.Fprintln(out, ct.ID)
		return err
	}
	// Attached: ^C stops the container rather than goC-cli.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for range sig {
			_, _ = c.Stop(ct.ID, 10)
		}
	}()
	if err := c.Logs(ct.ID, true, out); err != nil {
		return &exitError{status: 125, err: err}
	}
	code, err := c.Wait(ct.ID) // with --rm, goCd removes it once it has exited
	if err != nil {
		return &exitError{status: 125, err: err}
	}
	if code != 0 {
		return &exitError{status: code}
	}
	return nil
}

// kindOf names what flag name takes, in --help, as Docker does (bytes,
// decimal) rather than as pflag would ("string").
func kindOf(fs *pflag.FlagSet, name, kind string) {
	f := fs.Lookup(name)
	f.Value = kinded{f.Value, kind}
}

type kinded struct {
	pflag.Value
	kind string
}

func (k kinded) Type() string { return k.kind }
