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
	Access string // some of "rwm", in any order; "" means all
}

// perms is the rule's access in "rwm" order, each once: other letters are
// ignored, as runc ignores them ("rwa" is "rw"); "" if none is left.
func (r DeviceRule) perms() string {
	if r.Access == "" {
		return "rwm"
	}
	var out []byte
	for _, c := range []byte("rwm") {
		if strings.IndexByte(r.Access, c) >= 0 {
			out = append(out, c)
		}
	}
	return string(out)
}

// access returns the rule's access as BPF_DEVCG_ACC_* bits.
func (r DeviceRule) access() uint32 {
	var bits uint32
	for _, c := range r.perms() {
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
	case r.perms() == "":
		return fmt.Errorf("access %q has none of r, w and m", r.Access)
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
	a := r.perms()
	if r.Type == 'a' {
		return "a *:* " + a
	}
	return fmt.Sprintf("%c %s:%s %s", r.Type, num(r.Major), num(r.Minor), a)
}
