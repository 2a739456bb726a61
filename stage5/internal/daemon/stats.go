package daemon

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"goc.dev/shared/cgroups"
	"goc.dev/stage5/api"
)

// GET /containers/{id}/stats?stream=0|1: samples of the container's
// resource usage, a JSON object each (api.Stats), one a second; with
// stream=0 a single one, taken a second after a first so that it carries a
// CPU rate. CPU, memory and pids are goC events --stats (the container's
// cgroup, v1 or v2), the network counters are /proc/PID/net/dev of the
// container's first process (its network namespace, as it sees it). A
// container that is not running has zero counters, as in Docker.

// statsInterval is the time between samples.
const statsInterval = time.Second

func (d *Daemon) stats(c echo.Context) error {
	ct, err := d.find(c.Param("id"))
	if err != nil {
		return err
	}
	stream := c.QueryParam("stream") != "0" && c.QueryParam("stream") != "false"
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	prev := d.sample(ct)
	for {
		select {
		case <-c.Request().Context().Done():
			return nil
		case <-time.After(statsInterval):
		}
		if ct, err = d.find(ct.ID); err != nil {
			return nil // removed meanwhile: the stream ends
		}
		cur := d.sample(ct)
		cur.PreRead, cur.PreCPU = prev.Read, prev.CPU
		if err := enc.Encode(cur); err != nil || !stream {
			return err
		}
		w.Flush()
		prev = cur
	}
}

// sample reads the container's counters now: zeros if it is not running.
func (d *Daemon) sample(ct *api.Container) api.Stats {
	s := api.Stats{ID: ct.ID, Name: ct.Name, Read: time.Now().UTC(), CPU: api.CPUStats{OnlineCPUs: runtime.NumCPU()}}
	if ct.Status != api.StatusRunning {
		return s
	}
	ev, err := d.events(ct.ID)
	if err != nil {
		return s // it stopped meanwhile
	}
	s.CPU.TotalUsage = ev.CPU.Usage.Total
	s.Memory = api.MemoryStats{Usage: ev.Memory.Usage.Usage, Limit: ev.Memory.Usage.Limit}
	if s.Memory.Limit <= 0 {
		s.Memory.Limit = hostMemory()
	}
	s.Pids = api.PidsStats{Current: ev.Pids.Current, Limit: max(0, ev.Pids.Limit)}
	if pid, err := d.initPID(ct.ID); err == nil {
		if f, err := os.Open(fmt.Sprintf("/proc/%d/net/dev", pid)); err == nil {
			s.Networks, _ = parseNetDev(f)
			f.Close()
		}
	}
	return s
}

// events is goC events --stats ID: the cgroup's counters.
func (d *Daemon) events(cid string) (cgroups.EventStats, error) {
	var ev struct{ Data cgroups.EventStats }
	out, err := exec.Command(d.Runtime, append(d.globals(), "events", "--stats", cid)...).Output()
	if err != nil {
		return ev.Data, fmt.Errorf("stats %s: goC events: %w", cid, err)
	}
	if err := json.Unmarshal(out, &ev); err != nil {
		return ev.Data, fmt.Errorf("stats %s: goC events: %w", cid, err)
	}
	return ev.Data, nil
}

// initPID is the container's first process, from goC state.
func (d *Daemon) initPID(cid string) (int, error) {
	var st struct{ Pid int }
	out, err := exec.Command(d.Runtime, append(d.globals(), "state", cid)...).Output()
	if err != nil {
		return 0, fmt.Errorf("stats %s: goC state: %w", cid, err)
	}
	if err := json.Unmarshal(out, &st); err != nil {
		return 0, fmt.Errorf("stats %s: goC state: %w", cid, err)
	}
	if st.Pid <= 0 {
		return 0, fmt.Errorf("stats %s: goC state: no pid", cid)
	}
	return st.Pid, nil
}

// parseNetDev reads /proc/net/dev: each interface's counters but lo's.
func parseNetDev(r io.Reader) (map[string]api.NetworkStats, error) {
	nets := map[string]api.NetworkStats{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, counters, ok := strings.Cut(sc.Text(), ":")
		f := strings.Fields(counters)
		if name = strings.TrimSpace(name); !ok || name == "lo" || len(f) < 10 {
			continue // the two title lines, loopback
		}
		n := make([]uint64, 10)
		for i := range n {
			n[i], _ = strconv.ParseUint(f[i], 10, 64)
		}
		nets[name] = api.NetworkStats{RxBytes: n[0], RxPackets: n[1], TxBytes: n[8], TxPackets: n[9]}
	}
	return nets, sc.Err()
}

// hostMemory is the host's memory in bytes (MemTotal), the limit of a
// container without one.
func hostMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
