package mounts

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"goc.dev/shared/spec"
)

// Docker's examples (docker run --help, the bind-mount and volume docs)
// and its errors, for -v.
func TestParseVolume(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Mount
		err  string
	}{
		{in: "/var/log:/data", want: Mount{Type: TypeBind, Source: "/var/log", Target: "/data", CreateSource: true}},
		{in: "/tmp/x/:/app:ro", want: Mount{Type: TypeBind, Source: "/tmp/x", Target: "/app", ReadOnly: true, CreateSource: true}},
		{in: "/src:/app:rw,rslave", want: Mount{Type: TypeBind, Source: "/src", Target: "/app", CreateSource: true, Propagation: "rslave"}},
		{in: "/src:/app:ro,Z", want: Mount{Type: TypeBind, Source: "/src", Target: "/app", ReadOnly: true, CreateSource: true}},
		{in: "myvol2:/app", want: Mount{Type: TypeVolume, Source: "myvol2", Target: "/app"}},
		{in: "my-vol_1.x:/app:ro,nocopy", want: Mount{Type: TypeVolume, Source: "my-vol_1.x", Target: "/app", ReadOnly: true}},
		{in: "/app", want: Mount{Type: TypeVolume, Target: "/app"}},
		{in: "", err: "invalid empty volume spec"},
		{in: "./data:/app", err: `create ./data: "./data" includes invalid characters for a local volume name`},
		{in: "data/x:/app", err: `includes invalid characters`},
		{in: "x:/app", err: `"x" includes invalid characters`},
		{in: "/src:app", err: `invalid volume specification: '/src:app': invalid mount config for type "bind": invalid mount path: 'app' mount path must be absolute`},
		{in: "app", err: `invalid mount path: 'app' mount path must be absolute`},
		{in: "/src:/", err: `destination can't be '/'`},
		{in: "/src:/app:rx", err: `invalid volume specification: '/src:/app:rx': invalid mode: rx`},
		{in: "vol:/app:rshared", err: `invalid mode: rshared`},
		{in: "/src:/app:nocopy", err: `invalid mode: nocopy`},
		{in: "/a:/b:ro:x", err: `invalid volume specification: '/a:/b:ro:x'`},
		{in: "/src:/app/../data/", want: Mount{Type: TypeBind, Source: "/src", Target: "/data", CreateSource: true}},
		{in: "/\r", err: `line break in a path`}, // FuzzParseVolume: --mount would read it back as /
		{in: "/src:/a\r\nb", err: `line break in a path`},
	} {
		got, err := ParseVolume(tc.in)
		check(t, "-v "+tc.in, got, err, tc.want, tc.err)
	}
}

// Docker's --mount examples and errors (docker/cli opts/mount.go, the
// daemon's validation).
func TestParseMount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Mount
		err  string
	}{
		{in: "type=bind,source=/src,target=/app", want: Mount{Type: TypeBind, Source: "/src", Target: "/app"}},
		{in: "type=bind,src=/src,dst=/app,readonly", want: Mount{Type: TypeBind, Source: "/src", Target: "/app", ReadOnly: true}},
		{in: "type=bind,source=/src,destination=/app,ro=true,bind-propagation=rslave", want: Mount{Type: TypeBind, Source: "/src", Target: "/app", ReadOnly: true, Propagation: "rslave"}},
		{in: "TYPE=Bind,source=/src,target=/app,readonly=0", want: Mount{Type: TypeBind, Source: "/src", Target: "/app"}},
		{in: `type=bind,"source=/a,b",target=/app`, want: Mount{Type: TypeBind, Source: "/a,b", Target: "/app"}},
		{in: "source=myvol2,target=/app", want: Mount{Type: TypeVolume, Source: "myvol2", Target: "/app"}},
		{in: "type=volume,target=/app,volume-nocopy", want: Mount{Type: TypeVolume, Target: "/app"}},
		{in: "type=tmpfs,destination=/app,tmpfs-size=64m,tmpfs-mode=1770", want: Mount{Type: TypeTmpfs, Target: "/app", Options: []string{"size=67108864", "mode=1770"}}},
		{in: "type=bind,target=/app", err: `invalid mount config for type "bind": field Source must not be empty`},
		{in: "type=bind,source=src,target=/app", err: `invalid mount path: 'src' mount path must be absolute`},
		{in: "type=bind,source=/src", err: `field Target must not be empty`},
		{in: "type=bind,source=/src,target=app", err: `invalid mount path: 'app' mount path must be absolute`},
		{in: "type=foo,target=/app", err: `invalid mount config for type "foo": mount type unknown`},
		{in: "type=bind,source=/src,target=/app,color=red", err: `unexpected key 'color' in 'color=red'`},
		{in: "type=bind,source=/src,target", err: `invalid field 'target' must be a key=value pair`},
		{in: "type=bind,source=/src,target=/app,readonly=maybe", err: `invalid value for readonly: maybe`},
		{in: "type=bind,source=/src,target=/app,bind-propagation=wide", err: `invalid value for bind-propagation: wide`},
		{in: "type=tmpfs,source=/src,target=/app", err: `field Source must not be specified`},
		{in: "type=bind,source=/src,target=/app,tmpfs-size=1m", err: `field TmpfsOptions must not be specified`},
		{in: "type=tmpfs,target=/app,tmpfs-mode=999", err: `invalid value for tmpfs-mode: 999`},
		{in: "type=tmpfs,target=/app,tmpfs-size=lots", err: `invalid value for tmpfs-size: lots`},
		{in: "type=volume,source=./x,target=/app", err: `includes invalid characters`},
		{in: `type=bind,"source=/src`, err: `invalid argument`},
		{in: "type=tmpfs,target=/run/../x", want: Mount{Type: TypeTmpfs, Target: "/x"}},
	} {
		got, err := ParseMount(tc.in)
		check(t, "--mount "+tc.in, got, err, tc.want, tc.err)
	}
}

