package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"goc.dev/stage5/api"
)

func newPsCommand(gl *globals) *cobra.Command {
	var all, quiet bool
	var filters list
	c := &cobra.Command{
		Use:               "ps [flags]",
		Short:             "List containers",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, _ []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			cs, err := cl.ListFiltered(all, filters)
			if err != nil {
				return err
			}
			if quiet {
				return printIDs(c.OutOrStdout(), cs)
			}
			if gl.format == "json" {
				return printJSON(c.OutOrStdout(), cs)
			}
			return printContainers(c.OutOrStdout(), cs)
		},
	}
	c.Flags().BoolVarP(&all, "all", "a", false, "Show all containers (default shows just running)")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display container IDs")
	c.Flags().VarP(&filters, "filter", "f", "Filter output: status=running|paused|exited|dead, name=REGEXP, label=KEY[=VALUE], id=PREFIX")
	return c
}

// printContainers is ps's table.
func printContainers(out io.Writer, cs []api.Container) error {
	w := tabwriter.NewWriter(out, 8, 1, 3, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tIMAGE\tSTATUS\tIP\tCOMMAND")
	for _, ct := range cs {
		st := ct.Status
		if ct.Paused {
			st = api.StatusPaused
		}
		if ct.ExitCode != nil {
			st = fmt.Sprintf("exited (%d)", *ct.ExitCode)
		}
		fmt.Fprintf(w, "%.12s\t%s\t%s\t%s\t%s\t%s\n", ct.ID, ct.Name, ct.Image, st, ct.IP, strings.Join(append(ct.Entrypoint, ct.Cmd...), " "))
	}
	return w.Flush()
}

// printIDs is ps -q: the short IDs, one a line.
func printIDs(out io.Writer, cs []api.Container) error {
	for _, ct := range cs {
		if _, err := fmt.Fprintf(out, "%.12s\n", ct.ID); err != nil {
			return err
		}
	}
	return nil
}
