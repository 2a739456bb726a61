package daemon

import (
	"encoding/json"
	"strings"
	"testing"

	"goc.dev/stage5/api"
)

func TestParseNetDev(t *testing.T) {
	const dev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     672       8    0    0    0     0          0         0      672       8    0    0    0     0       0          0
  eth0:    1256      14    0    0    0     0          0         0      588       6    0    0    0     0       0          0
`
	got, err := parseNetDev(strings.NewReader(dev))
	if err != nil {
		t.Fatal(err)
	}
	want := api.NetworkStats{RxBytes: 1256, RxPackets: 14, TxBytes: 588, TxPackets: 6}
	if len(got) != 1 || got["eth0"] != want {
		t.Errorf("parseNetDev = %+v, want only eth0 %+v", got, want)
	}
}

func TestHostMemory(t *testing.T) {
	if m := hostMemory(); m < 64<<20 {
		t.Errorf("hostMemory = %d, want the host's MemTotal", m)
	}
}

// A container that has stopped: one sample of zeros with stream=0, its
// time a second after the one before; an unknown one: 404.
func TestStatsOfStoppedWithFakeRuntime(t *testing.T) {
	_, e := fake(t)
	created(t, e, api.ContainerCreate{Image: "img", Name: "done", Cmd: []string{"true"}})
	if code, body := call(t, e, "POST", "/v1/containers/done/wait", nil); code != 200 {
		t.Fatalf("wait = %d %s", code, body)
	}
	code, body := call(t, e, "GET", "/v1/containers/done/stats?stream=0", nil)
	if code != 200 || strings.Count(body, "\n") != 1 {
		t.Fatalf("stats = %d %q, want one JSON line", code, body)
	}
	var s api.Stats
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatal(err)
	}
	if s.Name != "done" || s.CPU.TotalUsage != 0 || s.Memory != (api.MemoryStats{}) || s.Pids.Current != 0 || len(s.Networks) != 0 {
		t.Errorf("stats of a stopped container = %+v, want zeros", s)
	}
	if d := s.Read.Sub(s.PreRead); d < statsInterval || s.CPU.OnlineCPUs < 1 {
		t.Errorf("stats: read %v after preread, %d CPUs; want ≥ %v, ≥ 1", d, s.CPU.OnlineCPUs, statsInterval)
	}
	if code, body := call(t, e, "GET", "/v1/containers/nope/stats?stream=0", nil); code != 404 || !strings.Contains(body, "no such container: nope") {
		t.Errorf("stats of an unknown container = %d %s, want 404", code, body)
	}
}
