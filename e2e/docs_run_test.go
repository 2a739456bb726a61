package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDocBlocks runs every runnable block of the chapters as written
// (docs/e2e.md, "The docs blocks"): its text piped into `sh -eu` in the
// repository's root, its combined output checked against the output block
// after it, and the host checked afterwards for what it left behind.
//
// Environment:
//
//	GOC_REPO    the checkout whose bin/, build/rootfs and docs/ are used (default ..)
//	GOC_DOCS    the chapters (default $GOC_REPO/docs)
//	GOC_VM      set in the VM (vm/e2e.sh): no make, Go or sudo there, so the
//	            runner builds a checkout of links to GOC_BIN and GOC_ROOTFS
//	            (e2e_test.go), puts a passthrough sudo on PATH and replaces
//	            `make stageN …` lines by the links they would make; `sh host`
//	            blocks are not run
//
// `sh compat` blocks are the compat suite's (docBlocks).
func TestDocBlocks(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the docs blocks run `sudo …` as a reader types it and the runner checks the host's mounts and cgroups afterwards: run them as root (make e2e-host)")
	}
	repo := absEnv(t, "GOC_REPO", "..")
	docs := absEnv(t, "GOC_DOCS", filepath.Join(repo, "docs"))
	chapters, _ := filepath.Glob(filepath.Join(docs, "*.md"))
	if len(chapters) == 0 {
		t.Fatalf("no chapters in %s (GOC_DOCS, GOC_REPO)", docs)
	}
	r := &docsRunner{dir: repo, env: readerEnv(), vm: os.Getenv("GOC_VM") != "", repo: repo}
	if r.vm {
		r.vmCheckout(t, docs)
	}
	removeDefaultBridgeAfter(t)
	ran := 0
	for _, p := range chapters {
		blocks, err := readDocBlocks(p)
		if err != nil {
			t.Error(err)
			continue
		}
		stem := strings.TrimSuffix(filepath.Base(p), ".md")
		if len(blocks) == 0 {
			continue
		}
		if r.vm && !r.stageBuilt(stem) {
			t.Logf("%s: not run, stage not among GOC_STAGES", stem)
			continue
		}
		t.Run(stem, func(t *testing.T) {
			for _, b := range blocks {
				if b.Kind == blockCompat || b.Kind == blockHost && r.vm {
					t.Logf("%s: a `%s` block, not run here", b.Name(), b.Kind)
					continue
				}
				ran++
				t.Run(fmt.Sprintf("L%d", b.Line), func(t *testing.T) { r.run(t, b) })
			}
		})
	}
	if ran == 0 {
		t.Fatalf("found no runnable blocks in %s", docs)
	}
}

// A docsRunner runs blocks in one directory with one environment.
type docsRunner struct {
	dir  string   // the working directory: the repository root, or the VM's checkout
	repo string   // what file names in messages are relative to
	env  []string // the reader's environment
	vm   bool     // rewrite `make stageN` lines (vmRewrite)
}

// stageBuilt: a chapter is run in the VM unless it is stageN's and
// GOC_STAGES (E2E_STAGES) leaves stage N out.
func (r *docsRunner) stageBuilt(stem string) bool {
	n, ok := strings.CutPrefix(stem, "stage")
	stages := os.Getenv("GOC_STAGES")
	return !ok || stages == "" || slices.Contains(strings.Fields(stages), n)
}

// blockTimeout bounds one block; `make stageN` from a cold cache is the
// slowest thing a block does.
const blockTimeout = 10 * time.Minute

func (r *docsRunner) run(t *testing.T, b docBlock) {
	where := b.File
	if rel, err := filepath.Rel(r.repo, b.File); err == nil && !strings.HasPrefix(rel, "..") {
		where = rel
	}
	where = fmt.Sprintf("%s:%d", where, b.Line)
	text := b.Text
	if r.vm {
		text = vmRewrite(text)
	}
	before := snapshotHost(r.dir)
	out, err := runBlock(r.dir, r.env, text)
	leaks := leftBehind(before, r.dir)
	if err != nil || len(leaks) > 0 || matchOutput(b.Want, out) != "" {
		t.Logf("%s, as run:\n%s\ncombined output:\n%s", where, text, out)
	}
	if err != nil {
		t.Errorf("FAIL: %s: %v", where, err)
	}
	if miss := matchOutput(b.Want, out); miss != "" {
		t.Errorf("FAIL: %s: the output has no line %q (after the lines matched before it)", where, miss)
	}
	for _, l := range leaks {
		t.Errorf("FAIL: %s: the block left %s", where, l)
	}
}

// runBlock runs text as a script file with `sh -eu` in dir and returns its combined
// output. A process the block leaves running in its process group (an
// unstopped `goCd &`) is killed and fails it.
func runBlock(dir string, env []string, text string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), blockTimeout)
	defer cancel()
	// The block is a script file, not sh's stdin: a command in it that
	// reads its stdin (goC run forwards it) must not eat the lines after
	// it. Its commands get /dev/null, as under a reader's `sh FILE < /dev/null`.
	script, err := os.CreateTemp("", "goc-docs-block-*.sh")
	if err != nil {
		return "", err
	}
	defer os.Remove(script.Name())
	if _, err := script.WriteString(text); err != nil {
		script.Close()
		return "", err
	}
	if err := script.Close(); err != nil {
		return "", err
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "sh", "-eu", script.Name())
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = fmt.Errorf("a process it started in the background still held its output %v after it ended", cmd.WaitDelay)
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("still running after %v: %w", blockTimeout, err)
	}
	if cmd.Process != nil && syscall.Kill(-cmd.Process.Pid, 0) == nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = errors.Join(err, errors.New("it left processes running (killed now)"))
	}
	return out.String(), err
}

