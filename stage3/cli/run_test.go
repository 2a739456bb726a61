package cli

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/network"
	"goc.dev/stage3/container"
)

// parseRun parses run's flags as cmdRun does and builds the config.
func parseRun(args []string, getenv func(string) (string, bool)) (container.Config, error) {
	fs := newFlags("run")
	r := registerRootfsFlags(fs)
	if err := fs.Parse(args); err != nil {
		return container.Config{}, err
	}
	return r.config(fs.Args(), getenv)
}

func TestParseRun(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) (string, bool) {
		if k == "FROM_HOST" {
			return "yes", true
		}
		return "", false
	}
	hostNet := network.Config{Bridge: "goC0", Subnet: netip.MustParsePrefix("10.77.0.0/16"), StateDir: network.DefaultStateDir}
	base := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "HOSTNAME=h"}

	cases := []struct {
		name string
		args []string
		want container.Config
		err  string
	}{
		{"minimal", []string{"--hostname", "h", root, "sh"},
			container.Config{Rootfs: root, Args: []string{"sh"}, Env: base, Cwd: "/", Hostname: "h", CgroupParent: "goC", Network: hostNet}, ""},
		{"flags and args", []string{"--hostname=h", "-e", "A=1", "-e", "HOME=/x", "-e", "FROM_HOST", "-e", "UNSET", "-w", "/srv", root, "sh", "-c", "echo hi"},
			container.Config{Rootfs: root, Args: []string{"sh", "-c", "echo hi"}, Cwd: "/srv", Hostname: "h", CgroupParent: "goC", Network: hostNet,
				Env: []string{base[0], "HOME=/x", base[2], "A=1", "FROM_HOST=yes"}}, ""},
		{"args after the command are the command's", []string{"--hostname", "h", root, "ls", "--hostname", "x"},
			container.Config{Rootfs: root, Args: []string{"ls", "--hostname", "x"}, Env: base, Cwd: "/", Hostname: "h", CgroupParent: "goC", Network: hostNet}, ""},
		{"no command", []string{root}, container.Config{}, "need a rootfs and a command"},
		{"nothing", nil, container.Config{}, "need a rootfs and a command"},
		{"limits", []string{"--hostname", "h", "--memory", "100m", "--cpu", "0.5", "--pids", "20", "--cgroup-parent", "a/b", root, "sh"},
			container.Config{Rootfs: root, Args: []string{"sh"}, Env: base, Cwd: "/", Hostname: "h", CgroupParent: "a/b", Network: hostNet,
				Resources: cgroups.Resources{Memory: 100 << 20, CPUQuota: 50_000, CPUPeriod: 100_000, Pids: 20}}, ""},
		{"unknown flag", []string{"--swap", "1g", root, "sh"}, container.Config{}, "flag provided but not defined: -swap"},
		{"bad memory", []string{"--memory", "12x", root, "sh"}, container.Config{}, `--memory "12x": not a size`},
		{"zero memory", []string{"--memory", "0", root, "sh"}, container.Config{}, "below the minimum"},
		{"negative memory", []string{"--memory", "-1m", root, "sh"}, container.Config{}, "not a size"},
		{"zero cpu", []string{"--cpu", "0", root, "sh"}, container.Config{}, "must be more than 0"},
		{"bad cpu", []string{"--cpu", "abc", root, "sh"}, container.Config{}, "not a number of CPUs"},
		{"too many cpus", []string{"--cpu", "100000", root, "sh"}, container.Config{}, "this host has only"},
		{"zero pids", []string{"--pids", "0", root, "sh"}, container.Config{}, "must be at least 1"},
		{"bad cgroup parent", []string{"--cgroup-parent", "../x", root, "sh"}, container.Config{}, "invalid cgroup parent"},
		{"missing rootfs", []string{filepath.Join(root, "nope"), "sh"}, container.Config{}, "no such file or directory"},
		{"rootfs is a file", []string{file, "sh"}, container.Config{}, "not a directory"},
		{"relative workdir", []string{"-w", "srv", root, "sh"}, container.Config{}, "must be absolute"},
		{"bad env", []string{"-e", "=x", root, "sh"}, container.Config{}, "invalid environment variable"},
		{"bad hostname", []string{"--hostname", "a/b", root, "sh"}, container.Config{}, "invalid hostname"},
		{"long hostname", []string{"--hostname", strings.Repeat("h", 65), root, "sh"}, container.Config{}, "invalid hostname"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseRun(tc.args, getenv)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parseRun(%q) error = %v, want it to mention %q", tc.args, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseRun(%q): %v", tc.args, err)
			}
			if len(got.ID) != 64 {
				t.Errorf("container ID %q is not 64 characters", got.ID)
			}
			if d := cmp.Diff(tc.want, got, cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Prefix{}), cmpopts.IgnoreFields(container.Config{}, "ID")); d != "" {
				t.Fatalf("parseRun(%q) mismatch (-want +got):\n%s", tc.args, d)
			}
		})
	}
}

