// Package creds gives the container's process its identity and privileges
// just before exec: resource limits, user and groups, capabilities and
// no_new_privs. It acts on the calling thread — the one that execs — so
// the caller must have locked it.
package creds

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Rlimit is one resource limit.
type Rlimit struct {
	Resource   int
	Soft, Hard uint64
}

// SetRlimits applies the limits.
func SetRlimits(limits []Rlimit) error {
	for _, l := range limits {
		if err := unix.Setrlimit(l.Resource, &unix.Rlimit{Cur: l.Soft, Max: l.Hard}); err != nil {
			return fmt.Errorf("setrlimit %d to %d/%d: %w", l.Resource, l.Soft, l.Hard, err)
		}
	}
	return nil
}

// Caps are capability sets by number; nil Caps keeps all of them.
type Caps struct {
	Bounding, Effective, Permitted, Inheritable, Ambient []int
}

// User is who the process runs as.
type User struct {
	UID, GID       uint32
	AdditionalGids []uint32
}

// setid sets the calling thread's group or user ID (trap SYS_SETGID or
// SYS_SETUID), as setgroups and capset set only its own. Go's
// syscall.Setuid and Setgid change every thread of the process: they stop
// the world and signal each thread in turn, a millisecond or more in a
// busy init. Only the thread that execs matters here: exec ends the others
// and the workload gets that thread's credentials.
func setid(trap uintptr, id uint32) error {
	if _, _, errno := unix.RawSyscall(trap, uintptr(id), 0, 0); errno != 0 {
		return errno
	}
	return nil
}

// Apply drops the bounding set, switches to u (keeping the capabilities
// across the switch), sets the effective, permitted and inheritable sets
// and raises the ambient ones, and finally sets no_new_privs if asked.
func Apply(u User, caps *Caps, noNewPrivs bool) error {
	if caps != nil {
		last := lastCap()
		keep := set(caps.Bounding)
		for c := 0; c <= last; c++ {
			if !keep[c] {
				if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil {
					return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
				}
			}
		}
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("keep capabilities: %w", err)
	}
	groups := make([]int, len(u.AdditionalGids))
	for i, g := range u.AdditionalGids {
		groups[i] = int(g)
	}
	if err := unix.Setgroups(groups); err != nil {
		return fmt.Errorf("setgroups %v: %w", groups, err)
	}
	if err := setid(unix.SYS_SETGID, u.GID); err != nil {
		return fmt.Errorf("setgid %d: %w", u.GID, err)
	}
	if err := setid(unix.SYS_SETUID, u.UID); err != nil {
		return fmt.Errorf("setuid %d: %w", u.UID, err)
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("keep capabilities: %w", err)
	}
	if caps != nil {
		if err := capset(caps); err != nil {
			return err
		}
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
			return fmt.Errorf("clear ambient capabilities: %w", err)
		}
		// The kernel raises an ambient capability only if it is also
		// permitted and inheritable. runc's own default config.json lists
		// ambient capabilities without inheritable ones, and runc then
		// leaves them out (with a warning); goC does the same, so that the
		// same bundle gives the same process.
		perm, inh := set(caps.Permitted), set(caps.Inheritable)
		for _, c := range caps.Ambient {
			if !perm[c] || !inh[c] {
				continue
			}
			if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(c), 0, 0); err != nil {
				return fmt.Errorf("raise ambient capability %d: %w", c, err)
			}
		}
	}
	if noNewPrivs {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("no_new_privs: %w", err)
		}
	}
	return nil
}

func capset(caps *Caps) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	for _, s := range []struct {
		caps []int
		word func(d *unix.CapUserData) *uint32
	}{
		{caps.Effective, func(d *unix.CapUserData) *uint32 { return &d.Effective }},
		{caps.Permitted, func(d *unix.CapUserData) *uint32 { return &d.Permitted }},
		{caps.Inheritable, func(d *unix.CapUserData) *uint32 { return &d.Inheritable }},
	} {
		for _, c := range s.caps {
			*s.word(&data[c/32]) |= 1 << (uint(c) % 32)
		}
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	return nil
}

func set(cs []int) map[int]bool {
	m := make(map[int]bool, len(cs))
	for _, c := range cs {
		m[c] = true
	}
	return m
}

// lastCap is the kernel's highest capability number.
func lastCap() int {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return 40
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 40
	}
	return n
}
