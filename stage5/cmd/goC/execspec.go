package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/atomicfile"
	"goc.dev/shared/confine"
	"goc.dev/shared/spec"
	"goc.dev/stage4/container"
	"goc.dev/stage5/shim"
)

// bundleFor makes the record directory the container's bundle, for goC
// exec: exec takes the process it runs (environment, working directory,
// user, capabilities, no_new_privs) and its seccomp filter from the
// bundle's config.json, as runc's does, and a container of goC run's
// rootfs form has no bundle. The shim writes one that says what goC run
// made of its flags (o.Plan); the seccomp profile is resolved again from
// run's flags (runArgs), as goC run resolved it.
func bundleFor(dir shim.Dir, o *container.Options, runArgs []string) error {
	s, err := execSpec(o.Plan, runArgs)
	if err != nil {
		return fmt.Errorf("shim: %s: %w", shim.BundleConfigFile, err)
	}
	b, err := json.MarshalIndent(s, "", "\t")
	if err == nil {
		err = atomicfile.Write(filepath.Join(string(dir), shim.BundleConfigFile), b, 0o600)
	}
	if err != nil {
		return fmt.Errorf("shim: %s: %w", shim.BundleConfigFile, err)
	}
	o.Bundle = string(dir)
	return nil
}

// execSpec is the spec of p's process: what goC exec's processes start from.
func execSpec(p spec.Plan, runArgs []string) (*specs.Spec, error) {
	pr := &specs.Process{Args: p.Args, Env: p.Env, Cwd: p.Cwd, NoNewPrivileges: p.NoNewPrivileges,
		User: specs.User{UID: p.UID, GID: p.GID, AdditionalGids: p.AdditionalGids, Umask: p.Umask}}
	var names []string
	if p.Caps != nil {
		pr.Capabilities = &specs.LinuxCapabilities{Bounding: capNames(p.Caps.Bounding),
			Effective: capNames(p.Caps.Effective), Permitted: capNames(p.Caps.Permitted),
			Inheritable: capNames(p.Caps.Inheritable), Ambient: capNames(p.Caps.Ambient)}
		names = pr.Capabilities.Bounding
	}
	s := &specs.Spec{Version: specs.Version, Process: pr, Hostname: p.Hostname,
		Root: &specs.Root{Path: p.Rootfs, Readonly: p.RootReadonly}, Linux: &specs.Linux{}}
	how, privileged := seccompFlags(runArgs)
	if how == "unconfined" || (privileged && how == "") || p.Seccomp == nil {
		return s, nil
	}
	prof, err := confine.Profile(how, names)
	if err != nil {
		return nil, err
	}
	s.Linux.Seccomp = prof
	return s, nil
}

func capNames(nums []int) []string {
	var out []string
	for _, n := range nums {
		out = append(out, spec.CapName(n))
	}
	return out
}

// seccompFlags finds goC run's --security-opt seccomp=HOW and --privileged
// among its flags (as goCd's shim command line has them).
func seccompFlags(args []string) (how string, privileged bool) {
	for i, a := range args {
		switch {
		case a == "--privileged":
			privileged = true
		case a == "--security-opt" && i+1 < len(args) && strings.HasPrefix(args[i+1], "seccomp="):
			how = strings.TrimPrefix(args[i+1], "seccomp=")
		case strings.HasPrefix(a, "--security-opt=seccomp="):
			how = strings.TrimPrefix(a, "--security-opt=seccomp=")
		}
	}
	return how, privileged
}
