package daemon

import (
	"goc.dev/shared/mounts"
	"goc.dev/stage5/api"
)

// parseMounts reads a request's mount flags with Docker's rules (package
// mounts), or a 400 that says which is wrong.
func parseMounts(f api.MountFlags) ([]mounts.Mount, error) {
	var ms []mounts.Mount
	for _, g := range []struct {
		values []string
		parse  func(string) (mounts.Mount, error)
	}{{f.Volumes, mounts.ParseVolume}, {f.Mounts, mounts.ParseMount}, {f.Tmpfs, mounts.ParseTmpfs}} {
		for _, v := range g.values {
			m, err := g.parse(v)
			if err != nil {
				return nil, bad("%v", err)
			}
			ms = append(ms, m)
		}
	}
	return ms, nil
}

// mountArgs are goC run's flags for the mounts of container cid's request:
// volumes made if missing and handed over as binds of their directories,
// the rest checked first as goC run will check them (a bind's host path
// exists, or is made for -v; no target twice), so that goCd answers 400
// before any shim starts.
func (d *Daemon) mountArgs(f api.MountFlags, cid string) ([]string, error) {
	ms, err := parseMounts(f)
	if err != nil {
		return nil, err
	}
	if err := d.resolveVolumes(ms, cid); err != nil {
		d.removeAnonymous(cid)
		return nil, err
	}
	if _, err := mounts.OCI(ms); err != nil {
		d.removeAnonymous(cid)
		return nil, bad("%v", err)
	}
	var args []string
	for _, m := range ms {
		args = append(args, m.Args()...)
	}
	return args, nil
}
