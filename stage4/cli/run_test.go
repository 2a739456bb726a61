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
	"goc.dev/shared/confine"
	"goc.dev/shared/image"
	"goc.dev/shared/mounts"
	"goc.dev/shared/namespace"
	"goc.dev/shared/network"
	"goc.dev/shared/rootfs"
	"goc.dev/shared/spec"
	"goc.dev/stage4/container"
)

// runOptions parses the rootfs form as Run does and builds its options,
// with stdin not a terminal.
func runOptions(t *testing.T, g *Globals, args []string, getenv func(string) (string, bool)) (container.Options, error) {
	t.Helper()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	stdin := os.Stdin
	os.Stdin = devnull
	defer func() { os.Stdin = stdin; devnull.Close() }()
	fs := newFlags("run")
	r := registerRootfsFlags(fs)
	if err := parse(fs, args); err != nil {
		return container.Options{}, err
	}
	return r.options(g, fs.Args(), getenv)
}

func TestRootfsOptions(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	g := &Globals{Root: "/run/goC-test", DataRoot: t.TempDir()}
	getenv := func(k string) (string, bool) {
		if k == "FROM_HOST" {
			return "yes", true
		}
		return "", false
	}
	const cid = "c1"
	path := "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	hostNet := network.Config{Mode: network.ModeHost, Bridge: "goC0", Subnet: netip.MustParsePrefix("10.77.0.0/16"), StateDir: network.DefaultStateDir}
	nsAll := []namespace.Type{namespace.PID, namespace.Mount, namespace.UTS, namespace.IPC}
	want := func(edit func(*container.Options)) container.Options {
		o := container.Options{ID: cid, Root: g.Root, Network: hostNet,
			Plan: spec.Plan{Rootfs: root, Hostname: "h", Mounts: rootfs.DefaultMounts(), Args: []string{"sh"},
				Env: []string{path, "HOME=/root", "HOSTNAME=h"}, Cwd: "/"},
			Runtime: spec.Runtime{Namespaces: nsAll, CgroupParent: "goC", CgroupName: cid},
		}
		if err := (&confine.Options{}).Apply(&o.Plan, &o.Runtime); err != nil { // Docker's default
			t.Fatal(err)
		}
		if edit != nil {
			edit(&o)
		}
		return o
	}
	cases := []struct {
		name string
		args []string
		want container.Options
		err  string
	}{
		{"minimal", []string{"--id", cid, "--hostname", "h", root, "sh"}, want(nil), ""},
		{"hostname defaults to the short ID", []string{"--id", strings.Repeat("ab", 32), root, "sh"}, want(func(o *container.Options) {
			o.ID, o.Runtime.CgroupName = strings.Repeat("ab", 32), strings.Repeat("ab", 32)
			o.Plan.Hostname, o.Plan.Env[2] = "abababababab", "HOSTNAME=abababababab"
		}), ""},
		{"env, cwd and the command's args", []string{"--id", cid, "--hostname=h", "-e", "A=1", "-e", "HOME=/x", "-e", "FROM_HOST", "-e", "UNSET",
			"-e", "EMPTY=", "-w", "/srv", root, "sh", "-c", "echo hi", "--hostname", "x"}, want(func(o *container.Options) {
			o.Plan.Env = []string{path, "HOME=/x", "HOSTNAME=h", "A=1", "FROM_HOST=yes", "EMPTY="}
			o.Plan.Cwd, o.Plan.Args = "/srv", []string{"sh", "-c", "echo hi", "--hostname", "x"}
		}), ""},
		{"limits and cgroup parent", []string{"--id", cid, "--hostname", "h", "--memory", "100m", "--cpu", "0.5", "--pids", "20",
			"--cgroup-parent", "a/b", root, "sh"}, want(func(o *container.Options) {
			o.Runtime.CgroupParent = "a/b"
			o.Runtime.Resources = cgroups.Resources{Memory: 100 << 20, CPUQuota: 50_000, CPUPeriod: 100_000, Pids: 20,
				Devices: spec.DefaultDevices}
		}), ""},
		{"confinement", []string{"--id", cid, "--hostname", "h", "--cap-drop", "ALL", "--cap-add", "kill", "--user", "7:8",
			"--read-only", "--security-opt", "seccomp=unconfined", "--security-opt", "no-new-privileges", root, "sh"},
			want(func(o *container.Options) {
				o.Plan.UID, o.Plan.GID, o.Plan.RootReadonly, o.Plan.NoNewPrivileges, o.Plan.Seccomp = 7, 8, true, true, nil
				o.Plan.Caps = &spec.Caps{Bounding: []int{5}, Effective: []int{5}, Permitted: []int{5}}
			}), ""},
		{"privileged", []string{"--id", cid, "--hostname", "h", "--privileged", root, "sh"}, want(func(o *container.Options) {
			o.Plan.Mounts = rootfs.DefaultMounts()
			if err := (&confine.Options{Privileged: true}).Apply(&o.Plan, &o.Runtime); err != nil {
				t.Fatal(err)
			}
		}), ""},
		{"cap-add typo", []string{"--cap-add", "SYS_ADMN", root, "sh"}, container.Options{}, `run: --cap-add: unknown capability "SYS_ADMN"`},
		{"bad user", []string{"--user", "root", root, "sh"}, container.Options{}, `run: --user "root": want UID or UID:GID`},
		{"unknown security-opt", []string{"--security-opt", "label=disable", root, "sh"}, container.Options{}, `"label=disable": goC knows seccomp`},
		{"missing seccomp profile", []string{"--security-opt", "seccomp=" + root + "/nope.json", root, "sh"}, container.Options{},
			"run: --security-opt seccomp: open " + root + "/nope.json: no such file or directory"},
		{"malformed seccomp profile", []string{"--security-opt", "seccomp=" + file, root, "sh"}, container.Options{},
			"run: --security-opt seccomp=" + file + ": Decoding seccomp profile failed"},
		{"network", []string{"--id", cid, "--hostname", "h", "--network=bridge", "-p", "8080:80", "--subnet", "10.9.0.0/24", root, "sh"},
			want(func(o *container.Options) {
				o.Network.Mode, o.Network.Subnet = "bridge", netip.MustParsePrefix("10.9.0.0/24")
				o.Network.Ports = []network.Port{{Host: 8080, Container: 80, Proto: "tcp"}}
			}), ""},
		{"no command", []string{root}, container.Options{}, "run: need a rootfs and a command"},
		{"nothing", nil, container.Options{}, "run: need a rootfs and a command"},
		{"bad id", []string{"--id", "a/b", root, "sh"}, container.Options{}, "a/b"},
		{"missing rootfs", []string{filepath.Join(root, "nope"), "sh"}, container.Options{}, "rootfs " + root + "/nope: no such file or directory"},
		{"rootfs is a file", []string{file, "sh"}, container.Options{}, "rootfs " + file + ": not a directory"},
		{"neither a directory nor an image", []string{"noimage", "sh"}, container.Options{}, "noimage is neither a rootfs directory nor an image"},
		{"a reference not pulled", []string{"127.0.0.1:5000/busy:1", "sh"}, container.Options{}, "127.0.0.1:5000/busy:1 is neither a rootfs directory nor an image"},
		{"relative workdir", []string{"-w", "srv", root, "sh"}, container.Options{}, `run: working directory "srv" must be absolute`},
		{"bad env", []string{"-e", "=x", root, "sh"}, container.Options{}, `invalid environment variable "=x"`},
		{"bad hostname", []string{"--hostname", "a b", root, "sh"}, container.Options{}, `run: invalid hostname "a b"`},
		{"long hostname", []string{"--hostname", strings.Repeat("h", 65), root, "sh"}, container.Options{}, "run: invalid hostname"},
		{"bad memory", []string{"--memory", "12x", root, "sh"}, container.Options{}, `--memory "12x": not a size`},
		{"bad cgroup parent", []string{"--cgroup-parent", "../x", root, "sh"}, container.Options{}, "run: invalid cgroup parent"},
		{"bad network", []string{"--network=bogus", root, "sh"}, container.Options{}, `run: --network "bogus": use bridge or none`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runOptions(t, g, tc.args, getenv)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("run %q: error %v, want it to mention %q", tc.args, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("run %q: %v", tc.args, err)
			}
			if d := cmp.Diff(tc.want, got, cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Prefix{})); d != "" {
				t.Errorf("run %q: options mismatch (-want +got):\n%s", tc.args, d)
			}
		})
	}
}

