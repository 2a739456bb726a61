package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"goc.dev/stage5/client"
)

func newLogsCommand(gl *globals) *cobra.Command {
	var follow, timestamps bool
	var since, tail string
	c := &cobra.Command{
		Use:               "logs [flags] CONTAINER",
		Short:             "Fetch the logs of a container",
		Args:              oneContainer,
		ValidArgsFunction: completeContainers(gl),
		RunE: func(c *cobra.Command, args []string) error {
			o := client.LogOptions{Follow: follow, Timestamps: timestamps, Tail: -1}
			var err error
			if o.Since, err = parseSince(since, time.Now()); err != nil {
				return usageError(c, 1, err)
			}
			if tail != "all" {
				if o.Tail, err = strconv.Atoi(tail); err != nil || o.Tail < 0 {
					return usageError(c, 1, fmt.Errorf("invalid --tail %q: a number of lines, or all", tail))
				}
			}
			cl, err := gl.client()
			if err != nil {
				return err
			}
			return cl.LogsWith(args[0], o, c.OutOrStdout())
		},
	}
	c.Flags().BoolVarP(&follow, "follow", "f", false, "Follow log output")
	c.Flags().BoolVarP(&timestamps, "timestamps", "t", false, "Show timestamps")
	c.Flags().StringVar(&since, "since", "", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	c.Flags().StringVarP(&tail, "tail", "n", "all", "Number of lines to show from the end of the logs")
	return c
}

// parseSince reads --since as docker does: empty (all), an RFC 3339 time,
// seconds since the epoch (fractions allowed), or a duration back from now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)), nil
	}
	return time.Time{}, fmt.Errorf("invalid --since %q: an RFC 3339 time, seconds since 1970, or a duration such as 10m", s)
}
