package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"goc.dev/stage5/api"
	"goc.dev/stage5/client"
)

// newVolumeCommand is volume and its subcommands, Docker's: create, ls,
// inspect, rm. A volume is a directory under goCd's data root that
// containers mount with -v NAME:CTR-DIR or --mount source=NAME,….
func newVolumeCommand(gl *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "volume COMMAND",
		Short: "Manage volumes",
		Long: "Manage volumes: directories under goCd's data root (volumes/NAME/_data) that outlive containers.\n" +
			"-v NAME:CTR-DIR makes a missing one; -v CTR-DIR makes an anonymous one, removed with its\n" +
			"container by rm -v or run --rm. A volume any container uses, running or not, stays.",
		Args: cobra.NoArgs,
	}
	c.AddCommand(volumeCreate(gl), volumeLs(gl), volumeInspect(gl), volumeRm(gl))
	return c
}

func volumeCreate(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "create [VOLUME]",
		Short: "Create a volume (a random name if none is given); prints its name",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			v, err := cl.CreateVolume(name)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.OutOrStdout(), v.Name)
			return err
		},
	}
}

func volumeLs(gl *globals) *cobra.Command {
	var quiet bool
	c := &cobra.Command{
		Use:     "ls [flags]",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			vs, err := cl.Volumes()
			if err != nil {
				return err
			}
			if gl.format == "json" {
				return printJSON(c.OutOrStdout(), vs)
			}
			return printVolumes(c.OutOrStdout(), vs, quiet)
		},
	}
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display volume names")
	return c
}

// printVolumes is volume ls's table, Docker's columns.
func printVolumes(out io.Writer, vs []api.Volume, quiet bool) error {
	w := tabwriter.NewWriter(out, 8, 1, 4, ' ', 0)
	if !quiet {
		fmt.Fprintln(w, "DRIVER\tVOLUME NAME")
	}
	for _, v := range vs {
		if quiet {
			fmt.Fprintln(w, v.Name)
		} else {
			fmt.Fprintf(w, "local\t%s\n", v.Name)
		}
	}
	return w.Flush()
}

func volumeInspect(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:               "inspect VOLUME [VOLUME...]",
		Short:             "Display detailed information on one or more volumes, as JSON",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeVolumes(gl),
		RunE: func(c *cobra.Command, args []string) error {
			return eachVolume(gl, args, func(cl *client.Client, name string) (any, error) { return cl.Volume(name) },
				func(found []any) error { return printJSON(c.OutOrStdout(), found) })
		},
	}
}

func volumeRm(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:               "rm VOLUME [VOLUME...]",
		Aliases:           []string{"remove"},
		Short:             "Remove one or more volumes; one a container uses, running or not, stays",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeVolumes(gl),
		RunE: func(c *cobra.Command, args []string) error {
			return eachVolume(gl, args, func(cl *client.Client, name string) (any, error) {
				if err := cl.RemoveVolume(name); err != nil {
					return nil, err
				}
				_, err := fmt.Fprintln(c.OutOrStdout(), name)
				return name, err
			}, nil)
		},
	}
}

// eachVolume does f for each name, as Docker does: on with the others
// after an error, each error on a line of its own, then done with what
// was found; the status is 1 if any failed.
func eachVolume(gl *globals, names []string, f func(*client.Client, string) (any, error), done func([]any) error) error {
	cl, err := gl.client()
	if err != nil {
		return err
	}
	var found []any
	var errs []error
	for _, n := range names {
		v, err := f(cl, n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		found = append(found, v)
	}
	if done != nil && len(found) > 0 {
		if err := done(found); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// completeVolumes completes volume names.
func completeVolumes(gl *globals) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		if c, err := gl.client(); err == nil {
			vs, _ := c.Volumes()
			for _, v := range vs {
				names = append(names, v.Name)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
