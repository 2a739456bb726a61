package daemon

import (
	"encoding/json"
	"fmt"
	"os"

	profiles "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/confine"
	"goc.dev/shared/seccomp"
	"goc.dev/stage5/api"
)

// network is the goC run flag of a request's network (bridge when empty,
// as Docker's), or a 400. The host's network is goC run's default: no
// flag.
func network(req api.ContainerCreate) (string, error) {
	mode := req.Network
	switch mode {
	case "":
		mode = api.NetworkBridge
	case api.NetworkBridge, api.NetworkHost, api.NetworkNone:
	default:
		return "", bad("network %q: use bridge, host or none", mode)
	}
	if len(req.Ports) > 0 && mode != api.NetworkBridge {
		return "", bad("ports need the bridge network, not %s", mode)
	}
	if mode == api.NetworkHost {
		return "", nil
	}
	return "--network=" + mode, nil
}

// checkSecurity refuses, with a 400, what goC run would refuse in a
// request's confinement, by goC run's own rules (package confine): goCd
// says so before it starts a shim. A profile of its own is loaded as
// Docker loads it, for the capabilities the container will have, and
// compiled.
func checkSecurity(s api.Security) error {
	caps, err := confine.Capabilities(s.CapAdd, s.CapDrop, s.Privileged)
	if err != nil {
		return bad("%v", err)
	}
	if _, _, err := confine.ParseUser(s.User); err != nil {
		return bad("%v", err)
	}
	if s.Seccomp == "" || s.Seccomp == api.SeccompUnconfined {
		return nil
	}
	var object map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s.Seccomp), &object); err != nil {
		return bad("seccomp: not unconfined nor a JSON profile: %v", err)
	}
	rs := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
	profile, err := profiles.LoadProfile(s.Seccomp, rs)
	if err == nil && profile != nil {
		_, err = seccomp.Compile(profile)
	}
	if err != nil {
		return bad("seccomp: %v", err)
	}
	return nil
}

// securityArgs are goC run's flags for s, Docker's names; a profile of its
// own is the file profile, which goCd writes before it starts the shim.
func securityArgs(s api.Security, profile string) []string {
	var args []string
	if s.Privileged {
		args = append(args, "--privileged")
	}
	for _, c := range s.CapDrop {
		args = append(args, "--cap-drop", c)
	}
	for _, c := range s.CapAdd {
		args = append(args, "--cap-add", c)
	}
	switch s.Seccomp {
	case "":
	case api.SeccompUnconfined:
		args = append(args, "--security-opt", "seccomp="+api.SeccompUnconfined)
	default:
		args = append(args, "--security-opt", "seccomp="+profile)
	}
	if s.NoNewPrivileges {
		args = append(args, "--security-opt", "no-new-privileges")
	}
	if s.ReadOnly {
		args = append(args, "--read-only")
	}
	if s.User != "" {
		args = append(args, "--user", s.User)
	}
	return args
}

// writeProfile writes a request's own seccomp profile into the container's
// record, where goC run reads it.
func (d *Daemon) writeProfile(cid string, s api.Security) error {
	if s.Seccomp == "" || s.Seccomp == api.SeccompUnconfined {
		return nil
	}
	if err := os.WriteFile(d.dir(cid).Seccomp(), []byte(s.Seccomp), 0o600); err != nil {
		return fmt.Errorf("seccomp profile: %w", err)
	}
	return nil
}
