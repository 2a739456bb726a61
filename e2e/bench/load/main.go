// Command load drives one goCd with API requests of mixed kinds from many
// concurrent clients while containers start and stop (make bench-load;
// e2e/bench/load.sh runs it against a private goCd; docs/e2e.md). It
// prints each kind's p50 and p99 latency and the overall ones, and goCd's
// RSS, fds and threads before the load, right after it and after an idle
// pause; it fails on any failed request, and when goCd's fds are not back
// where they started or its RSS or threads grew during the pause.
//
// Before the load (not timed) it makes its own containers: -steady that run
// and print lines (for inspect and logs) and -toggles that stop and start.
// The load: -n requests (each kind below one request, run+rm and
// stop+start two), -c clients at once, each with a connection of its own;
// beside them -churn loops run short --rm containers, and stop with the load.
package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"goc.dev/stage5/api"
	"goc.dev/stage5/client"
)

// The mix: a kind's weight out of the total, and the requests it makes.
var kinds = []struct {
	name   string
	weight int
}{
	{"ps", 15}, {"inspect", 15}, {"logs", 15}, {"images", 10}, {"version", 10}, {"info", 10},
	{"run+rm", 15}, {"stop+start", 10},
}

type bench struct {
	socket, image string
	n             int64
	issued        atomic.Int64 // requests handed out
	steady        []string
	toggles       chan string // containers free to stop and start

	mu    sync.Mutex
	lat   map[string][]time.Duration // by request: ps, inspect, …, run, rm, stop, start
	fails map[string][]string
}

