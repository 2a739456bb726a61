package main

import (
	"github.com/spf13/pflag"

	"goc.dev/stage5/api"
)

// registerMounts adds run's mount flags, Docker's, into m: each value is
// sent as it is typed (goCd reads it with Docker's rules), and none is
// split at commas — a --mount value is a list of fields itself.
func registerMounts(fs *pflag.FlagSet, m *api.MountFlags) {
	fs.StringArrayVarP(&m.Volumes, "volume", "v", nil,
		"Bind mount a volume: HOST-DIR:CTR-DIR[:ro] (an absolute host path, made if missing), NAME:CTR-DIR[:ro] (a named volume), or CTR-DIR (an anonymous one)")
	fs.StringArrayVar(&m.Mounts, "mount", nil,
		"Attach a filesystem mount to the container: type=bind|volume|tmpfs,source=…,target=…[,readonly]")
	fs.StringArrayVar(&m.Tmpfs, "tmpfs", nil, "Mount a tmpfs directory: CTR-DIR[:OPTIONS] (size=64m, mode=1777, exec, …)")
}
