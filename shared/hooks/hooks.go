// Package hooks runs the hooks of a config.json (runtime-spec "hooks"):
// each program is run with the container's state as JSON on its stdin,
// in order; the first that fails, or outlives its timeout, ends the run.
package hooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Validate checks the hooks of one kind ("prestart", …) of a config.json.
func Validate(kind string, hs []specs.Hook) error {
	for i, h := range hs {
		switch {
		case !filepath.IsAbs(h.Path):
			return fmt.Errorf("config.json: hooks.%s[%d].path %q must be absolute", kind, i, h.Path)
		case h.Timeout != nil && *h.Timeout <= 0:
			return fmt.Errorf("config.json: hooks.%s[%d].timeout must be positive", kind, i)
		}
	}
	return nil
}

// Run runs hooks of the given kind with st on their stdin, in the working
// directory runc gives that kind (see dir). An error names the hook and
// carries the first line of what it wrote.
func Run(kind string, hs []specs.Hook, st specs.State) error {
	return runIn(dir(kind, st), kind, hs, st)
}

// inBundle are the kinds of hook runc 1.1 runs from "runc create" or "runc
// run", which work in the bundle directory: so do these hooks (runc runs
// poststart at create). Poststop runs where "delete" was called, or in the
// bundle under run (PoststopInBundle); createContainer and startContainer
// run in the container's init, wherever it is (the rootfs, the process's
// cwd).
var inBundle = map[string]bool{"prestart": true, "createRuntime": true, "poststart": true}

// dir is the working directory of a hook of kind: the bundle for those
// runc runs there, if it is still a directory; else goC's own ("").
func dir(kind string, st specs.State) string {
	if !inBundle[kind] {
		return ""
	}
	return bundleDir(st)
}

func bundleDir(st specs.State) string {
	if fi, err := os.Stat(st.Bundle); err != nil || !fi.IsDir() {
		return ""
	}
	return st.Bundle
}

func runIn(dir, kind string, hs []specs.Hook, st specs.State) error {
	if len(hs) == 0 {
		return nil
	}
	in, err := json.Marshal(st)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if err := run(h, in, dir); err != nil {
			return fmt.Errorf("%s hook %s: %w", kind, h.Path, err)
		}
	}
	return nil
}

// RunJSON runs hooks with a state encoded as JSON: the init's
// createContainer and startContainer hooks, with the state the parent sent.
func RunJSON(kind string, hs []specs.Hook, state []byte) error {
	if len(hs) == 0 {
		return nil
	}
	var st specs.State
	if err := json.Unmarshal(state, &st); err != nil {
		return fmt.Errorf("%s hooks: state: %w", kind, err)
	}
	return Run(kind, hs, st)
}

// Poststart runs the poststart hooks of hs (nil: none) once the
// container's process runs, Poststop its poststop hooks once the container
// is deleted (or its workload has ended, run). Their failure is only a
// warning (runtime-spec), logged.
func Poststart(hs *specs.Hooks, st specs.State) {
	if hs != nil {
		warn(dir("poststart", st), "poststart", hs.Poststart, st)
	}
}

// Poststop: see Poststart. They run in goC's working directory, as runc
// delete's run in its.
func Poststop(hs *specs.Hooks, st specs.State) {
	if hs != nil {
		warn("", "poststop", hs.Poststop, st)
	}
}

// PoststopInBundle is Poststop for "goC run", which runs them in the
// bundle directory, as "runc run" does.
func PoststopInBundle(hs *specs.Hooks, st specs.State) {
	if hs != nil {
		warn(bundleDir(st), "poststop", hs.Poststop, st)
	}
}

// warn runs each hook in dir, logging a failure as a warning: the ones
// after it run all the same, as the runtime-spec says.
func warn(dir, kind string, hs []specs.Hook, st specs.State) {
	for _, h := range hs {
		if err := runIn(dir, kind, []specs.Hook{h}, st); err != nil {
			slog.Warn(err.Error())
		}
	}
}

func run(h specs.Hook, in []byte, dir string) error {
	ctx := context.Background()
	if h.Timeout != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*h.Timeout)*time.Second)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, h.Path)
	if len(h.Args) > 0 {
		cmd.Args = h.Args
	}
	cmd.Dir = dir
	cmd.Env = h.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	var out bytes.Buffer
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second // a hook's children holding its output do not hold goC
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("timed out after %ds", *h.Timeout)
	}
	if err != nil {
		var ee *exec.ExitError
		if msg := firstLine(out.String()); msg != "" && errors.As(err, &ee) {
			return fmt.Errorf("%w: %s", err, msg)
		}
		return err
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
