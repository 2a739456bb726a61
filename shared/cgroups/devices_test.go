package cgroups

import (
	"math/rand"
	"testing"

	"golang.org/x/sys/unix"
)

// run interprets the subset of eBPF deviceProgram emits, on one request.
func run(t *testing.T, prog []insn, typ, access, major, minor uint32) bool {
	ctx := [3]uint32{typ | access<<16, major, minor}
	var reg [11]uint64
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		dst, src := in.regs&0xf, in.regs>>4
		switch in.code {
		case opLdxW:
			if reg[src] != 0 || in.off%4 != 0 {
				t.Fatalf("load from r%d+%d", src, in.off)
			}
			reg[dst] = uint64(ctx[in.off/4])
		case opMov32X:
			reg[dst] = uint64(uint32(reg[src]))
		case opMov64K:
			reg[dst] = uint64(int64(in.imm))
		case opAnd32K:
			reg[dst] = uint64(uint32(reg[dst]) & uint32(in.imm))
		case opRsh32K:
			reg[dst] = uint64(uint32(reg[dst]) >> uint32(in.imm))
		case opJneK:
			if reg[dst] != uint64(int64(in.imm)) {
				pc += int(in.off)
			}
		case opExit:
			return reg[0] == 1
		default:
			t.Fatalf("unknown opcode %#x", in.code)
		}
	}
	t.Fatal("fell off the program")
	return false
}

// reachable reports whether every instruction can be reached (the kernel's
// verifier refuses a program with dead code).
func reachable(prog []insn) bool {
	seen := make([]bool, len(prog))
	var walk func(pc int)
	walk = func(pc int) {
		for ; pc < len(prog) && !seen[pc]; pc++ {
			seen[pc] = true
			switch prog[pc].code {
			case opExit:
				return
			case opJneK:
				walk(pc + 1 + int(prog[pc].off))
			}
		}
	}
	walk(0)
	for _, s := range seen {
		if !s {
			return false
		}
	}
	return true
}

// allowed is the rules' meaning, written plainly.
func allowed(rules []DeviceRule, typ byte, access uint32, major, minor int64) bool {
	ok := false
	for _, r := range rules {
		if (r.Type == 'a' || r.Type == typ) && access&^r.access() == 0 &&
			(r.Type == 'a' || r.Major < 0 || r.Major == major) && (r.Type == 'a' || r.Minor < 0 || r.Minor == minor) {
			ok = r.Allow
		}
	}
	return ok
}

func TestDeviceProgram(t *testing.T) {
	docker := []DeviceRule{
		{Allow: false, Type: 'a', Major: -1, Minor: -1, Access: "rwm"},
		{Allow: true, Type: 'c', Major: -1, Minor: -1, Access: "m"},
		{Allow: true, Type: 'b', Major: -1, Minor: -1, Access: "m"},
		{Allow: true, Type: 'c', Major: 1, Minor: 3, Access: "rwm"},
		{Allow: true, Type: 'c', Major: 1, Minor: 5, Access: "r"},
		{Allow: true, Type: 'c', Major: 136, Minor: -1, Access: "rwm"},
		{Allow: false, Type: 'c', Major: 1, Minor: 3, Access: "w"}, // a later deny wins
	}
	cases := []struct {
		typ          byte
		access       uint32
		major, minor int64
		want         bool
	}{
		{'c', 2, 1, 3, true},   // read /dev/null
		{'c', 4, 1, 3, false},  // write /dev/null: the last rule
		{'c', 2, 1, 5, true},   // read /dev/zero
		{'c', 6, 1, 5, false},  // read+write /dev/zero: w not granted
		{'b', 2, 8, 0, false},  // read /dev/sda
		{'b', 1, 8, 0, true},   // mknod /dev/sda
		{'c', 2, 136, 7, true}, // a pty
		{'c', 2, 4, 1, false},  // /dev/tty1
	}
	prog := deviceProgram(docker)
	if !reachable(prog) {
		t.Fatal("dead code in the program")
	}
	for _, c := range cases {
		typ := uint32(unix.BPF_DEVCG_DEV_CHAR)
		if c.typ == 'b' {
			typ = unix.BPF_DEVCG_DEV_BLOCK
		}
		if got := run(t, prog, typ, c.access, uint32(c.major), uint32(c.minor)); got != c.want || allowed(docker, c.typ, c.access, c.major, c.minor) != c.want {
			t.Errorf("%c %d:%d access %d: program says %v, want %v", c.typ, c.major, c.minor, c.access, got, c.want)
		}
	}

	// Random rule sets: the program agrees with the plain reading.
	rng := rand.New(rand.NewSource(1))
	types := []byte{'a', 'c', 'b'}
	for n := 0; n < 300; n++ {
		var rules []DeviceRule
		for i := rng.Intn(6); i >= 0; i-- {
			acc := []string{"r", "w", "m", "rw", "rm", "wm", "rwm"}[rng.Intn(7)]
			rules = append(rules, DeviceRule{Allow: rng.Intn(2) == 0, Type: types[rng.Intn(3)],
				Major: int64(rng.Intn(4)) - 1, Minor: int64(rng.Intn(4)) - 1, Access: acc})
		}
		prog := deviceProgram(rules)
		if !reachable(prog) {
			t.Fatalf("rules %+v: dead code in the program", rules)
		}
		for q := 0; q < 40; q++ {
			typ := types[1+rng.Intn(2)]
			access := uint32(1 + rng.Intn(7))
			major, minor := int64(rng.Intn(3)), int64(rng.Intn(3))
			bt := uint32(unix.BPF_DEVCG_DEV_CHAR)
			if typ == 'b' {
				bt = unix.BPF_DEVCG_DEV_BLOCK
			}
			if got, want := run(t, prog, bt, access, uint32(major), uint32(minor)), allowed(rules, typ, access, major, minor); got != want {
				t.Fatalf("rules %+v, %c %d:%d access %d: program %v, want %v", rules, typ, major, minor, access, got, want)
			}
		}
	}
}

func TestDeviceRuleString(t *testing.T) {
	for _, c := range []struct {
		r    DeviceRule
		want string
	}{
		{DeviceRule{Type: 'a', Major: -1, Minor: -1}, "a *:* rwm"},
		{DeviceRule{Type: 'c', Major: 1, Minor: 5, Access: "r"}, "c 1:5 r"},
		{DeviceRule{Type: 'b', Major: -1, Minor: -1, Access: "m"}, "b *:* m"},
		{DeviceRule{Type: 'c', Major: 136, Minor: -1, Access: "rwm"}, "c 136:* rwm"},
	} {
		if got := c.r.String(); got != c.want {
			t.Errorf("%+v = %q, want %q", c.r, got, c.want)
		}
	}
}
