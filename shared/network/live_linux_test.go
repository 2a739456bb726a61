package network

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"goc.dev/shared/network/ipam"
)

func TestParseStat(t *testing.T) {
	line := "4242 (a (b) c) S 4200 4242 4200 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1000 100"
	if p, ok := parseStat(line); !ok || p.PPID != 4200 || p.Start != 987654 {
		t.Fatalf("parseStat = %+v, %v", p, ok)
	}
	for _, bad := range []string{"", "1 (x) S", "1 (x) S nope 1 1 0 -1 0 0 0 0 0 0 0 0 20 0 1 0 5 1 1"} {
		if p, ok := parseStat(bad); ok {
			t.Errorf("parseStat(%q) = %+v, want refused", bad, p)
		}
	}
}

func TestRulePort(t *testing.T) {
	ip := netip.MustParseAddr("10.77.0.5")
	for _, p := range []Port{{Host: 8080, Container: 80, Proto: "tcp"}, {Host: 5353, Container: 53, Proto: "udp"}} {
		got, ok := rulePort(portExprs(ip, p))
		if want := (ipam.Port{Host: p.Host, Proto: p.Proto}); !ok || got != want {
			t.Errorf("rulePort(portExprs(%v)) = %+v, %v; want %+v", p, got, ok, want)
		}
	}
	if got, ok := rulePort(nil); ok {
		t.Errorf("rulePort(nil) = %+v", got)
	}
}

// A namespace is found through any of its processes: the first one listed
// may have ended meanwhile (a container's short-lived commands), and the
// namespace is then reached through the next. Seen in make test: a
// container whose `sleep 0.1` loop was listed first went unseen, and its
// address was handed out again.
func TestNamespaceIDsPassOverAnEndedProcess(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (a network namespace of its own)")
	}
	holder := exec.Command("unshare", "-n", "sleep", "30")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { holder.Process.Kill(); holder.Wait() }()
	// Once it runs sleep, unshare has made its namespace. (Not compared
	// with /proc/self's: another test leaves this process's main thread in a
	// namespace of its own.)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", holder.Process.Pid)); string(b) == "sleep\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("unshare -n did not run sleep")
		}
	}
	ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", holder.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.SetNetNsIdByPid(holder.Process.Pid, -1); err != nil { // the kernel picks one
		t.Fatal(err)
	}
	nsid, err := netlink.GetNetNsIdByPid(holder.Process.Pid)
	if err != nil || nsid < 0 {
		t.Fatalf("netnsid: %d, %v", nsid, err)
	}
	ended := exec.Command("true")
	if err := ended.Run(); err != nil {
		t.Fatal(err)
	}
	procs := []proc{{PID: ended.Process.Pid, NetNS: ns}, {PID: holder.Process.Pid, NetNS: ns}}
	ids := namespaceIDs(procs)
	defer closeAll(ids)
	got, ok := ids[nsid]
	if !ok || got.proc.PID != holder.Process.Pid {
		t.Fatalf("namespace %s (netnsid %d): %+v, %v; want it through pid %d", ns, nsid, got, ok, holder.Process.Pid)
	}
}
