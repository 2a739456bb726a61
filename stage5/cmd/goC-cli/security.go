package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"goc.dev/stage5/api"
)

// securityFlags are run's confinement flags, in Docker's words:
//
//	--privileged  --cap-add CAP  --cap-drop CAP  --read-only  -u|--user USER[:GROUP]
//	--security-opt seccomp=unconfined|FILE  --security-opt no-new-privileges[=true|false]
//
// Without them a container is confined as Docker's default is.
type securityFlags struct {
	capAdd, capDrop, opts list
}

// register adds the flags to fs, described in Docker's words where they
// are Docker's; the plain ones set req directly.
func (f *securityFlags) register(fs *pflag.FlagSet, req *api.ContainerCreate) {
	fs.BoolVar(&req.Privileged, "privileged", false, "Give extended privileges to this container")
	fs.Var(&f.capAdd, "cap-add", "Add Linux capabilities")
	fs.Var(&f.capDrop, "cap-drop", "Drop Linux capabilities")
	fs.Var(&f.opts, "security-opt", "Security Options: seccomp=unconfined|FILE, no-new-privileges[=true|false]")
	fs.BoolVar(&req.ReadOnly, "read-only", false, "Mount the container's root filesystem as read only")
	fs.StringVarP(&req.User, "user", "u", "", "Username or UID (format: \"<name|uid>[:<group|gid>]\")")
}

// apply puts the parsed flags into req. A seccomp FILE is read here, by
// the client, and its content sent, as docker does: goCd opens no path a
// client names.
func (f *securityFlags) apply(req *api.ContainerCreate, readFile func(string) ([]byte, error)) error {
	req.CapAdd, req.CapDrop = f.capAdd, f.capDrop
	for _, opt := range f.opts {
		key, val, hasVal := strings.Cut(opt, "=")
		if !hasVal { // Docker's old spelling, seccomp:FILE
			key, val, hasVal = strings.Cut(opt, ":")
		}
		switch {
		case key == "seccomp" && val == api.SeccompUnconfined:
			req.Seccomp = val
		case key == "seccomp" && val != "":
			b, err := readFile(val)
			if err != nil {
				return fmt.Errorf("--security-opt %s: %w", opt, err)
			}
			if !json.Valid(b) {
				var v any
				return fmt.Errorf("--security-opt %s: not a JSON profile: %w", opt, json.Unmarshal(b, &v))
			}
			req.Seccomp = string(b)
		case key == "seccomp":
			return fmt.Errorf("--security-opt %q: want seccomp=unconfined or seccomp=FILE", opt)
		case key == "no-new-privileges" && !hasVal:
			req.NoNewPrivileges = true
		case key == "no-new-privileges":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return fmt.Errorf("--security-opt %q: want no-new-privileges[=true|false]", opt)
			}
			req.NoNewPrivileges = b
		default:
			return fmt.Errorf("--security-opt %q: goC knows seccomp=unconfined|FILE and no-new-privileges", opt)
		}
	}
	return nil
}
