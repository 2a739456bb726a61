package spec

import (
	"sort"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"

	"goc.dev/shared/seccomp"
)

// Features is what goC supports of the runtime-spec, in the form "runc
// features" prints (managers read it to know what they may ask).
func Features() features.Features {
	yes, no := true, false
	var opts, caps []string
	for o := range mountFlags {
		opts = append(opts, o)
	}
	for o := range propagationFlags {
		opts = append(opts, o)
	}
	for o := range recursiveFlags {
		opts = append(opts, o)
	}
	for c := range capNumbers {
		caps = append(caps, c)
	}
	sort.Strings(opts)
	sort.Strings(caps)
	var ns []string
	for n := range nsTypes {
		ns = append(ns, string(n))
	}
	sort.Strings(ns)
	return features.Features{
		OCIVersionMin: "1.0.0",
		OCIVersionMax: specs.Version,
		Hooks:         []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"},
		MountOptions:  opts,
		Linux: &features.Linux{
			Namespaces:   ns,
			Capabilities: caps,
			Cgroup:       &features.Cgroup{V1: &yes, V2: &yes, Systemd: &no, SystemdUser: &no, Rdma: &no},
			Seccomp: &features.Seccomp{Enabled: &yes, Actions: seccomp.Actions(), Operators: seccomp.Operators(),
				Archs: []string{seccomp.NativeArch()}, KnownFlags: seccomp.Flags(), SupportedFlags: seccomp.Flags()},
			Apparmor:        &features.Apparmor{Enabled: &no},
			Selinux:         &features.Selinux{Enabled: &no},
			IntelRdt:        &features.IntelRdt{Enabled: &no},
			MountExtensions: &features.MountExtensions{IDMap: &features.IDMap{Enabled: &no}},
		},
	}
}
