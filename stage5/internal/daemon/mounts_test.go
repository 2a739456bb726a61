package daemon

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"

	"goc.dev/stage5/api"
)

// mountArgs hands goC run Docker's mount flags, checked and canonical: a
// missing -v host path is made, a --mount bind's is a 400.
func TestMountArgs(t *testing.T) {
	dir := t.TempDir()
	d := &Daemon{DataRoot: filepath.Join(dir, "data")}
	made := filepath.Join(dir, "made")
	got, err := d.mountArgs(api.MountFlags{
		Volumes: []string{dir + ":/src:ro", made + ":/made"},
		Mounts:  []string{"type=bind,src=" + dir + ",dst=/m,bind-propagation=rslave", "type=tmpfs,dst=/t,tmpfs-size=1k"},
		Tmpfs:   []string{"/run:exec,size=1m"},
	}, "c1")
	want := []string{
		"--mount", "type=bind,target=/src,source=" + dir + ",readonly",
		"--mount", "type=bind,target=/made,source=" + made,
		"--mount", "type=bind,target=/m,source=" + dir + ",bind-propagation=rslave",
		"--tmpfs", "/t:size=1024",
		"--tmpfs", "/run:exec,size=1m",
	}
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mountArgs (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(made); err != nil {
		t.Errorf("-v's host path not made: %v", err)
	}
	for _, tc := range []struct {
		f   api.MountFlags
		bad string
	}{
		{api.MountFlags{Volumes: []string{"./rel:/x"}}, `"./rel" includes invalid characters for a local volume name`},
		{api.MountFlags{Mounts: []string{"type=bind,src=" + dir + "/nope,dst=/x"}}, "bind source path does not exist: " + dir + "/nope"},
		{api.MountFlags{Mounts: []string{"type=floppy,dst=/x"}}, `invalid mount config for type "floppy": mount type unknown`},
		{api.MountFlags{Mounts: []string{"type=bind,src=/,dst=/x,colour=red"}}, `unexpected key 'colour' in 'colour=red'`},
		{api.MountFlags{Tmpfs: []string{"/x"}, Volumes: []string{dir + ":/x"}}, "duplicate mount point: /x"},
		{api.MountFlags{Tmpfs: []string{"x"}}, "mount path must be absolute"},
	} {
		_, err := d.mountArgs(tc.f, "c1")
		var he *echo.HTTPError
		if !errors.As(err, &he) || he.Code != http.StatusBadRequest || !strings.Contains(he.Message.(string), tc.bad) {
			t.Errorf("mountArgs(%+v) = %v, want a 400 with %q", tc.f, err, tc.bad)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); err == nil {
		t.Error("--mount's missing host path was made")
	}
}
