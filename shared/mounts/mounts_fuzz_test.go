package mounts

import (
	"flag"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"goc.dev/shared/spec"
)

// checkAccepted holds for every mount a flag parser accepts: an absolute
// target other than /, which stays inside a rootfs joined to it, options
// from the known set, and flags (Args, as goCd hands them to goC run) that
// read back as the same mount (but for CreateSource).
func checkAccepted(t *testing.T, what string, m Mount) {
	t.Helper()
	rootfs := "/rootfs"
	rel, err := filepath.Rel(rootfs, filepath.Join(rootfs, m.Target))
	switch {
	case !path.IsAbs(m.Target) || path.Clean(m.Target) == "/":
		t.Fatalf("%s: target %q", what, m.Target)
	case err != nil || rel == ".." || strings.HasPrefix(rel, "../"):
		t.Fatalf("%s: target %q leaves the rootfs (%q)", what, m.Target, rel)
	case m.Propagation != "" && !propagations[m.Propagation]:
		t.Fatalf("%s: propagation %q", what, m.Propagation)
	}
	for _, o := range m.Options {
		k, _, isData := strings.Cut(o, "=")
		if known := spec.IsMountOption(o) || (tmpfsData[k] && isData); !known {
			t.Fatalf("%s: option %q", what, o)
		}
	}
	want := m
	want.CreateSource = false // not carried: Args says a bind with --mount, whose source must exist
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var o Options
	o.Register(fs)
	if err := fs.Parse(m.Args()); err != nil || len(o.Mounts) != 1 || !reflect.DeepEqual(o.Mounts[0], want) {
		t.Fatalf("%s = %+v; its Args %q read back as %+v, %v", what, m, m.Args(), o.Mounts, err)
	}
}

// FuzzParseVolume fuzzes -v.
func FuzzParseVolume(f *testing.F) {
	for _, s := range []string{"/var/log:/data", "/tmp/x/:/app:ro", "/src:/app:rw,rslave", "/src:/app:ro,Z", "myvol2:/app",
		"my-vol_1.x:/app:ro,nocopy", "/app", "", "./data:/app", "x:/app", "/src:app", "/src:/", "/src:/app:rx", "/a:/b:ro:x", "/a:/b/../.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := ParseVolume(s); err == nil {
			checkAccepted(t, "-v "+s, m)
		}
	})
}

// FuzzParseMount fuzzes --mount.
func FuzzParseMount(f *testing.F) {
	for _, s := range []string{"type=bind,source=/src,target=/app", "type=bind,src=/src,dst=/app,readonly",
		"type=bind,source=/src,destination=/app,ro=true,bind-propagation=rslave", "TYPE=Bind,source=/src,target=/app,readonly=0",
		`type=bind,"source=/a,b",target=/app`, "source=myvol2,target=/app", "type=volume,target=/app,volume-nocopy",
		"type=tmpfs,destination=/app,tmpfs-size=64m,tmpfs-mode=1770", "type=bind,source=/src,target",
		"type=tmpfs,target=/app,tmpfs-mode=999", `type=bind,"source=/src`, "type=tmpfs,target=/a:b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := ParseMount(s); err == nil {
			checkAccepted(t, "--mount "+s, m)
		}
	})
}

// FuzzParseTmpfs fuzzes --tmpfs.
func FuzzParseTmpfs(f *testing.F) {
	for _, s := range []string{"/run", "/run:rw,noexec,nosuid,size=65536k", "/app:exec,mode=1770,uid=1000", "run",
		"/run:colour=red", "/run:rbind", "/run:size", "/run:ro", "/run:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := ParseTmpfs(s); err == nil {
			checkAccepted(t, "--tmpfs "+s, m)
		}
	})
}