func TestParseTmpfs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Mount
		err  string
	}{
		{in: "/run", want: Mount{Type: TypeTmpfs, Target: "/run"}},
		{in: "/run:rw,noexec,nosuid,size=65536k", want: Mount{Type: TypeTmpfs, Target: "/run", Options: []string{"rw", "noexec", "nosuid", "size=65536k"}}},
		{in: "/app:exec,mode=1770,uid=1000", want: Mount{Type: TypeTmpfs, Target: "/app", Options: []string{"exec", "mode=1770", "uid=1000"}}},
		{in: "run", err: `invalid mount path: 'run' mount path must be absolute`},
		{in: "/run:colour=red", err: `invalid tmpfs option "colour=red"`},
		{in: "/run:rbind", err: `invalid tmpfs option "rbind"`},
		{in: "/run:size", err: `invalid tmpfs option "size"`},
		{in: "/../0", want: Mount{Type: TypeTmpfs, Target: "/0"}}, // FuzzParseTmpfs: kept as /../0
	} {
		got, err := ParseTmpfs(tc.in)
		check(t, "--tmpfs "+tc.in, got, err, tc.want, tc.err)
	}
}

func check(t *testing.T, what string, got Mount, err error, want Mount, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: error %v, want one with %q", what, err, wantErr)
		}
		return
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %+v, %v; want %+v", what, got, err, want)
	}
}

// What goCd hands goC run reads back as the same mount.
func TestArgsRoundTrip(t *testing.T) {
	for _, m := range []Mount{
		{Type: TypeBind, Source: "/a,b", Target: "/app", ReadOnly: true, Propagation: "rslave"},
		{Type: TypeBind, Source: "/src", Target: "/app"},
		{Type: TypeTmpfs, Target: "/run"},
		{Type: TypeTmpfs, Target: "/run", Options: []string{"exec", "size=1024"}},
		{Type: TypeTmpfs, Target: "/data:exec", Options: []string{"size=1024", "mode=1770"}, ReadOnly: true}, // not /data with exec
	} {
		args := m.Args()
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		var o Options
		o.Register(fs)
		if err := fs.Parse(args); err != nil || len(o.Mounts) != 1 || !reflect.DeepEqual(o.Mounts[0], m) {
			t.Errorf("%v read back as %+v, %v; want %+v", args, o.Mounts, err, m)
		}
	}
	ro := Mount{Type: TypeTmpfs, Target: "/run", ReadOnly: true}
	if got := ro.String(); got != "--tmpfs /run:ro" {
		t.Errorf("read-only tmpfs: %q", got)
	}
}

// The mounts goC makes: rbind (ro), tmpfs with Docker's defaults, parents
// first; -v makes a missing host path, --mount refuses it.
func TestOCI(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "made", "by", "v")
	got, err := OCI([]Mount{
		{Type: TypeTmpfs, Target: "/app/cache/", Options: []string{"exec", "size=1m"}},
		{Type: TypeBind, Source: dir, Target: "/app", ReadOnly: true},
		{Type: TypeBind, Source: missing, Target: "/data", CreateSource: true, Propagation: "rshared"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []specs.Mount{
		{Type: "bind", Source: dir, Destination: "/app", Options: []string{"rbind", "ro"}},
		{Type: "bind", Source: missing, Destination: "/data", Options: []string{"rbind", "rw", "rshared"}},
		{Type: "tmpfs", Source: "tmpfs", Destination: "/app/cache", Options: []string{"nosuid", "nodev", "noexec", "exec", "size=1m"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("OCI = %+v\nwant %+v", got, want)
	}
	if fi, err := os.Stat(missing); err != nil || !fi.IsDir() {
		t.Errorf("-v's missing source not made: %v", err)
	}
	for _, tc := range []struct {
		m   []Mount
		err string
	}{
		{[]Mount{{Type: TypeBind, Source: filepath.Join(dir, "nope"), Target: "/app"}}, "bind source path does not exist: " + filepath.Join(dir, "nope")},
		{[]Mount{{Type: TypeVolume, Source: "vol", Target: "/app"}}, "volumes, named or anonymous, are goCd's"},
		{[]Mount{{Type: TypeTmpfs, Target: "/app"}, {Type: TypeBind, Source: dir, Target: "/app/"}}, "duplicate mount point: /app"},
	} {
		if _, err := OCI(tc.m); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("OCI(%+v): %v, want %q", tc.m, err, tc.err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); err == nil {
		t.Error("--mount's missing source was made")
	}
}

// Apply: the plan's mounts are the runtime's, flags and all.
func TestApply(t *testing.T) {
	dir := t.TempDir()
	o := Options{Mounts: []Mount{{Type: TypeBind, Source: dir, Target: "/app", ReadOnly: true}, {Type: TypeTmpfs, Target: "/run", Options: []string{"size=1m"}}}}
	p := spec.Plan{Mounts: []spec.Mount{{Destination: "/proc", Type: "proc"}}}
	if err := o.Apply(&p); err != nil {
		t.Fatal(err)
	}
	if len(p.Mounts) != 3 {
		t.Fatalf("mounts: %+v", p.Mounts)
	}
	b, tm := p.Mounts[1], p.Mounts[2]
	if b.Source != dir || b.Destination != "/app" || b.Flags != unix.MS_BIND|unix.MS_REC|unix.MS_RDONLY {
		t.Errorf("bind: %+v", b)
	}
	if tm.Type != "tmpfs" || tm.Flags != unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC || tm.Data != "size=1m" {
		t.Errorf("tmpfs: %+v", tm)
	}
}
