package mounts

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/spec"
)

// Options are goC run's mount flags, as they are parsed.
type Options struct {
	Mounts []Mount
}

// ValueFlags are the flags Register adds; each takes a value.
var ValueFlags = []string{"v", "volume", "mount", "tmpfs"}

// Register adds -v/--volume, --mount and --tmpfs to fs (repeatable).
func (o *Options) Register(fs *flag.FlagSet) {
	add := func(parse func(string) (Mount, error)) func(string) error {
		return func(s string) error {
			m, err := parse(s)
			o.Mounts = append(o.Mounts, m)
			return err
		}
	}
	fs.Func("v", "", add(ParseVolume))
	fs.Func("volume", "", add(ParseVolume))
	fs.Func("mount", "", add(ParseMount))
	fs.Func("tmpfs", "", add(ParseTmpfs))
}

// Apply adds o's mounts to p, after its own: the binds' host paths are
// checked (or made, for -v), and a mount inside another comes after it.
func (o *Options) Apply(p *spec.Plan) error {
	ms, err := OCI(o.Mounts)
	if err != nil {
		return err
	}
	for _, m := range ms {
		pm, err := spec.ConvertMount(m)
		if err != nil {
			return fmt.Errorf("mount %s: %w", m.Destination, err)
		}
		p.Mounts = append(p.Mounts, pm)
	}
	return nil
}

// OCI turns ms into config.json mounts, a parent before what is mounted in
// it; a target named twice is an error. A bind's source must exist, except
// for -v's, which is made (a directory, as Docker makes it). A volume must
// have been made a bind of its directory (goCd does): goC run has none.
func OCI(ms []Mount) ([]specs.Mount, error) {
	sorted := append([]Mount{}, ms...)
	sort.SliceStable(sorted, func(i, j int) bool { return depth(sorted[i].Target) < depth(sorted[j].Target) })
	seen := map[string]bool{}
	var out []specs.Mount
	for _, m := range sorted {
		t := path.Clean(m.Target)
		if seen[t] {
			return nil, fmt.Errorf("duplicate mount point: %s", t)
		}
		seen[t] = true
		om, err := m.oci()
		if err != nil {
			return nil, err
		}
		out = append(out, om)
	}
	return out, nil
}

// depth is how many names path has: / is 0, /a/b is 2.
func depth(p string) int { return strings.Count(strings.Trim(path.Clean(p), "/"), "/") }

// oci is m as a config.json mount: a bind is an rbind, read-only if asked
// (the kernel then refuses writes with EROFS); a tmpfs is nosuid, nodev
// and noexec unless its options say otherwise, as Docker's.
func (m Mount) oci() (specs.Mount, error) {
	rw := "rw"
	if m.ReadOnly {
		rw = "ro"
	}
	t := path.Clean(m.Target)
	switch m.Type {
	case TypeTmpfs:
		opts := append([]string{"nosuid", "nodev", "noexec"}, m.Options...)
		if m.ReadOnly {
			opts = append(opts, "ro")
		}
		return specs.Mount{Type: "tmpfs", Source: "tmpfs", Destination: t, Options: opts}, nil
	case TypeBind:
		if err := prepareSource(m); err != nil {
			return specs.Mount{}, err
		}
		opts := []string{"rbind", rw}
		if m.Propagation != "" {
			opts = append(opts, m.Propagation)
		}
		return specs.Mount{Type: "bind", Source: m.Source, Destination: t, Options: opts}, nil
	}
	return specs.Mount{}, fmt.Errorf("%s: volumes, named or anonymous, are goCd's (goC-cli run -v NAME:%s); goC run binds host paths", m.Target, m.Target)
}

// prepareSource checks a bind's host path, and makes a missing one for -v.
func prepareSource(m Mount) error {
	_, err := os.Stat(m.Source)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrNotExist) && m.CreateSource:
		if err := os.MkdirAll(m.Source, 0o755); err != nil {
			return fmt.Errorf("error while creating mount source path '%s': %w", m.Source, err)
		}
		return nil
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("invalid mount config for type \"bind\": bind source path does not exist: %s", m.Source)
	}
	return fmt.Errorf("bind source %s: %w", m.Source, err)
}
