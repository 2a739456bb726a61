package daemon

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"goc.dev/shared/spec"
	"goc.dev/stage5/api"
)

// network is the goC run flag of a request's network (bridge when empty,
// as Docker's), or a 400.
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
	return "--network=" + mode, nil
}

// checkSecurity refuses, with a 400, what goC run would refuse in a
// request's confinement: goCd says so before it starts a shim.
func checkSecurity(s api.Security) error {
	for _, caps := range []struct {
		field string
		names []string
	}{{"capAdd", s.CapAdd}, {"capDrop", s.CapDrop}} {
		for _, n := range caps.names {
			if strings.EqualFold(n, "ALL") {
				continue
			}
			if _, err := spec.CapNumbers([]string{n}); err != nil {
				return bad("%s: %v", caps.field, err)
			}
		}
	}
	if s.User != "" && !numericUser(s.User) {
		return bad("user %q: want UID or UID:GID, numbers below 4294967295", s.User)
	}
	if s.Seccomp != "" && s.Seccomp != api.SeccompUnconfined {
		var profile map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s.Seccomp), &profile); err != nil {
			return bad("seccomp: not unconfined nor a JSON profile: %v", err)
		}
	}
	return nil
}

// numericUser tells whether u is UID or UID:GID, each a number below
// 2³²-1 (which is -1, "no ID", to the kernel).
func numericUser(u string) bool {
	uid, gid, hasGID := strings.Cut(u, ":")
	return isID(uid) && (!hasGID || isID(gid))
}

func isID(s string) bool {
	n, err := strconv.ParseUint(s, 10, 32)
	return err == nil && n < 1<<32-1
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
