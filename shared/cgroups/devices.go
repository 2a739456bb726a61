package cgroups

import (
	"fmt"
	"strings"
)

// DeviceRule is one rule of the device cgroup: which device nodes the
// container's processes may create (m), read (r) and write (w). Rules are
// applied in order; the last that matches a device decides, and a device
// no rule matches is denied.
type DeviceRule struct {
	Allow  bool
	Type   byte   // 'a' (any), 'c' or 'b'
	Major  int64  // -1: any
	Minor  int64  // -1: any
	Access string // some of "rwm"; "" means all
}

// access returns the rule's access as BPF_DEVCG_ACC_* bits.
func (r DeviceRule) access() uint32 {
	a := r.Access
	if a == "" {
		a = "rwm"
	}
	var bits uint32
	for _, c := range a {
		switch c {
		case 'm':
			bits |= 1
		case 'r':
			bits |= 2
		case 'w':
			bits |= 4
		}
	}
	return bits
}

// Validate checks a rule as config.json gives it.
func (r DeviceRule) Validate() error {
	switch {
	case r.Type != 'a' && r.Type != 'c' && r.Type != 'b':
		return fmt.Errorf("type %q is not a, c or b", r.Type)
	case strings.Trim(r.Access, "rwm") != "":
		return fmt.Errorf("access %q is not made of r, w and m", r.Access)
	case r.Major < -1 || r.Minor < -1:
		return fmt.Errorf("negative device number")
	}
	return nil
}

// String is the rule in cgroup v1's devices.allow/deny syntax: "c 1:5 rw".
func (r DeviceRule) String() string {
	num := func(n int64) string {
		if n < 0 {
			return "*"
		}
		return fmt.Sprint(n)
	}
	a := r.Access
	if a == "" {
		a = "rwm"
	}
	if r.Type == 'a' {
		return "a *:* " + a
	}
	return fmt.Sprintf("%c %s:%s %s", r.Type, num(r.Major), num(r.Minor), a)
}
