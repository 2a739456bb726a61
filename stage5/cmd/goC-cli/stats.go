package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"goc.dev/stage5/api"
	"goc.dev/stage5/client"
)

func newStatsCommand(gl *globals) *cobra.Command {
	var noStream, all bool
	c := &cobra.Command{
		Use:   "stats [flags] [CONTAINER...]",
		Short: "Display a live stream of containers' resource usage",
		Long: "Display containers' resource usage, as docker stats: CPU % (CPU time over wall time\n" +
			"between two samples a second apart: one busy CPU is 100 %), memory charged to the cgroup\n" +
			"and its limit (the host's memory if none), bytes received and sent on its network\n" +
			"interfaces, and its number of tasks. Without CONTAINER: the running ones (-a: all); a\n" +
			"container that is not running shows zeros. A new table every second, until interrupted;\n" +
			"--no-stream: one table.",
		ValidArgsFunction: completeContainers(gl),
		RunE: func(c *cobra.Command, args []string) error {
			cl, err := gl.client()
			if err != nil {
				return err
			}
			refs := args
			if len(refs) == 0 {
				cs, err := cl.ListFiltered(all, nil)
				if err != nil {
					return err
				}
				for _, ct := range cs {
					refs = append(refs, ct.ID)
				}
			}
			if noStream || len(refs) == 0 { // none: the titles alone, once
				return statsOnce(cl, refs, c.OutOrStdout())
			}
			return statsStream(cl, refs, c.OutOrStdout())
		},
	}
	c.Flags().BoolVar(&noStream, "no-stream", false, "Disable streaming stats and only pull the first result")
	c.Flags().BoolVarP(&all, "all", "a", false, "Show all containers (default shows just running)")
	return c
}

// statsOnce prints one table: a sample of each container, read together.
func statsOnce(cl *client.Client, refs []string, out io.Writer) error {
	rows := make([]api.Stats, len(refs))
	errs := make([]error, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = cl.Stats(ref, false, func(s api.Stats) error { rows[i] = s; return nil })
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return printStats(out, rows)
}

// statsStream prints a table a second of each container's latest sample,
// the screen cleared before each when out is a terminal, until every
// stream has ended (the containers were removed) or one fails.
func statsStream(cl *client.Client, refs []string, out io.Writer) error {
	var mu sync.Mutex
	latest := make([]*api.Stats, len(refs))
	done := make(chan error, len(refs))
	for i, ref := range refs {
		go func() {
			done <- cl.Stats(ref, true, func(s api.Stats) error {
				mu.Lock()
				defer mu.Unlock()
				latest[i] = &s
				return nil
			})
		}()
	}
	f, isFile := out.(*os.File)
	_, _, tty := terminalSize(f)
	tty = tty && isFile
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for left := len(refs); left > 0; {
		select {
		case err := <-done:
			if err != nil {
				return err
			}
			left--
		case <-tick.C:
			mu.Lock()
			var rows []api.Stats
			for _, s := range latest {
				if s != nil {
					rows = append(rows, *s)
				}
			}
			mu.Unlock()
			if len(rows) == 0 {
				continue // no sample yet
			}
			if tty {
				fmt.Fprint(out, "\033[2J\033[H")
			}
			if err := printStats(out, rows); err != nil {
				return err
			}
		}
	}
	return nil
}

// printStats is stats's table, docker's columns (but BLOCK I/O).
func printStats(out io.Writer, rows []api.Stats) error {
	w := tabwriter.NewWriter(out, 8, 1, 3, ' ', 0)
	fmt.Fprintln(w, "CONTAINER ID\tNAME\tCPU %\tMEM USAGE / LIMIT\tMEM %\tNET I/O\tPIDS")
	for _, s := range rows {
		rx, tx := s.NetIO()
		fmt.Fprintf(w, "%.12s\t%s\t%.2f%%\t%s / %s\t%.2f%%\t%s / %s\t%d\n", s.ID, s.Name, s.CPUPercent(),
			binarySize(float64(s.Memory.Usage)), binarySize(float64(s.Memory.Limit)), s.MemPercent(),
			decimalSize(float64(rx)), decimalSize(float64(tx)), s.Pids.Current)
	}
	return w.Flush()
}

// binarySize is n bytes as docker prints memory: 4 digits, KiB, MiB, …
func binarySize(n float64) string {
	return humanSize(n, 1024, "%.4g%s", []string{"B", "KiB", "MiB", "GiB", "TiB"})
}

// decimalSize is n bytes as docker prints traffic: 3 digits, kB, MB, …
func decimalSize(n float64) string {
	return humanSize(n, 1000, "%.3g%s", []string{"B", "kB", "MB", "GB", "TB"})
}

func humanSize(n, base float64, format string, units []string) string {
	i := 0
	for n >= base && i < len(units)-1 {
		n /= base
		i++
	}
	return fmt.Sprintf(format, n, units[i])
}
