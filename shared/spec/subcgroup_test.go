package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"goc.dev/shared/cgroups"
)

func TestSubCgroups(t *testing.T) {
	v1 := map[string]string{"memory": "/m/c1", "cpu,cpuacct": "/c/c1", "pids": "/p/c1"}
	for _, tc := range []struct {
		args []string
		want map[string]string // nil: an error
		err  string
	}{
		{[]string{"sub"}, map[string]string{"memory": "/m/c1/sub", "cpu,cpuacct": "/c/c1/sub", "pids": "/p/c1/sub"}, ""},
		{[]string{"memory:sub"}, map[string]string{"memory": "/m/c1/sub", "cpu,cpuacct": "/c/c1", "pids": "/p/c1"}, ""},
		{[]string{"memory,cpuacct:a/b", "pids:/x"}, map[string]string{"memory": "/m/c1/a/b", "cpu,cpuacct": "/c/c1/a/b", "pids": "/p/c1/x"}, ""},
		{[]string{"pids:../x"}, nil, "../x is not a sub cgroup path"},
		{[]string{"../c1x"}, nil, "../c1x is not a sub cgroup path"},
		{[]string{"bogus:sub"}, nil, "unknown controller bogus"},
		{[]string{"sub", "memory:sub"}, nil, "missing <controller>: prefix"},
		{[]string{"memory:a:b"}, nil, "invalid --cgroup argument"},
	} {
		got, err := SubCgroups(v1, tc.args)
		if tc.want == nil {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: %v, want an error with %q", tc.args, err, tc.err)
			}
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" || err != nil {
			t.Errorf("%q: %v (-want +got):\n%s", tc.args, err, d)
		}
	}
	if _, err := SubCgroups(map[string]string{"": "/u/c1"}, []string{"memory:sub"}); err == nil {
		t.Error("v2: memory:sub accepted; cgroup v2 has one hierarchy, no controller prefix")
	}
}

// dirsOnly is a cgroups.Manager that only has directories.
type dirsOnly struct {
	cgroups.Manager
	dirs map[string]string
}

func (d dirsOnly) Dirs() map[string]string { return d.dirs }

func TestExecCgroupJoins(t *testing.T) {
	v1, v2 := t.TempDir(), t.TempDir()
	for _, f := range []string{filepath.Join(v1, "sub", "tasks"), filepath.Join(v2, "sub", "cgroup.procs")} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for dirs, want := range map[string]string{"memory": filepath.Join(v1, "sub", "tasks"), "": filepath.Join(v2, "sub", "cgroup.procs")} {
		base := v1
		if dirs == "" {
			base = v2
		}
		files, err := ExecCgroupJoins(dirsOnly{dirs: map[string]string{dirs: base}}, []string{"sub"})
		if err != nil || len(files) != 1 || files[0].Name() != want {
			t.Errorf("%q: %v %v, want %s", dirs, files, err, want)
		}
		for _, f := range files {
			f.Close()
		}
	}
	if _, err := ExecCgroupJoins(dirsOnly{dirs: map[string]string{"memory": v1}}, []string{"nothere"}); err == nil {
		t.Error("a sub-cgroup that does not exist: no error")
	}
}
