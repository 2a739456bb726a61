package spec

import specs "github.com/opencontainers/runtime-spec/specs-go"

// ConvertMount checks and converts one OCI mount as config.json's are, for
// a mount that comes from a command line (package mounts): its bind source
// is absolute, there is no bundle to resolve it against.
func ConvertMount(m specs.Mount) (Mount, error) { return convertMount(m, "/") }

// IsMountOption reports whether o is an OCI mount option goC knows: a
// mount flag, a propagation or a recursive option (not filesystem data).
func IsMountOption(o string) bool {
	_, flag := mountFlags[o]
	_, prop := propagationFlags[o]
	_, rec := recursiveFlags[o]
	return flag || prop || rec
}
