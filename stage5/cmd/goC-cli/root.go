package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// newRootCommand is goC-cli's command tree: the global flags (host.go),
// the commands in their groups, cobra's help and completion commands, and
// how a mistake is told. A new command is a file with its constructor,
// listed here.
func newRootCommand() *cobra.Command {
	gl := &globals{}
	root := &cobra.Command{
		Use:   "goC-cli",
		Short: "goCd's client",
		Long: "goC-cli is goCd's client: each command is a request to goCd's API, on its unix socket\n" +
			"(--socket PATH, -H unix:///PATH) or over TCP with mutual TLS (-H tcp://HOST:PORT --tlsverify …).\n" +
			"Its commands and flags are Docker's.",
		Args:          cobra.ArbitraryArgs,
		RunE:          rootRun,
		SilenceErrors: true, // execute prints the one line
		SilenceUsage:  true,
	}
	gl.register(root.PersistentFlags())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if c == c.Root() { // a bad option and no command found: 2, as before
			return usageError(c, 2, err)
		}
		return usageError(c, 1, err)
	})
	root.AddGroup(
		&cobra.Group{ID: "containers", Title: "Containers:"},
		&cobra.Group{ID: "images", Title: "Images:"},
		&cobra.Group{ID: "volumes", Title: "Volumes:"},
		&cobra.Group{ID: "goCd", Title: "goCd:"},
	)
	add := func(group string, cmds ...*cobra.Command) {
		for _, c := range cmds {
			c.GroupID = group
			root.AddCommand(c)
		}
	}
	add("containers", newRunCommand(gl), newPsCommand(gl), newLogsCommand(gl), newStopCommand(gl),
		newKillCommand(gl), newRmCommand(gl), newInspectCommand(gl), newWaitCommand(gl))
	add("containers", newPauseCommand(gl), newUnpauseCommand(gl), newTopCommand(gl), newPortCommand(gl))
	add("containers", newStartCommand(gl), newRestartCommand(gl))
	add("containers", newExecCommand(gl))
	add("containers", newAttachCommand(gl))
	add("containers", newStatsCommand(gl))
	add("images", newImagesCommand(gl), newImportCommand(gl), newRmiCommand(gl))
	add("images", newPullCommand(gl))
	add("images", newTagCommand(gl), newPushCommand(gl))
	add("images", newLoginCommand(gl), newLogoutCommand())
	add("goCd", newVersionCommand(gl), newInfoCommand(gl))
	add("volumes", newVolumeCommand(gl))
	root.InitDefaultHelpCmd() // cobra's help COMMAND, which must name one
	if help, _, err := root.Find([]string{"help"}); err == nil {
		help.Args = func(c *cobra.Command, args []string) error {
			if _, rest, _ := c.Root().Find(args); len(rest) > 0 {
				return usageError(c, 1, fmt.Errorf("unknown command %q", strings.Join(args, " ")))
			}
			return nil
		}
	}
	return root
}

// rootRun is goC-cli without a command, or with one it does not know.
func rootRun(c *cobra.Command, args []string) error {
	if len(args) == 0 { // the help, on stderr, and status 2, as before
		c.SetOut(c.ErrOrStderr())
		_ = c.Help()
		return &exitError{status: 2}
	}
	return &exitError{status: 1, err: fmt.Errorf("unknown command %q (see goC-cli --help)", args[0])}
}

// usageError is a mistake on c's command line: one line, naming the
// command and where its usage is.
func usageError(c *cobra.Command, status int, err error) error {
	name := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), c.Root().Name()), " ")
	if name != "" {
		name += ": "
	}
	return &exitError{status: status, err: fmt.Errorf("%s%w (see %s --help)", name, err, c.CommandPath())}
}

// exactArgs accepts n arguments, else says which (what).
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError(c, 1, errors.New(what))
		}
		return nil
	}
}

// noArgs accepts none.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError(c, 1, errors.New("takes no arguments"))
	}
	return nil
}

// oneContainer is the arguments of a command on one container.
var oneContainer = exactArgs(1, "need exactly one container")