func TestRootfsOptionsNewID(t *testing.T) {
	g := &Globals{Root: t.TempDir(), DataRoot: t.TempDir()}
	a, err := runOptions(t, g, []string{t.TempDir(), "sh"}, os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := runOptions(t, g, []string{t.TempDir(), "sh"}, os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.ID) != 64 || a.ID == b.ID || a.Runtime.CgroupName != a.ID || a.Plan.Hostname != a.ID[:12] {
		t.Errorf("IDs %q and %q (cgroup %q, hostname %q): want two new 64-character IDs, the hostname the first 12",
			a.ID, b.ID, a.Runtime.CgroupName, a.Plan.Hostname)
	}
}

func TestRootfsOptionsImage(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "hello"), []byte("hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := &Globals{Root: t.TempDir(), DataRoot: t.TempDir()}
	store := image.Store{Root: g.DataRoot}
	img, err := store.Import("img", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := runOptions(t, g, []string{"--id", "c2", "img", "cat", "/hello"}, os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	layer := filepath.Join(g.DataRoot, "containers", "c2")
	wantOverlay := &rootfs.Overlay{Lower: store.Lower(img), Upper: filepath.Join(layer, "upper"), Work: filepath.Join(layer, "work")}
	if o.Image != "img" || o.Layer != layer || o.Plan.Rootfs != filepath.Join(layer, "merged") {
		t.Errorf("image %q, layer %q, rootfs %q: want img, %s and its merged", o.Image, o.Layer, o.Plan.Rootfs, layer)
	}
	if d := cmp.Diff(wantOverlay, o.Plan.Overlay); d != "" {
		t.Errorf("overlay mismatch (-want +got):\n%s", d)
	}
}

func TestIsBundleRun(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.Mkdir("rootfs", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"mycontainer"}, true},
		{[]string{"rootfs"}, false},            // a directory here: the rootfs form, missing its command
		{[]string{"./ctr"}, false},             // a path
		{[]string{"/srv/rootfs"}, false},       // a path
		{[]string{"mycontainer", "sh"}, false}, // a rootfs (or image) and a command
		{nil, false},
	} {
		if got := isBundleRun(tc.args); got != tc.want {
			t.Errorf("isBundleRun(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

func TestNetworkArg(t *testing.T) {
	isDir := func(p string) bool { return p == "/rootfs" }
	cases := []struct{ in, want string }{
		{"--network /rootfs sh", "--network=bridge /rootfs sh"},
		{"--network bridge /rootfs sh", "--network=bridge /rootfs sh"},
		{"--network none /rootfs sh", "--network=none /rootfs sh"},
		{"-network none /rootfs sh", "--network=none /rootfs sh"},
		{"--network=none /rootfs sh", "--network=none /rootfs sh"},
		{"--network bogus /rootfs sh", "--network=bogus /rootfs sh"},
		{"--network img sh", "--network=img sh"}, // a word that is no directory is a value
		{"--memory 100m --network -p 80:80 /rootfs sh", "--memory 100m --network=bridge -p 80:80 /rootfs sh"},
		{"--hostname none --network /rootfs sh --network none", "--hostname none --network=bridge /rootfs sh --network none"},
		{"--id none --bundle none --network /rootfs sh", "--id none --bundle none --network=bridge /rootfs sh"},
		{"-- --network /rootfs", "-- --network /rootfs"},
		{"/rootfs sh --network", "/rootfs sh --network"},
		{"--network", "--network=bridge"},
		{"--debug --network", "--debug --network=bridge"},
	}
	for _, tc := range cases {
		got := strings.Join(networkArg(strings.Fields(tc.in), isDir), " ")
		if got != tc.want {
			t.Errorf("networkArg(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNetworkConfig(t *testing.T) {
	tcp := func(h, c uint16) network.Port { return network.Port{Host: h, Container: c, Proto: "tcp"} }
	cases := []struct {
		name                 string
		mode, bridge, subnet string
		ports                []network.Port
		wantSubnet, err      string
	}{
		{"host", network.ModeHost, "goC0", "10.77.0.0/16", nil, "10.77.0.0/16", ""},
		{"none", "none", "goC0", "10.77.0.0/16", nil, "10.77.0.0/16", ""},
		{"bridge with ports", "bridge", "br-1", "10.9.8.7/24", []network.Port{tcp(8080, 80), {Host: 8080, Container: 80, Proto: "udp"}}, "10.9.8.0/24", ""},
		{"bad mode", "nat", "goC0", "10.77.0.0/16", nil, "", `--network "nat": use bridge or none`},
		{"ports without a bridge", network.ModeHost, "goC0", "10.77.0.0/16", []network.Port{tcp(80, 80)}, "", "-p needs --network (bridge)"},
		{"ports with none", "none", "goC0", "10.77.0.0/16", []network.Port{tcp(80, 80)}, "", "-p needs --network (bridge)"},
		{"subnet too small", "bridge", "goC0", "10.0.0.0/31", nil, "", `--subnet "10.0.0.0/31"`},
		{"subnet too big", "bridge", "goC0", "10.0.0.0/7", nil, "", `--subnet "10.0.0.0/7"`},
		{"IPv6 subnet", "bridge", "goC0", "fd00::/64", nil, "", `--subnet "fd00::/64"`},
		{"not a subnet", "bridge", "goC0", "10.0.0.1", nil, "", `--subnet "10.0.0.1"`},
		{"long bridge name", "bridge", "a-very-long-bridge", "10.77.0.0/16", nil, "", `--bridge "a-very-long-bridge": not a valid interface name`},
		{"dotted bridge name", "bridge", "br.0", "10.77.0.0/16", nil, "", `--bridge "br.0"`},
		{"port published twice", "bridge", "goC0", "10.77.0.0/16", []network.Port{tcp(8080, 80), tcp(8080, 81)}, "", "-p: host port 8080/tcp published twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := networkConfig(tc.mode, tc.bridge, tc.subnet, tc.ports)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want it to mention %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := network.Config{Mode: tc.mode, Bridge: tc.bridge, Subnet: netip.MustParsePrefix(tc.wantSubnet), Ports: tc.ports, StateDir: network.DefaultStateDir}
			if d := cmp.Diff(want, cfg, cmpopts.EquateComparable(netip.Prefix{})); d != "" {
				t.Errorf("config mismatch (-want +got):\n%s", d)
			}
		})
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

// TestConfineValueFlags: networkArg must know which of confine's flags take
// a value, or it would take the value for the rootfs.
func TestConfineValueFlags(t *testing.T) {
	for _, f := range append(confine.ValueFlags, mounts.ValueFlags...) {
		if !valueFlags[f] {
			t.Errorf("valueFlags lacks %q", f)
		}
	}
}
