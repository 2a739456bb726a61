package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"goc.dev/stage5/client"
)

func newStartCommand(gl *globals) *cobra.Command {
	var attach bool
	c := &cobra.Command{
		Use:   "start [flags] CONTAINER",
		Short: "Start a stopped container",
		Long: "Start a stopped container: goCd runs its command again, from its image, with the same\n" +
			"ID, name and flags; its log goes on. With -a, goC-cli prints this run's output and\n" +
			"exits with its status.",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			since := time.Now()
			ct, err := cl.Start(args[0])
			if err != nil {
				return err
			}
			if !attach {
				_, err := fmt.Fprintln(c.OutOrStdout(), args[0])
				return err
			}
			return attachRun(cl, ct.ID, since, c)
		},
	}
	c.Flags().BoolVarP(&attach, "attach", "a", false, "Attach STDOUT/STDERR: print this run's output and exit with its status")
	return c
}

// attachRun follows the output of the run started at since, and ends with
// its exit status.
func attachRun(cl *client.Client, id string, since time.Time, c *cobra.Command) error {
	o := client.LogOptions{Follow: true, Since: since, Tail: -1}
	if err := cl.LogsWith(id, o, c.OutOrStdout()); err != nil {
		return err
	}
	code, err := cl.Wait(id)
	if err != nil {
		return err
	}
	if code != 0 {
		return &exitError{status: code}
	}
	return nil
}
