package e2e

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"goc.dev/shared/network"
)

// What a docs block may leave behind, looked for on the host by name: a
// block's objects are goC's (or the block's own temp dirs), so only those
// are listed — other tests may run on the machine meanwhile.

// hostObjects is a set of descriptions: "mount /tmp/tmp.x/rootfs",
// "cgroup /sys/fs/cgroup/pids/goC/<id>", "network link goC1a2b", "netns x",
// "state /run/goC/<id>".
type hostObjects map[string]bool

// stateRoots are goC's state directories (stage 4's --root, goCd's data
// root); the roots themselves, and the default network's directories, stay
// once made, as /var/lib/docker does.
var stateRoots = []string{"/run/goC", "/var/lib/goC"}

var keptState = map[string]bool{
	"/run/goC": true, "/var/lib/goC": true, "/run/goC/network": true, "/run/goC/network/containers": true,
	filepath.Join(network.DefaultStateDir, network.DefaultBridge+".json"):      true,
	filepath.Join(network.DefaultStateDir, network.DefaultBridge+".json.lock"): true,
}

// snapshotHost lists the objects of the kinds a block could leave.
func snapshotHost(checkout string) hostObjects {
	objs := hostObjects{}
	cgroupRoots := readMounts(objs, checkout)
	for _, root := range cgroupRoots {
		walkDirs(root, 3, func(p string) {
			// goC's default parent, goC/, stays once made, as Docker's docker/ does.
			if rel := strings.TrimPrefix(p, root); rel != "/goC" && goCName(rel) {
				objs["cgroup "+p] = true
			}
		})
	}
	if ifs, err := net.Interfaces(); err == nil {
		for _, i := range ifs {
			if i.Name != network.DefaultBridge && (strings.HasPrefix(strings.ToLower(i.Name), "goc") || strings.HasPrefix(i.Name, "veth")) {
				objs["network link "+i.Name] = true
			}
		}
	}
	if ents, err := os.ReadDir("/run/netns"); err == nil {
		for _, e := range ents {
			objs["netns "+e.Name()] = true
		}
	}
	for _, root := range stateRoots {
		walkDirs(root, 3, func(p string) {
			if !keptState[p] {
				objs["state "+p] = true
			}
		})
		walkFiles(root, objs)
	}
	return objs
}

// readMounts adds the host's mounts a block could have made (under the
// checkout, /tmp, /run/goC, /var/lib/goC, /run/netns, or named like goC)
// and returns the cgroup hierarchies' mount points.
func readMounts(objs hostObjects, checkout string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var cgroups []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 10 {
			continue
		}
		mp := unescapeMount(fields[4])
		for i, fld := range fields {
			if fld == "-" && i+1 < len(fields) && strings.HasPrefix(fields[i+1], "cgroup") {
				cgroups = append(cgroups, mp)
			}
		}
		if blockMount(mp, checkout) {
			objs["mount "+mp] = true
		}
	}
	return cgroups
}

func blockMount(mp, checkout string) bool {
	if strings.HasPrefix(mp, "/tmp/go-test-script") || strings.HasPrefix(mp, "/tmp/go-build") { // other tests'
		return false
	}
	for _, dir := range []string{checkout, "/tmp", "/run/goC", "/var/lib/goC", "/run/netns"} {
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			return true
		}
	}
	return goCName(mp)
}

var octalEscape = regexp.MustCompile(`\\[0-7]{3}`)

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	return octalEscape.ReplaceAllStringFunc(s, func(e string) string {
		return string(rune((e[1]-'0')*64 + (e[2]-'0')*8 + (e[3] - '0')))
	})
}

var containerID = regexp.MustCompile(`^[0-9a-f]{12,64}$`)

// goCName: a path with a component named like goC's (goC, goc-…) or like a
// container ID.
func goCName(p string) bool {
	for _, c := range strings.Split(p, "/") {
		if strings.Contains(strings.ToLower(c), "goc") || containerID.MatchString(c) {
			return true
		}
	}
	return false
}

// walkDirs calls fn for each directory below root, depth levels deep at most.
func walkDirs(root string, depth int, fn func(string)) {
	if depth == 0 {
		return
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.IsDir() {
			p := filepath.Join(root, e.Name())
			fn(p)
			walkDirs(p, depth-1, fn)
		}
	}
}

// walkFiles adds the files directly in root and in its directories (a
// socket, a pid file, a container's network record).
func walkFiles(root string, objs hostObjects) {
	dirs := []string{root}
	walkDirs(root, 2, func(p string) { dirs = append(dirs, p) })
	for _, d := range dirs {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if p := filepath.Join(d, e.Name()); !e.IsDir() && !keptState[p] {
				objs["state "+p] = true
			}
		}
	}
}

// leftBehind returns what is on the host now and was not before, once it
// has stayed for a while: what another test makes meanwhile goes away by
// itself, what a block leaves does not.
func leftBehind(before hostObjects, checkout string) []string {
	left := newSince(before, snapshotHost(checkout))
	for deadline := time.Now().Add(5 * time.Second); len(left) > 0 && time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		now := snapshotHost(checkout)
		for o := range left {
			if !now[o] {
				delete(left, o)
			}
		}
	}
	var out []string
	for o := range left {
		out = append(out, o)
	}
	sort.Strings(out)
	return out
}

func newSince(before, after hostObjects) hostObjects {
	n := hostObjects{}
	for o := range after {
		if !before[o] {
			n[o] = true
		}
	}
	return n
}
