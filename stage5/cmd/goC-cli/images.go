package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"goc.dev/stage5/api"
)

func newImagesCommand(gl *globals) *cobra.Command {
	var digests bool
	c := &cobra.Command{
		Use:               "images [flags]",
		Short:             "List images",
		Long:              "List images as docker images: one line per name; the names of one image share its ID.",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(c *cobra.Command, _ []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			imgs, err := cl.Images()
			if err != nil {
				return err
			}
			if gl.format == "json" {
				return printJSON(c.OutOrStdout(), imgs)
			}
			return printImages(c.OutOrStdout(), imgs, digests, time.Now())
		},
	}
	c.Flags().BoolVar(&digests, "digests", false, "Show digests")
	return c
}

// printImages is images' table, Docker's columns: REPOSITORY, TAG, DIGEST
// (with --digests), IMAGE ID (its first 12 hex digits), CREATED (how long
// before now) and SIZE (three digits, kB, MB…).
func printImages(out io.Writer, imgs []api.Image, digests bool, now time.Time) error {
	w := tabwriter.NewWriter(out, 8, 1, 3, ' ', 0)
	cols := []string{"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"}
	if !digests {
		cols = append(cols[:2], cols[3:]...)
	}
	fmt.Fprintln(w, strings.Join(cols, "\t"))
	for _, i := range imgs {
		id := strings.TrimPrefix(i.ID, "sha256:")
		row := []string{i.Repository, i.Tag, none(i.Digest), id[:min(12, len(id))],
			humanDuration(now.Sub(i.Created)) + " ago", decimalSize(float64(i.Size))}
		if !digests {
			row = append(row[:2], row[3:]...)
		}
		fmt.Fprintln(w, strings.Join(row, "\t"))
	}
	return w.Flush()
}

func none(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

// humanDuration says d as Docker's CREATED column does.
func humanDuration(d time.Duration) string {
	s, m, h := int(d.Seconds()), int(d.Minutes()), int(math.Round(d.Hours()))
	switch {
	case s < 1:
		return "Less than a second"
	case s == 1:
		return "1 second"
	case s < 60:
		return fmt.Sprintf("%d seconds", s)
	case m == 1:
		return "About a minute"
	case m < 60:
		return fmt.Sprintf("%d minutes", m)
	case h == 1:
		return "About an hour"
	case h < 48:
		return fmt.Sprintf("%d hours", h)
	case h < 24*7*2:
		return fmt.Sprintf("%d days", h/24)
	case h < 24*30*2:
		return fmt.Sprintf("%d weeks", h/24/7)
	case h < 24*365*2:
		return fmt.Sprintf("%d months", h/24/30)
	}
	return fmt.Sprintf("%d years", h/24/365)
}
