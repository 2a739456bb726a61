package main

import (
	"errors"
	"io"
	"os"

	"github.com/spf13/cobra"

	"goc.dev/stage5/api"
	"goc.dev/stage5/client"
)

// execOptions are exec's flags.
type execOptions struct {
	api.ExecCreate
	env list
}

func newExecCommand(gl *globals) *cobra.Command {
	o := &execOptions{}
	c := &cobra.Command{
		Use:   "exec [flags] CONTAINER COMMAND [ARG...]",
		Short: "Execute a command in a running container",
		Long: "Execute a command in a running container, through goCd (which runs goC exec). goC-cli\n" +
			"exits with the command's status. Without -t the command's stdout and stderr stay apart;\n" +
			"with -i goC-cli's input is the command's until it ends. With -it the terminal is the\n" +
			"command's: ^C goes to it, the window's size follows, ctrl-p ctrl-q detaches.",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageError(c, 1, errors.New("need a container and a command"))
			}
			return nil
		},
		ValidArgsFunction: completeFirst(completeContainers(gl)),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			req := o.ExecCreate
			req.Cmd, req.Env = args[1:], o.env
			return execIn(cl, args[0], req, stdio{os.Stdin, os.Stdout, os.Stderr})
		},
	}
	fs := c.Flags()
	fs.SetInterspersed(false)
	fs.BoolVarP(&o.Stdin, "interactive", "i", false, "Keep STDIN open even if not attached")
	fs.BoolVarP(&o.Tty, "tty", "t", false, "Allocate a pseudo-TTY")
	fs.StringVarP(&o.User, "user", "u", "", "Username or UID (format: \"<name|uid>[:<group|gid>]\")")
	fs.StringVarP(&o.Workdir, "workdir", "w", "", "Working directory inside the container")
	fs.VarP(&o.env, "env", "e", "Set environment variables")
	return c
}

// stdio is goC-cli's own input and output.
type stdio struct {
	in          *os.File
	out, errOut io.Writer
}

// execIn runs req in the container ref and ends with its exit status.
func execIn(cl *client.Client, ref string, req api.ExecCreate, std stdio) error {
	if req.Tty && req.Stdin && !isTerminal(std.in) {
		return errors.New("the input device is not a TTY (use -i without -t)")
	}
	xid, err := cl.ExecCreate(ref, req)
	if err != nil {
		return err
	}
	if req.Tty {
		resizeFrom(cl, xid, std.in) // before the start: goCd applies it once the terminal exists
	}
	s, err := cl.ExecStart(xid)
	if err != nil {
		return err
	}
	defer s.Close()
	if req.Tty {
		err = attachTerminal(s, req.Stdin, std, func() { resizeFrom(cl, xid, std.in) })
	} else {
		err = attachPipes(s, req.Stdin, std)
	}
	if errors.Is(err, errDetached) {
		return nil
	}
	if err != nil {
		return err
	}
	x, err := cl.ExecInspect(xid)
	if err != nil {
		return err
	}
	if x.ExitCode != nil && *x.ExitCode != 0 {
		return &exitError{status: *x.ExitCode}
	}
	return nil
}

// resizeFrom gives the exec's terminal the size of f, if f is a terminal.
func resizeFrom(cl *client.Client, xid string, f *os.File) {
	if rows, cols, ok := terminalSize(f); ok {
		_ = cl.ExecResize(xid, rows, cols)
	}
}

// attachPipes copies the stream's stdout and stderr apart and, with
// stdin, the input in until its end, which it half-closes.
func attachPipes(s *client.Stream, stdin bool, std stdio) error {
	if stdin {
		go func() {
			_, _ = io.Copy(s, std.in)
			_ = s.CloseWrite()
		}()
	}
	return api.Demux(std.out, std.errOut, s)
}
