package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"goc.dev/stage5/api"
)

func newPortCommand(gl *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "port CONTAINER [PRIVATE_PORT[/PROTO]]",
		Short: "List port mappings or a specific mapping for the container",
		Long: "List port mappings or a specific mapping for the container: the ports run -p published,\n" +
			"from goCd's record of it. goCd publishes on every host address (0.0.0.0).",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usageError(c, 1, errors.New("need a container and at most one port"))
			}
			return nil
		},
		ValidArgsFunction: completeContainers(gl),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			ct, err := cl.Inspect(args[0])
			if err != nil {
				return err
			}
			want := ""
			if len(args) == 2 {
				want = withProto(args[1])
			}
			return printPorts(c.OutOrStdout(), ct, want)
		},
	}
}

// withProto is PORT/PROTO, tcp if p names none.
func withProto(p string) string {
	if strings.Contains(p, "/") {
		return p
	}
	return p + "/tcp"
}

// printPorts prints ct's published ports as docker port does: all of
// them "80/tcp -> 0.0.0.0:8080", or the host's side of the one wanted.
// A port the container does not publish is an error; one that has stopped
// publishes none (its ports are open only while it runs), as Docker's.
func printPorts(out io.Writer, ct api.Container, want string) error {
	if ct.Status != api.StatusRunning {
		ct.Ports = nil
	}
	for _, p := range ct.Ports { // HOSTPORT:CONTAINERPORT[/PROTO], as run -p took it
		host, ctr, ok := strings.Cut(p, ":")
		if !ok {
			continue
		}
		ctr = withProto(ctr)
		switch want {
		case "":
			fmt.Fprintf(out, "%s -> 0.0.0.0:%s\n", ctr, host)
		case ctr:
			_, err := fmt.Fprintf(out, "0.0.0.0:%s\n", host)
			return err
		}
	}
	if want != "" {
		return fmt.Errorf("no public port '%s' published for %s", want, ct.Name)
	}
	return nil
}
