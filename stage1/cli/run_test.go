package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"goc.dev/stage1/container"
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
			container.Config{Rootfs: root, Args: []string{"sh"}, Env: base, Cwd: "/", Hostname: "h"}, ""},
		{"flags and args", []string{"--hostname=h", "-e", "A=1", "-e", "HOME=/x", "-e", "FROM_HOST", "-e", "UNSET", "-w", "/srv", root, "sh", "-c", "echo hi"},
			container.Config{Rootfs: root, Args: []string{"sh", "-c", "echo hi"}, Cwd: "/srv", Hostname: "h",
				Env: []string{base[0], "HOME=/x", base[2], "A=1", "FROM_HOST=yes"}}, ""},
		{"args after the command are the command's", []string{"--hostname", "h", root, "ls", "--hostname", "x"},
			container.Config{Rootfs: root, Args: []string{"ls", "--hostname", "x"}, Env: base, Cwd: "/", Hostname: "h"}, ""},
		{"no command", []string{root}, container.Config{}, "need a rootfs and a command"},
		{"nothing", nil, container.Config{}, "need a rootfs and a command"},
		{"unknown flag", []string{"--memory", "1g", root, "sh"}, container.Config{}, "flag provided but not defined: -memory"},
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
			if d := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); d != "" {
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
	if len(cfg.Hostname) != 12 || strings.Trim(cfg.Hostname, "0123456789abcdef") != "" {
		t.Fatalf("default hostname %q is not 12 hex characters", cfg.Hostname)
	}
}