func main() {
	b := &bench{lat: map[string][]time.Duration{}, fails: map[string][]string{}}
	flag.StringVar(&b.socket, "socket", client.DefaultSocket, "goCd's socket")
	flag.StringVar(&b.image, "image", "", "the image the containers run (busybox)")
	flag.Int64Var(&b.n, "n", 1000, "requests")
	clients := flag.Int("c", 32, "concurrent clients")
	pid := flag.Int("pid", 0, "goCd's pid (for its RSS, fds and threads)")
	nsteady := flag.Int("steady", 4, "containers that run throughout, for inspect and logs")
	ntoggle := flag.Int("toggles", 8, "containers that are stopped and started")
	churn := flag.Int("churn", 1, "loops of short --rm containers beside the load")
	idle := flag.Duration("idle", 10*time.Second, "the pause after the load")
	flag.Parse()
	if b.image == "" || *pid == 0 {
		fmt.Fprintln(os.Stderr, "usage: load -socket SOCK -image IMG -pid GOCD_PID [-n N] [-c CLIENTS]")
		os.Exit(2)
	}
	if err := b.run(*clients, *pid, *nsteady, *ntoggle, *churn, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func (b *bench) run(clients, pid, nsteady, ntoggle, churn int, idle time.Duration) error {
	c := client.New(b.socket)
	defer c.Close()
	if err := b.setup(c, nsteady, ntoggle); err != nil {
		return err
	}
	defer b.teardown(c)
	// One of each kind first: goCd's first requests load what it keeps.
	for _, k := range kinds {
		b.op(c, k.name, false)
	}
	b.lat = map[string][]time.Duration{}
	c.Close()
	before, err := settled(pid)
	if err != nil {
		return err
	}

	var stop atomic.Bool
	var churned, churnFailed atomic.Int64
	var cwg sync.WaitGroup
	for range churn {
		cwg.Go(func() {
			cc := client.New(b.socket)
			defer cc.Close()
			for !stop.Load() {
				if _, err := cc.Create(api.ContainerCreate{Image: b.image, Cmd: []string{"sleep", "0.2"}, AutoRemove: true}); err != nil {
					churnFailed.Add(1)
					b.fail("churn", err)
				}
				churned.Add(1)
			}
		})
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			cc := client.New(b.socket) // a connection of its own
			defer cc.Close()
			for b.issued.Load() < b.n {
				b.op(cc, pick(), true)
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	stop.Store(true)
	cwg.Wait()
	after, err := measure(pid)
	if err != nil {
		return err
	}
	// The churn's last --rm containers go when they have exited.
	b.waitOnly(c, nsteady+ntoggle, 15*time.Second)
	c.Close()
	time.Sleep(idle)
	rest, err := settled(pid)
	if err != nil {
		return err
	}
	b.report(clients, took, churned.Load(), churnFailed.Load())
	fmt.Printf("\ngoCd        %10s %10s %10s\n", "RSS kB", "fds", "threads")
	for _, m := range []struct {
		what string
		s    stats
	}{{"before", before}, {"right after", after}, {fmt.Sprintf("after %s idle", idle), rest}} {
		fmt.Printf("%-18s %10d %10d %10d\n", m.what, m.s.rss, m.s.fds, m.s.threads)
	}
	var bad []string
	if rest.fds > before.fds {
		bad = append(bad, fmt.Sprintf("goCd's fds: %d before, %d after the pause", before.fds, rest.fds))
	}
	// Growth after the load has ended is a leak at work: allow a page or
	// two of the runtime's own bookkeeping.
	if rest.rss > after.rss+1024 {
		bad = append(bad, fmt.Sprintf("goCd's RSS grew while idle: %d kB right after, %d kB %s later", after.rss, rest.rss, idle))
	}
	if rest.threads > after.threads {
		bad = append(bad, fmt.Sprintf("goCd's threads grew while idle: %d, then %d", after.threads, rest.threads))
	}
	for k, errs := range b.fails {
		bad = append(bad, fmt.Sprintf("%s: %d failed, first: %s", k, len(errs), errs[0]))
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return errors.New(strings.Join(bad, "; "))
	}
	fmt.Println("load: ok")
	return nil
}

// pick draws a kind by its weight.
func pick() string {
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	r := rand.IntN(total)
	for _, k := range kinds {
		if r < k.weight {
			return k.name
		}
		r -= k.weight
	}
	return kinds[0].name
}

// op runs one operation of kind; counted, it takes its requests from the
// load's -n (none left: nothing is done).
func (b *bench) op(c *client.Client, kind string, counted bool) {
	if counted {
		cost := int64(1)
		if strings.Contains(kind, "+") {
			cost = 2
		}
		if b.issued.Add(cost)-cost >= b.n {
			return
		}
	}
	switch kind {
	case "ps":
		b.time("ps", func() error { _, err := c.List(true); return err })
	case "inspect":
		b.time("inspect", func() error { _, err := c.Inspect(b.steady[rand.IntN(len(b.steady))]); return err })
	case "logs":
		b.time("logs", func() error {
			var n countWriter
			if err := c.Logs(b.steady[rand.IntN(len(b.steady))], false, &n); err != nil {
				return err
			}
			if n == 0 {
				return errors.New("no output")
			}
			return nil
		})
	case "images":
		b.time("images", func() error { _, err := c.Images(); return err })
	case "version":
		b.time("version", func() error { _, err := c.Version(); return err })
	case "info":
		b.time("info", func() error { _, err := c.Info(); return err })
	case "run+rm":
		var id string
		if b.time("run", func() error {
			ct, err := c.Create(api.ContainerCreate{Image: b.image, Cmd: []string{"sleep", "100000"}, Network: api.NetworkBridge})
			id = ct.ID
			return err
		}) {
			b.time("rm", func() error { return c.Remove(id, true) })
		}
	case "stop+start":
		name := <-b.toggles
		defer func() { b.toggles <- name }()
		b.time("stop", func() error { _, err := c.Stop(name, 10); return err })
		b.time("start", func() error {
			ct, err := c.Start(name)
			if err == nil && ct.Status != api.StatusRunning {
				err = fmt.Errorf("%s is %s after start", name, ct.Status)
			}
			return err
		})
	}
}

// time runs one request and records its latency, or its failure.
func (b *bench) time(kind string, f func() error) bool {
	t := time.Now()
	err := f()
	d := time.Since(t)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.fails[kind] = append(b.fails[kind], err.Error())
		return false
	}
	b.lat[kind] = append(b.lat[kind], d)
	return true
}

func (b *bench) fail(kind string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fails[kind] = append(b.fails[kind], err.Error())
}

type countWriter int

func (w *countWriter) Write(p []byte) (int, error) { *w += countWriter(len(p)); return len(p), nil }

// setup makes the containers the load reads and toggles.
func (b *bench) setup(c *client.Client, nsteady, ntoggle int) error {
	b.toggles = make(chan string, ntoggle)
	for i := range nsteady {
		name := fmt.Sprintf("load-steady-%d", i)
		// 50 lines of output, then nothing: a TERM ends it.
		cmd := `trap "exit 0" TERM; i=0; while [ $i -lt 50 ]; do echo "line $i"; i=$((i+1)); done; sleep 100000 & wait`
		if _, err := c.Create(api.ContainerCreate{Image: b.image, Name: name, Cmd: []string{"sh", "-c", cmd}}); err != nil {
			return fmt.Errorf("setup %s: %w", name, err)
		}
		b.steady = append(b.steady, name)
	}
	for i := range ntoggle {
		name := fmt.Sprintf("load-toggle-%d", i)
		// Stopped with KILL: a sh just started again may not have set a
		// trap yet, and a PID 1 without a handler ignores TERM, so a TERM
		// would wait out stop's timeout now and then — the workload's
		// race, not goCd's time.
		if _, err := c.Create(api.ContainerCreate{Image: b.image, Name: name, Cmd: []string{"sleep", "100000"}, StopSignal: "SIGKILL"}); err != nil {
			return fmt.Errorf("setup %s: %w", name, err)
		}
		b.toggles <- name
	}
	return nil
}

// teardown removes every container but the ones it did not make.
func (b *bench) teardown(c *client.Client) {
	cs, _ := c.List(true)
	for _, ct := range cs {
		_ = c.Remove(ct.ID, true)
	}
}

// waitOnly waits until goCd lists n containers (the churn's --rm ones gone).
func (b *bench) waitOnly(c *client.Client, n int, limit time.Duration) {
	for t := time.Now(); time.Since(t) < limit; time.Sleep(200 * time.Millisecond) {
		if cs, err := c.List(true); err == nil && len(cs) == n {
			return
		}
	}
}

func (b *bench) report(clients int, took time.Duration, churned, churnFailed int64) {
	var all []time.Duration
	var names []string
	total := 0
	for k, l := range b.lat {
		names = append(names, k)
		all = append(all, l...)
		total += len(l)
	}
	for _, errs := range b.fails {
		total += len(errs)
	}
	order := []string{"ps", "inspect", "logs", "images", "version", "info", "run", "rm", "stop", "start"}
	slices.SortFunc(names, func(x, y string) int {
		return cmp.Compare(slices.Index(order, x), slices.Index(order, y))
	})
	fmt.Printf("%d requests from %d clients in %s (%.0f/s); beside them %d short --rm containers (%d failed)\n",
		total, clients, took.Round(time.Millisecond), float64(total)/took.Seconds(), churned, churnFailed)
	fmt.Printf("%-10s %6s %10s %10s %6s\n", "kind", "n", "p50 ms", "p99 ms", "failed")
	for _, k := range names {
		fmt.Printf("%-10s %6d %10s %10s %6d\n", k, len(b.lat[k]), ms(pct(b.lat[k], 50)), ms(pct(b.lat[k], 99)), len(b.fails[k]))
	}
	fmt.Printf("%-10s %6d %10s %10s\n", "overall", len(all), ms(pct(all, 50)), ms(pct(all, 99)))
}

// pct is the p-th percentile (nearest rank).
func pct(l []time.Duration, p int) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := (p*len(s) + 99) / 100
	return s[max(i, 1)-1]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64)
}

type stats struct{ rss, fds, threads int }

// settled measures until goCd's fds are the same twice 200 ms apart (up to
// 5 s): a connection a client has just closed takes goCd a moment to close.
func settled(pid int) (stats, error) {
	s, err := measure(pid)
	for t := time.Now(); err == nil && time.Since(t) < 5*time.Second; {
		time.Sleep(200 * time.Millisecond)
		var now stats
		if now, err = measure(pid); err == nil && now.fds == s.fds {
			return now, nil
		}
		s = now
	}
	return s, err
}

// measure reads goCd's resident memory (kB), open fds and threads.
func measure(pid int) (stats, error) {
	var s stats
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for _, l := range strings.Split(string(st), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			s.rss, _ = strconv.Atoi(f[1])
		case "Threads:":
			s.threads, _ = strconv.Atoi(f[1])
		}
	}
	fds, err := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	s.fds = len(fds)
	return s, err
}
