package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"goc.dev/shared/cgroups"
	"goc.dev/stage2/container"
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
	base := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "HOSTNAME=h"}

	cases := []struct {
		name string
		args []string
		want container.Config
		err  string
	}{
		{"minimal", []string{"--hostname", "h", root, "sh"},
			container.Config{Rootfs: root, Args: []string{"sh"}, Env: base, Cwd: "/", Hostname: "h", CgroupParent: "goC"}, ""},
		{"flags and args", []string{"--hostname=h", "-e", "A=1", "-e", "HOME=/x", "-e", "FROM_HOST", "-e", "UNSET", "-w", "/srv", root, "sh", "-c", "echo hi"},
			container.Config{Rootfs: root, Args: []string{"sh", "-c", "echo hi"}, Cwd: "/srv", Hostname: "h", CgroupParent: "goC",
				Env: []string{base[0], "HOME=/x", base[2], "A=1", "FROM_HOST=yes"}}, ""},
		{"args after the command are the command's", []string{"--hostname", "h", root, "ls", "--hostname", "x"},
			container.Config{Rootfs: root, Args: []string{"ls", "--hostname", "x"}, Env: base, Cwd: "/", Hostname: "h", CgroupParent: "goC"}, ""},
		{"no command", []string{root}, container.Config{}, "need a rootfs and a command"},
		{"nothing", nil, container.Config{}, "need a rootfs and a command"},
		{"limits", []string{"--hostname", "h", "--memory", "100m", "--cpu", "0.5", "--pids", "20", "--cgroup-parent", "a/b", root, "sh"},
			container.Config{Rootfs: root, Args: []string{"sh"}, Env: base, Cwd: "/", Hostname: "h", CgroupParent: "a/b",
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
			if d := cmp.Diff(tc.want, got, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(container.Config{}, "ID")); d != "" {
				t.Fatalf("parseRun(%q) mismatch (-want +got):\n%s", tc.args, d)
			}
		})
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
