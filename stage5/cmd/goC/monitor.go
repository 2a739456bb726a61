package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/network"
	"goc.dev/shared/state"
	"goc.dev/stage4/cli"
	"goc.dev/stage4/container"
	"goc.dev/stage5/shim"
)

// A running container's shim is small (issue 16): goC, with everything
// that sets a container up, is several MB of memory in each of a hundred
// shims, while what a shim does for most of its life — copy the output
// into the log, wait for the container, forward signals — needs little.
// So, once the container runs, goC shim execs goC-shim (stage5/cmd/goC-shim,
// installed beside goC) in its place: the same PID, goCd's record of it
// and its reattach unchanged, and the container, whose parent it is,
// still its child. goC-shim execs "goC shim --dir DIR --finish STATUS"
// once the container has ended, for the clean-up only goC can do.
//
//	goC shim --dir DIR -- run …   set up, start       (goC)
//	  └ exec goC-shim shim --dir DIR --monitor PID FD  (goC-shim)
//	      └ exec goC shim --dir DIR --finish STATUS    (goC)
//
// An attachable container (-i, -t) keeps the whole shim: its relay is
// goC's (attach.go).

// monitorBinary is goC-shim's path: beside this goC.
func monitorBinary() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("shim: %w", err)
	}
	mon := filepath.Join(filepath.Dir(self), shim.MonitorBinary)
	if err := unix.Access(mon, unix.X_OK); err != nil {
		return "", fmt.Errorf("shim: %s: %w (goC-shim is installed beside goC: make stage5)", mon, err)
	}
	return mon, nil
}

// handOff execs the monitor, mon, for the container o that runs now, with
// the read end of its output's pipe. It returns only if that fails: this
// shim then carries on as before.
func (out *output) handOff(dir shim.Dir, mon string, o *container.Options, ip string) {
	_, st, err := state.LoadState(o.Root, o.ID)
	if err != nil {
		warn(err)
		return
	}
	nw, err := json.Marshal(o.Network)
	if err != nil {
		warn(err)
		return
	}
	h := shim.Handoff{Root: o.Root, ID: o.ID, IP: ip, Memory: o.Runtime.Resources.Memory, Network: nw}
	if err := dir.WriteHandoff(h); err != nil {
		warn(err)
		return
	}
	r := out.copy.Stop()
	if r == nil {
		return
	}
	keepCgroupLock(o.ID)
	fd := r.Fd()
	_, err = unix.FcntlInt(fd, unix.F_SETFD, 0) // to the monitor
	if err == nil {
		argv := []string{shim.MonitorBinary, shim.VerbName, "--dir", string(dir), shim.MonitorFlag,
			strconv.Itoa(st.Pid), strconv.Itoa(int(fd))}
		err = unix.Exec(mon, argv, os.Environ())
	}
	warn(fmt.Errorf("shim: exec %s: %w", mon, err))
	_, _ = unix.FcntlInt(fd, unix.F_SETFD, unix.FD_CLOEXEC)
	out.copy = out.copy.Resume()
}

// runFinish is the shim's last life, "goC shim --dir DIR --finish STATUS":
// the container has ended with STATUS; what goC run would have done once
// its container ended is done here (the network, the cgroup, the state),
// and the result recorded.
func runFinish(dir shim.Dir, arg string) int {
	status, err := strconv.Atoi(arg)
	if err != nil {
		return cli.Fail(fmt.Errorf("shim: %s %q: %w", shim.FinishFlag, arg, err))
	}
	signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE)
	var oomKills int64
	if h, err := dir.ReadHandoff(); err != nil {
		warn(err)
	} else {
		oomKills = finish(h, status)
	}
	warn(dir.WriteResult(shim.Result{Status: status, OOMKills: oomKills}))
	return status
}

// finish removes what goC run set up for the container h (container.Run's
// clean-up when it runs in the foreground) and tells whether the OOM
// killer struck, as goC run does, on stderr: the log.
func finish(h shim.Handoff, status int) (oomKills int64) {
	if _, st, err := state.LoadState(h.Root, h.ID); err == nil {
		if cg, err := st.Cgroup(); err == nil {
			if s, err := cg.Stats(); err == nil {
				oomKills = s.OOMKills
			}
		}
	}
	if oomKills > 0 {
		fmt.Fprintln(os.Stderr, "goC:", oomMessage(status, oomKills, h.Memory))
	}
	warn(container.Delete(h.Root, h.ID, true))
	var cfg network.Config
	if err := json.Unmarshal(h.Network, &cfg); err != nil {
		warn(fmt.Errorf("shim: network: %w", err))
		return oomKills
	}
	ip, _ := netip.ParseAddr(h.IP) // none outside bridge mode
	warn(network.Reattach(cfg, h.ID, ip).Release())
	return oomKills
}

// oomMessage is goC run's (stage4/cli).
func oomMessage(status int, kills, limit int64) string {
	l := "its memory limit"
	if limit > 0 {
		l += " of " + cgroups.FormatBytes(limit)
	}
	if status == 128+int(unix.SIGKILL) {
		return "container killed by the OOM killer: it reached " + l
	}
	return fmt.Sprintf("the OOM killer killed %d process(es) in the container: it reached %s", kills, l)
}

// keepCgroupLock hands the lock that marks the container's cgroup as live
// (shared/cgroups: an open directory of it, flock'ed) on to goC-shim and,
// through it, to goC shim --finish: an exec closes a close-on-exec
// descriptor, and with it the lock; any goC's Reclaim could then remove
// the cgroup, OOM count and all, once the container has ended. It is the
// descriptor of a directory in cgroupfs named for the container.
func keepCgroupLock(cid string) {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		warn(err)
		return
	}
	for _, e := range ents {
		p, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil || !strings.HasPrefix(p, "/sys/fs/cgroup/") || filepath.Base(p) != cid {
			continue
		}
		if fd, err := strconv.Atoi(e.Name()); err == nil {
			_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0)
			warn(err)
		}
	}
}
