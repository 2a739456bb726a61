package daemon

import (
	"regexp"

	"goc.dev/shared/id"
	"goc.dev/stage5/api"
)

// run's daily-use options (api.Options): --hostname, --entrypoint, --label.

// hostnameRe is a host name as RFC 1123 has it: labels of letters, digits
// and hyphens, not starting or ending with a hyphen, joined by dots.
var hostnameRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)

// checkOptions is a 400 for options no container can have.
func checkOptions(o api.Options) error {
	if o.Hostname != "" && (len(o.Hostname) > 64 || !hostnameRe.MatchString(o.Hostname)) {
		return bad("invalid hostname %q: letters, digits, '-' and '.', at most 64", o.Hostname)
	}
	if _, err := parsePolicy(o.Restart); err != nil {
		return err
	}
	for k := range o.Labels {
		if k == "" {
			return bad("invalid label: its key is empty")
		}
	}
	return nil
}

// hostname is the container's host name: its own, or the ID's first 12
// characters.
func hostname(o api.Options, cid string) string {
	if o.Hostname != "" {
		return o.Hostname
	}
	return id.Short(cid)
}

// command is what the container runs: the entrypoint, then the command.
func command(req api.ContainerCreate) []string {
	return append(append([]string{}, req.Entrypoint...), req.Cmd...)
}
