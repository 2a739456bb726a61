package e2e

// TestCompatDocs (make test-compat) runs each `sh compat` block of
// docs/runtime-compat.md as written, against the private manager it uses —
// started as TestCompat starts it, in a network namespace of its own, in
// which the block runs too — and reached through the environment alone
// (DOCKER_HOST; CONTAINERD_ADDRESS and CONTAINERD_NAMESPACE; CONTAINERS_CONF
// and CONTAINERS_STORAGE_CONF), so that the text shows no variable of the
// harness. `sudo` is a passthrough, as in the VM: the test runs as root,
// and a real sudo would drop that environment. A block passes if it exits 0,
// its output holds the lines of the `output` block after it, in order, and
// the manager lists no container or image of its afterwards.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCompatDocs(t *testing.T) {
	if os.Getenv("GOC_COMPAT") != "1" {
		t.Skip("the compatibility tests run with make test-compat (GOC_COMPAT=1)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("the compatibility tests start container managers: run them as root")
	}
	repo := absEnv(t, "GOC_REPO", "..")
	goC := filepath.Join(absEnv(t, "GOC_BIN", "../bin"), "stage4", "goC")
	blocks, err := compatDocBlocks(filepath.Join(repo, "docs", "runtime-compat.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) == 0 {
		t.Fatal("docs/runtime-compat.md has no sh compat block")
	}
	sudo := t.TempDir()
	if err := os.WriteFile(filepath.Join(sudo, "sudo"), []byte("#!/bin/sh\nexec \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		t.Run(fmt.Sprintf("line%d-%s", b.line, b.manager), func(t *testing.T) {
			runCompatBlock(t, b, repo, sudo, goC)
		})
	}
}

// compatBlock is one `sh compat` block: its text, the manager its
// commands call, and the lines its `output` block expects.
type compatBlock struct {
	line     int
	manager  string
	text     string
	expected []string
}

// clients maps a command's first word to the manager it talks to.
var clients = regexp.MustCompile(`(?m)(?:^|sudo |\| )(docker|podman|ctr) `)

// compatDocBlocks reads the `sh compat` blocks of a markdown file (with
// the runner's parser, docs_test.go), each with the manager it calls.
func compatDocBlocks(path string) ([]compatBlock, error) {
	blocks, err := docBlocks(path, blockCompat)
	if err != nil {
		return nil, err
	}
	managers := map[string]string{"docker": "docker", "podman": "podman", "ctr": "containerd"}
	var out []compatBlock
	for _, b := range blocks {
		kind := ""
		if c := clients.FindStringSubmatch(b.Text); c != nil {
			kind = managers[c[1]]
		}
		out = append(out, compatBlock{line: b.Line, manager: kind, text: b.Text, expected: b.Want})
	}
	return out, nil
}

func runCompatBlock(t *testing.T, b compatBlock, repo, sudo, goC string) {
	if b.manager == "" {
		t.Fatalf("runtime-compat.md:%d: the block calls no docker, podman or ctr", b.line)
	}
	var env cleanups
	defer env.run()
	dir, err := os.MkdirTemp("", "goc-docs-") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	env.Defer(func() { os.RemoveAll(dir) })
	netns := "goc-compat-docs"
	if parent, ok := map[string]string{"docker": "docker", "podman": "libpod_parent", "containerd": "goc-compat"}[b.manager]; ok {
		removeCgroupParentAfter(&env, parent)
	}
	vars, err := startManagerIn(&env, filepath.Join(dir, "m"), b.manager, netns, goC)
	if err != nil {
		t.Fatal(err)
	}
	environ := []string{"PATH=" + sudo + ":" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range vars {
		if k != "M" && k != "NETNS" { // the harness's own
			environ = append(environ, k+"="+v)
		}
	}
	script := filepath.Join(dir, "block.sh") // a file, as TestDocBlocks runs them
	if err := os.WriteFile(script, []byte(b.text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("nsenter", "--net=/run/netns/"+netns, "sh", "-eu", script)
	cmd.Dir, cmd.Env = repo, environ
	out, err := cmd.CombinedOutput()
	t.Logf("runtime-compat.md:%d:\n%s", b.line, out)
	if err != nil {
		t.Fatalf("runtime-compat.md:%d: %v", b.line, err)
	}
	if missing := matchOutput(b.expected, string(out)); missing != "" {
		t.Errorf("runtime-compat.md:%d: no line %q (in order) in the output", b.line, missing)
	}
	if left := managerLeftovers(b.manager, environ); left != "" {
		t.Errorf("runtime-compat.md:%d: the block left %s", b.line, left)
	}
}

// managerLeftovers lists the containers and images a manager still has.
func managerLeftovers(manager string, environ []string) string {
	var checks [][]string
	switch manager {
	case "docker":
		checks = [][]string{{"docker", "ps", "-aq"}, {"docker", "images", "-q"}}
	case "podman":
		checks = [][]string{{"podman", "ps", "-aq"}, {"podman", "images", "-q"}}
	case "containerd":
		checks = [][]string{{"ctr", "containers", "ls", "-q"}, {"ctr", "images", "ls", "-q"}}
	}
	var left []string
	for _, c := range checks {
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Env = environ
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "" {
			left = append(left, fmt.Sprintf("%s: %s %v", strings.Join(c, " "), strings.TrimSpace(string(out)), err))
		}
	}
	return strings.Join(left, "; ")
}

// TestDocsCompatBlocks checks, without the managers, what TestCompatDocs
// relies on: runtime-compat.md has a `sh compat` block for each manager,
// each with the output it expects, and none names a variable of the
// harness's.
func TestDocsCompatBlocks(t *testing.T) {
	blocks, err := compatDocBlocks("../docs/runtime-compat.md")
	if err != nil {
		t.Fatal(err)
	}
	harness := regexp.MustCompile(`\$\{?(GOC|GOC5|WORK|NETNS|M|ROOTFS|D|S|CONTAINERD_ADDRESS|DOCKER_HOST)\b`)
	seen := map[string]bool{}
	for _, b := range blocks {
		seen[b.manager] = true
		if len(b.expected) == 0 {
			t.Errorf("runtime-compat.md:%d: no output block after the sh compat block", b.line)
		}
		if v := harness.FindString(b.text); v != "" {
			t.Errorf("runtime-compat.md:%d: %s is the harness's, not the reader's", b.line, v)
		}
	}
	for _, m := range []string{"docker", "podman", "containerd"} {
		if !seen[m] {
			t.Errorf("runtime-compat.md: no sh compat block for %s", m)
		}
	}
}
