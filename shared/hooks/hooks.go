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

// Run runs hooks of the given kind with st on their stdin. An error names
// the hook and carries the first line of what it wrote.
func Run(kind string, hs []specs.Hook, st specs.State) error {
	if len(hs) == 0 {
		return nil
	}
	in, err := json.Marshal(st)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if err := run(h, in); err != nil {
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
		warn("poststart", hs.Poststart, st)
	}
}

// Poststop: see Poststart.
func Poststop(hs *specs.Hooks, st specs.State) {
	if hs != nil {
		warn("poststop", hs.Poststop, st)
	}
}

// warn runs each hook, logging a failure as a warning: the ones after it
// run all the same, as the runtime-spec says.
func warn(kind string, hs []specs.Hook, st specs.State) {
	for _, h := range hs {
		if err := Run(kind, []specs.Hook{h}, st); err != nil {
			slog.Warn(err.Error())
		}
	}
}

func run(h specs.Hook, in []byte) error {
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