// readerEnv is the environment a reader has: this one's PATH, HOME, user
// (with sudo's SUDO_UID… when the test runs through sudo), locale and Go
// settings, but no harness variable (GOC_*) and nothing an enclosing make
// passes down.
func readerEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "PATH" || k == "HOME" || k == "USER" || k == "LOGNAME" || k == "LANG" || k == "TERM":
		case k == "SUDO_UID" || k == "SUDO_GID" || k == "SUDO_USER": // make gives what it builds back to the user
		case strings.HasPrefix(k, "LC_"):
		case strings.HasPrefix(k, "GO") && !strings.HasPrefix(k, "GOC_"):
		default:
			continue
		}
		env = append(env, kv)
	}
	return env
}

// matchOutput returns the first wanted line that the output does not hold
// in order ("" if all are there). A wanted line matches a whole output
// line, trailing blanks aside; "..." in it matches any text.
func matchOutput(want []string, out string) string {
	lines := strings.Split(out, "\n")
	i := 0
	for _, w := range want {
		re := wantPattern(w)
		for i < len(lines) && !re.MatchString(strings.TrimRight(lines[i], " \t\r")) {
			i++
		}
		if i == len(lines) {
			return w
		}
		i++
	}
	return ""
}

func wantPattern(w string) *regexp.Regexp {
	parts := strings.Split(w, "...")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

// vmCheckout makes what a reader's checkout has after `make stages
// rootfs`, from the binaries built on the host: bin/stageN links to
// GOC_BIN/stageN, a copy of GOC_ROOTFS as build/rootfs (a real directory,
// as a block may copy it) and docs/; and a passthrough sudo first on PATH.
func (r *docsRunner) vmCheckout(t *testing.T, docs string) {
	bin := absEnv(t, "GOC_BIN", "../bin")
	rootfs := absEnv(t, "GOC_ROOTFS", "../build/rootfs")
	dir, tools := t.TempDir(), t.TempDir()
	stages, _ := filepath.Glob(filepath.Join(bin, "stage[1-9]"))
	if len(stages) == 0 {
		t.Fatalf("no stage binaries under %s (GOC_BIN)", bin)
	}
	for _, d := range []string{"bin", "build"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range stages {
		if err := os.Symlink(s, filepath.Join(dir, "bin", filepath.Base(s))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(docs, filepath.Join(dir, "docs")); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", rootfs, filepath.Join(dir, "build", "rootfs")).CombinedOutput(); err != nil {
		t.Fatalf("copying the rootfs: %v: %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(tools, "sudo"), []byte(passthroughSudo), 0o755); err != nil {
		t.Fatal(err)
	}
	for i, kv := range r.env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			r.env[i] = "PATH=" + tools + string(os.PathListSeparator) + v
		}
	}
	r.dir = dir
	t.Logf("VM: the blocks run in %s, links to %s and a copy of %s", dir, bin, rootfs)
}

// passthroughSudo is the VM's sudo: everything runs as root there already.
const passthroughSudo = `#!/bin/sh
# The docs runner's sudo in the VM, where everything runs as root: runs its arguments.
while [ $# -gt 0 ]; do
	case $1 in -E|-H|-n|--preserve-env) shift ;; *) break ;; esac
done
exec "$@"
`

var makeLine = regexp.MustCompile(`^(\s*)make((?:\s+(?:stage[1-9]|stages|rootfs))+)\s*(?:#.*)?$`)

// vmRewrite replaces each line `make stageN …` (targets stageN, stages and
// rootfs only) by the links that target makes, the binaries being built on
// the host already: bin/goC → stageN/goC, and for stage 5 bin/goCd and
// bin/goC-cli, as the Makefile makes them. One line for one, so line
// numbers stay.
func vmRewrite(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		m := makeLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		cmds := []string{}
		for _, target := range strings.Fields(m[2]) {
			switch target {
			case "rootfs":
				cmds = append(cmds, "test -x build/rootfs/bin/busybox")
			case "stages":
				cmds = append(cmds, stageLinks("5")...)
			default:
				cmds = append(cmds, stageLinks(strings.TrimPrefix(target, "stage"))...)
			}
		}
		lines[i] = m[1] + strings.Join(cmds, " && ") + " # was: " + strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}

// stageLinks are `make stageN`'s links: each program of the stage linked,
// the links of programs it lacks removed.
func stageLinks(n string) []string {
	return []string{"test -x bin/stage" + n + "/goC",
		"for p in goC goCd goC-cli; do if [ -e bin/stage" + n + "/$p ]; then ln -sfn stage" + n + "/$p bin/$p; else rm -f bin/$p; fi; done"}
}
