package main

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newTopCommand(gl *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "top CONTAINER [ps OPTIONS]",
		Short: "Display the running processes of a container",
		Long: "Display the running processes of a container: ps(1)'s lines of them, on the host\n" +
			"(host PIDs), with the ps OPTIONS given (default -ef).",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 1 {
				return usageError(c, 1, errors.New("need a container"))
			}
			return nil
		},
		ValidArgsFunction: completeContainers(gl),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			top, err := cl.Top(args[0], args[1:])
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(c.OutOrStdout(), 0, 8, 3, ' ', 0)
			fmt.Fprintln(w, strings.Join(top.Titles, "\t"))
			for _, p := range top.Processes {
				fmt.Fprintln(w, strings.Join(p, "\t"))
			}
			return w.Flush()
		},
	}
	c.Flags().SetInterspersed(false) // what follows CONTAINER is ps's
	return c
}