func TestNetworkArg(t *testing.T) {
	isDir := func(p string) bool { return p == "/rootfs" }
	cases := []struct{ in, want string }{
		{"--network /rootfs sh", "--network=bridge /rootfs sh"},
		{"--network bridge /rootfs sh", "--network=bridge /rootfs sh"},
		{"--network none /rootfs sh", "--network=none /rootfs sh"},
		{"--network=none /rootfs sh", "--network=none /rootfs sh"},
		{"--network bogus /rootfs sh", "--network=bogus /rootfs sh"},
		{"--memory 100m --network -p 80:80 /rootfs sh", "--memory 100m --network=bridge -p 80:80 /rootfs sh"},
		{"--hostname none --network /rootfs sh --network none", "--hostname none --network=bridge /rootfs sh --network none"},
		{"/rootfs sh --network", "/rootfs sh --network"},
		{"--network", "--network=bridge"},
	}
	for _, tc := range cases {
		got := strings.Join(networkArg(strings.Fields(tc.in), isDir), " ")
		if got != tc.want {
			t.Errorf("networkArg(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNetworkFlags(t *testing.T) {
	root := t.TempDir()
	noenv := func(string) (string, bool) { return "", false }
	cfg, err := parseRun([]string{"--network=bridge", "-p", "8080:80", "--publish", "53:53/udp", root, "sh"}, noenv)
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Network
	if n.Mode != "bridge" || n.Bridge != "goC0" || n.Subnet.String() != "10.77.0.0/16" || len(n.Ports) != 2 || n.Ports[1].Proto != "udp" {
		t.Fatalf("network config = %+v", n)
	}
	for _, bad := range [][]string{
		{"--network=bogus", root, "sh"},
		{"-p", "70000:80", "--network=bridge", root, "sh"},
		{"-p", "abc", "--network=bridge", root, "sh"},
		{"-p", "8080", "--network=bridge", root, "sh"},
		{"-p", "8080:80", root, "sh"},
		{"-p", "8080:80", "--network=none", root, "sh"},
		{"-p", "8080:80", "-p", "8080:81", "--network=bridge", root, "sh"},
		{"--network=bridge", "--subnet", "10.0.0.0/31", root, "sh"},
		{"--network=bridge", "--subnet", "fd00::/64", root, "sh"},
		{"--network=bridge", "--bridge", "a-very-long-bridge-name", root, "sh"},
	} {
		if _, err := parseRun(bad, noenv); err == nil {
			t.Errorf("parseRun(%q) succeeded", bad)
		}
	}
}

func TestDefaultHostnameIsShortID(t *testing.T) {
	cfg, err := parseRun([]string{t.TempDir(), "sh"}, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Hostname != cfg.ID[:12] {
		t.Fatalf("default hostname %q is not 12 hex characters", cfg.Hostname)
	}
}

func TestOOMMessage(t *testing.T) {
	oom := func(status int, kills int64) container.Result {
		return container.Result{Status: status, Stats: cgroups.Stats{OOMKills: kills}}
	}
	for _, tc := range []struct {
		res   container.Result
		limit int64
		want  string
	}{
		{oom(137, 1), 16 << 20, "container killed by the OOM killer: it reached its memory limit of 16m"},
		{oom(137, 1), 0, "container killed by the OOM killer: it reached its memory limit"},
		{oom(1, 2), 1 << 30, "the OOM killer killed 2 process(es) in the container: it reached its memory limit of 1g"},
		{oom(0, 1), 0, "the OOM killer killed 1 process(es) in the container: it reached its memory limit"},
	} {
		if got := oomMessage(tc.res, tc.limit); got != tc.want {
			t.Errorf("oomMessage(status %d, %d kills, limit %d) = %q, want %q", tc.res.Status, tc.res.Stats.OOMKills, tc.limit, got, tc.want)
		}
	}
}
