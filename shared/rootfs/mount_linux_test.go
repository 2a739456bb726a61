package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A rootfs entry for the openIn tests: a directory, an empty file, or a
// symlink to target ("$OUT" in a target stands for a directory outside the
// rootfs).
type entry struct{ kind, path, target string }

func dirE(p string) entry      { return entry{"dir", p, ""} }
func fileE(p string) entry     { return entry{"file", p, ""} }
func link(p, t string) entry   { return entry{"link", p, t} }
func (e entry) String() string { return e.kind + " " + e.path + " " + e.target }

func TestOpenIn(t *testing.T) {
	tests := []struct {
		name       string
		rootfs     []entry
		path       string
		isFile     bool
		noSymlinks bool
		want       string // what the descriptor names, inside the rootfs ("$OUT" as above)
		wantFile   bool   // … a regular file, not a directory
		wantErr    string // or the error expected
	}{
		{name: "missing directories are made", path: "/a/b/c", want: "/a/b/c"},
		{name: "missing file is made, its parents as directories", path: "/etc/hosts", isFile: true, want: "/etc/hosts", wantFile: true},
		{name: "relative path", path: "a/b", want: "/a/b"},
		{name: "existing directory stays one for a file mount", rootfs: []entry{dirE("/d")}, path: "/d", isFile: true, want: "/d"},
		{name: "existing file stays one for a directory mount", rootfs: []entry{fileE("/f")}, path: "/f", want: "/f", wantFile: true},
		{name: "file as an intermediate directory", rootfs: []entry{fileE("/f")}, path: "/f/x", wantErr: "not a directory"},
		{name: "path climbing with ..", path: "/../../x", want: "/x"},
		{name: "path climbing with .. from inside", path: "a/../../../x/y", want: "/x/y"},

		{name: "absolute symlink to the host's /", rootfs: []entry{link("/hostile", "/")}, path: "/hostile/pwned", want: "/pwned"},
		{name: "absolute symlink to a host directory", rootfs: []entry{link("/hostile", "$OUT")}, path: "/hostile/pwned", want: "$OUT/pwned"},
		{name: "dangling absolute symlink as the file", rootfs: []entry{dirE("/etc"), link("/etc/resolv.conf", "$OUT/resolv.conf")}, path: "/etc/resolv.conf", isFile: true, want: "$OUT/resolv.conf", wantFile: true},
		{name: "dangling relative symlink climbing out", rootfs: []entry{dirE("/etc"), link("/etc/hosts", "../../../../tmp/hosts")}, path: "/etc/hosts", isFile: true, want: "/tmp/hosts", wantFile: true},
		{name: "relative symlink climbing with ..", rootfs: []entry{link("/up", "../../../../..")}, path: "/up/x", want: "/x"},
		{name: "symlinked intermediate directory", rootfs: []entry{dirE("/real"), link("/link", "real")}, path: "/link/sub/dir", want: "/real/sub/dir"},
		{name: "chain of absolute symlinks", rootfs: []entry{link("/a", "/b"), link("/b", "/c"), dirE("/c")}, path: "/a/x", want: "/c/x"},
		{name: "symlink loop", rootfs: []entry{link("/loop1", "loop2"), link("/loop2", "loop1")}, path: "/loop1/x", wantErr: "too many levels of symbolic links"},
		{name: "symlink to itself as the last element", rootfs: []entry{link("/self", "self")}, path: "/self", wantErr: "too many levels of symbolic links"},
		{name: "dangling symlinks pointing into each other", rootfs: []entry{link("/a", "/b/x"), link("/b", "/a/y")}, path: "/a", wantErr: "too many levels of symbolic links"},

		{name: "no symlinks: a plain path", path: "/dev/pts", noSymlinks: true, want: "/dev/pts"},
		{name: "no symlinks: the mount point a symlink", rootfs: []entry{dirE("/elsewhere"), link("/proc", "/elsewhere")}, path: "/proc", noSymlinks: true, wantErr: "mount point /proc is a symlink; refusing to mount over it"},
		{name: "no symlinks: a dangling symlink", rootfs: []entry{link("/sys", "$OUT/sys")}, path: "/sys", noSymlinks: true, wantErr: "mount point /sys is a symlink"},
		{name: "no symlinks: an intermediate symlink", rootfs: []entry{dirE("/real"), link("/dev", "real")}, path: "/dev/pts", noSymlinks: true, wantErr: "mount point /dev is a symlink"},
		{name: "symlinks followed otherwise", rootfs: []entry{dirE("/elsewhere"), link("/proc", "/elsewhere")}, path: "/proc", want: "/elsewhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, out := makeRootfs(t, tt.rootfs)

			fd, err := openIn(root, tt.path, tt.isFile, tt.noSymlinks)
			if tt.wantErr != "" {
				if err == nil {
					unix.Close(fd)
					t.Fatalf("openIn(%q) succeeded, want an error %q", tt.path, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("openIn(%q) = %v, want an error %q", tt.path, err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("openIn(%q): %v", tt.path, err)
				}
				defer unix.Close(fd)
				want := filepath.Join(root, strings.ReplaceAll(tt.want, "$OUT", out))
				if got, _ := os.Readlink(fdPath(fd)); got != want {
					t.Errorf("openIn(%q) names %s, want %s", tt.path, got, want)
				}
				var st unix.Stat_t
				if err := unix.Fstat(fd, &st); err != nil {
					t.Fatal(err)
				}
				if isFile := st.Mode&unix.S_IFMT == unix.S_IFREG; isFile != tt.wantFile {
					t.Errorf("openIn(%q) gave a regular file: %v, want %v (mode %o)", tt.path, isFile, tt.wantFile, st.Mode)
				}
			}
			if left, _ := os.ReadDir(out); len(left) != 0 {
				t.Errorf("openIn(%q) made %s outside the rootfs", tt.path, left[0].Name())
			}
			if left, _ := os.ReadDir(filepath.Dir(root)); len(left) != 2 {
				t.Errorf("openIn(%q) made entries next to the rootfs: %v", tt.path, left)
			}
		})
	}
}

func makeEntry(t *testing.T, root string, e entry, out string) {
	t.Helper()
	p := filepath.Join(root, e.path)
	var err error
	switch e.kind {
	case "dir":
		err = os.MkdirAll(p, 0o755)
	case "file":
		err = os.WriteFile(p, nil, 0o644)
	case "link":
		err = os.Symlink(strings.ReplaceAll(e.target, "$OUT", out), p)
	}
	if err != nil {
		t.Fatalf("%v: %v", e, err)
	}
}

// realTempDir is t.TempDir without symlinks in its name, so that it reads
// the same in /proc/self/fd.
func realTempDir(t *testing.T) string {
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMountPoint(t *testing.T) {
	for _, path := range []string{realTempDir(t), "/proc/self/fd", "/"} {
		mp, err := mountPoint(path)
		if err != nil {
			t.Fatalf("mountPoint(%s): %v", path, err)
		}
		real, _ := filepath.EvalSymlinks(path)
		if mp != "/" && !strings.HasPrefix(real+"/", mp+"/") {
			t.Errorf("mountPoint(%s) = %s, not one of its ancestors", path, mp)
		}
		id, _ := mountID(real)
		if mpID, _ := mountID(mp); mpID != id {
			t.Errorf("mountPoint(%s) = %s, on mount %d; %s is on mount %d", path, mp, mpID, path, id)
		}
		if up, _ := mountID(filepath.Dir(mp)); mp != "/" && up == id {
			t.Errorf("mountPoint(%s) = %s, but its parent is on the same mount", path, mp)
		}
	}
	if mp, err := mountPoint("/proc/self/fd"); err != nil || mp != "/proc" {
		t.Errorf("mountPoint(/proc/self/fd) = %q, %v; want /proc", mp, err)
	}
}

func TestDefaultMounts(t *testing.T) {
	ms := DefaultMounts()
	seen := map[string]bool{}
	for i, m := range ms {
		if !filepath.IsAbs(m.Destination) || filepath.Clean(m.Destination) != m.Destination {
			t.Errorf("%s: not a clean absolute path", m.Destination)
		}
		// A mount made after one it lies in would be hidden by it.
		for _, o := range ms[i+1:] {
			if strings.HasPrefix(m.Destination, o.Destination+"/") {
				t.Errorf("%s comes before %s, which it lies in", m.Destination, o.Destination)
			}
		}
		if m.Flags&unix.MS_NOSUID == 0 {
			t.Errorf("%s: not nosuid", m.Destination)
		}
		if !m.NoSymlinks {
			t.Errorf("%s: follows symlinks", m.Destination)
		}
		if m.Destination == "/sys" && m.Flags&unix.MS_RDONLY == 0 {
			t.Errorf("/sys: not read-only")
		}
		seen[m.Destination] = true
	}
	for _, d := range []string{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys"} {
		if !seen[d] {
			t.Errorf("no mount on %s", d)
		}
	}
}

// makeRootfs makes a rootfs of entries beside a directory outside it (where
// the entries' links may point), both in a real (not tmpfs-only) temp dir.
func makeRootfs(t *testing.T, entries []entry) (root, out string) {
	t.Helper()
	base := realTempDir(t)
	root, out = filepath.Join(base, "rootfs"), filepath.Join(base, "outside")
	for _, d := range []string{root, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range entries {
		makeEntry(t, root, e, out)
	}
	return root, out
}
