package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"goc.dev/stage5/api"
)

// optionFlags are run's daily-use flags, Docker's: --hostname,
// --entrypoint, --label, --restart (api.Options).
type optionFlags struct {
	entrypoint setString // imageconfig.go
	labels     list
}

func (f *optionFlags) register(fs *pflag.FlagSet, req *api.ContainerCreate) {
	fs.StringVar(&req.Hostname, "hostname", "", "Container host name (default: its ID's first 12 characters)")
	fs.Var(&f.entrypoint, "entrypoint", "Run this program, with the COMMAND after IMAGE as its arguments (\"\": none; given, the image's Cmd is dropped)")
	fs.Var(&f.labels, "label", "Set meta data on a container: KEY=VALUE or KEY (repeatable)")
	fs.StringVar(&req.Restart, "restart", "", "Restart policy to apply when a container exits: no (the default), on-failure[:max-retries], always, unless-stopped")
}

// apply puts the entrypoint and the labels into req.
func (f *optionFlags) apply(req *api.ContainerCreate) error {
	if f.entrypoint.set {
		req.Entrypoint = []string{f.entrypoint.value}
	}
	labels, err := parseLabels(f.labels)
	if err != nil {
		return err
	}
	req.Labels = labels
	return nil
}

// parseLabels makes KEY=VALUE and KEY (an empty value) a map; nil if none.
func parseLabels(in []string) (map[string]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, l := range in {
		k, v, _ := strings.Cut(l, "=")
		if k == "" {
			return nil, fmt.Errorf("invalid label %q: want KEY=VALUE or KEY", l)
		}
		out[k] = v
	}
	return out, nil
}
