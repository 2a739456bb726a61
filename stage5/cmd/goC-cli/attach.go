package main

import (
	"errors"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"goc.dev/stage5/api"
	"goc.dev/stage5/client"
)

func newAttachCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "attach [flags] CONTAINER",
		Short: "Attach local standard input, output, and error streams to a running container",
		Long: "Attach to a container started with -i or -t: its output comes to goC-cli's (stdout and\n" +
			"stderr apart, without -t), goC-cli's input goes to it (if started with -i), and goC-cli\n" +
			"exits with its status once it ends. With a terminal, ctrl-p ctrl-q detaches and leaves it\n" +
			"running.",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			return attachTo(cl, args[0], true, stdio{os.Stdin, os.Stdout, os.Stderr})
		},
	}
}

// attachTo attaches to the container ref, with stdin, and ends with its
// exit status (nil if the user detached).
func attachTo(cl *client.Client, ref string, stdin bool, std stdio) error {
	s, err := cl.Attach(ref)
	if err != nil {
		return err
	}
	defer s.Close()
	if s.Raw {
		resize := func() {
			if rows, cols, ok := terminalSize(std.in); ok {
				_ = cl.Resize(ref, rows, cols)
			}
		}
		resize()
		err = attachTerminal(s, stdin, std, resize)
	} else {
		err = attachPipes(s, stdin, std)
	}
	if errors.Is(err, errDetached) {
		return nil
	}
	if err != nil {
		return err
	}
	code, err := cl.Wait(ref) // with --rm, goCd answers with the kept exit code
	if err != nil {
		return err
	}
	if code != 0 {
		return &exitError{status: code}
	}
	return nil
}

// runInteractive is run -i, -t (not detached): the container is created
// attachable, then attached to. Without a terminal, ^C stops it, as run's.
func runInteractive(cl *client.Client, create creator, req api.ContainerCreate, std stdio) error {
	if req.Tty && req.OpenStdin && !isTerminal(std.in) {
		return &exitError{status: 125, err: errors.New("the input device is not a TTY (use -i without -t)")}
	}
	ct, err := create(req)
	if err != nil {
		return &exitError{status: 125, err: err}
	}
	if !req.Tty {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		defer signal.Stop(sig)
		go func() {
			for range sig {
				_, _ = cl.Stop(ct.ID, 10)
			}
		}()
	}
	err = attachTo(cl, ct.ID, req.OpenStdin, std)
	var ce *client.Error
	if errors.As(err, &ce) && ce.Status == http.StatusConflict { // it has ended already: its log, its status
		err = logsAndStatus(cl, ct.ID, std)
	}
	var ee *exitError
	if err != nil && !errors.As(err, &ee) {
		return &exitError{status: 125, err: err}
	}
	return err
}

// logsAndStatus prints (on stderr) the log of a container that ended before goC-cli
// could attach (its command could not be run, say), and ends with its
// status.
func logsAndStatus(cl *client.Client, ref string, std stdio) error {
	if err := cl.Logs(ref, false, std.errOut); err != nil {
		return err
	}
	code, err := cl.Wait(ref)
	if err != nil {
		return err
	}
	if code != 0 {
		return &exitError{status: code}
	}
	return nil
}
