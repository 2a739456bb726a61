package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// The suite, as the harness lays it out (the layout the suite's own
// Makefile has: each test wants runtimetest and the rootfs tarball in its
// working directory):
//
//	DIR/runtimetest             the checker each container runs (static)
//	DIR/rootfs-amd64.tar.gz     untarred by the suite into every bundle
//	DIR/validation/NAME         one program per validation file
//	DIR/.stamp                  what it was built from
const (
	suiteModule = "github.com/opencontainers/runtime-tools"
	stampFile   = ".stamp"
)

// silentOK are the files that print nothing when the runtime behaves: they
// want create refused and only speak (util.Fatal) when it is not.
var silentOK = map[string]bool{
	"process_capabilities_fail": true,
	"process_rlimits_fail":      true,
}

// module is the suite's module as the go command has it.
type module struct{ Version, Dir string }

// suiteModuleInfo asks the go command, in this harness's module (where
// go.mod pins the suite and its dependencies), where the suite is.
func suiteModuleInfo(ctx context.Context, modDir string) (module, error) {
	var m module
	out, err := goCmd(ctx, modDir, "mod", "download", "-json", suiteModule)
	if err != nil {
		return m, fmt.Errorf("download %s: %w", suiteModule, err)
	}
	err = json.Unmarshal(out, &m)
	return m, err
}

// Prepare builds the suite under cache/VERSION unless it is there already,
// built from the same go.mod and go.sum with the same Go. It returns the
// suite's directory.
func Prepare(ctx context.Context, modDir, cache string) (string, error) {
	m, err := suiteModuleInfo(ctx, modDir)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, m.Version)
	stamp, err := suiteStamp(modDir)
	if err != nil {
		return "", err
	}
	if b, err := os.ReadFile(filepath.Join(dir, stampFile)); err == nil && string(b) == stamp {
		return dir, nil
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	if err := buildSuite(ctx, modDir, m, tmp); err != nil {
		return "", fmt.Errorf("build the suite: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, stampFile), []byte(stamp), 0o644); err != nil {
		return "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	return dir, os.Rename(tmp, dir)
}

// suiteStamp is what a built suite depends on: the pins and the toolchain.
func suiteStamp(modDir string) (string, error) {
	h := sha256.New()
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(modDir, f))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	fmt.Fprint(h, runtime.Version())
	return hex.EncodeToString(h.Sum(nil)) + "\n", nil
}

// buildSuite compiles runtimetest and every validation program (static,
// stripped: they also go into the VM's payload) and copies the rootfs.
func buildSuite(ctx context.Context, modDir string, m module, dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "validation"), 0o755); err != nil {
		return err
	}
	build := []string{"build", "-trimpath", "-ldflags=-s -w", "-o"}
	if _, err := goCmd(ctx, modDir, append(build, dir+"/", suiteModule+"/cmd/runtimetest")...); err != nil {
		return err
	}
	if _, err := goCmd(ctx, modDir, append(build, dir+"/validation/", suiteModule+"/validation/...")...); err != nil {
		return err
	}
	tarball := fmt.Sprintf("rootfs-%s.tar.gz", runtime.GOARCH)
	return copyFile(filepath.Join(m.Dir, tarball), filepath.Join(dir, tarball))
}

// goCmd runs the go command in the harness's module, outside the
// project's workspace (the suite's old dependencies stay out of it).
func goCmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Files lists the suite's validation files.
func Files(suite string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(suite, "validation"))
	if err != nil {
		return nil, fmt.Errorf("the suite: %w", err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, errors.New("the suite has no validation files")
	}
	return files, nil
}

// Runtime is one column: a runtime binary behind a wrapper script that
// gives it its own state directory (the suite's RUNTIME must be a single
// executable).
type Runtime struct {
	Name, Binary string
	State        string // its --root
	Wrapper      string
}

// NewRuntime writes the wrapper under work.
func NewRuntime(name, binary, work string) (Runtime, error) {
	abs, err := filepath.Abs(binary)
	if err != nil {
		return Runtime{}, err
	}
	if _, err := os.Stat(abs); err != nil {
		return Runtime{}, fmt.Errorf("runtime %s: %w", name, err)
	}
	rt := Runtime{Name: name, Binary: abs, State: filepath.Join(work, "state-"+name), Wrapper: filepath.Join(work, "runtime-"+name)}
	script := fmt.Sprintf("#!/bin/sh\nexec '%s' --root '%s' \"$@\"\n", rt.Binary, rt.State)
	return rt, os.WriteFile(rt.Wrapper, []byte(script), 0o755)
}

// RunFile runs one validation file against one runtime, with the suite as
// its working directory and tmp as its TMPDIR (where it puts its
// bundles), in a process group of its own; the whole group is killed when
// it ends or times out.
func RunFile(suite, file string, rt Runtime, tmp string, limit time.Duration) (Run, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(suite, "validation", file))
	cmd.Dir = suite
	cmd.Env = append(os.Environ(), "RUNTIME="+rt.Wrapper, "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ownGroup(cmd)
	cmd.WaitDelay = 5 * time.Second // a stray child holding the pipes
	if err := cmd.Start(); err != nil {
		return Run{}, fmt.Errorf("run %s: %w", file, err)
	}
	_ = cmd.Wait() // how it ended is in ProcessState
	killGroup(cmd)
	return Run{
		Stdout:   stdout.String(),
		Stderr:   stderr.String(),
		Exit:     cmd.ProcessState.ExitCode(), // -1 when a signal ended it
		TimedOut: errors.Is(ctx.Err(), context.DeadlineExceeded),
		SilentOK: silentOK[file],
	}, nil
}
