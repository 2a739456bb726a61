package cgroups

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// cgroup v2 has no devices.allow: a BPF_PROG_TYPE_CGROUP_DEVICE program
// attached to the cgroup answers each access. The program is a dozen
// kinds of instruction, generated here from the rules; the ~30k lines of
// a BPF library (and their cost in every goC's binary and start) would
// buy nothing more.

// insn is one eBPF instruction (struct bpf_insn).
type insn struct {
	code uint8
	regs uint8 // dst in the low nibble, src in the high one
	off  int16
	imm  int32
}

const (
	r0, r1, r2, r3, r4, r5, r6, r7 = 0, 1, 2, 3, 4, 5, 6, 7

	opLdxW    = unix.BPF_LDX | unix.BPF_MEM | unix.BPF_W
	opMov32X  = unix.BPF_ALU | unix.BPF_MOV | unix.BPF_X
	opMov64K  = unix.BPF_ALU64 | unix.BPF_MOV | unix.BPF_K
	opAnd32K  = unix.BPF_ALU | unix.BPF_AND | unix.BPF_K
	opRsh32K  = unix.BPF_ALU | unix.BPF_RSH | unix.BPF_K
	opJneK    = unix.BPF_JMP | unix.BPF_JNE | unix.BPF_K
	opExit    = unix.BPF_JMP | unix.BPF_EXIT
	accessAll = unix.BPF_DEVCG_ACC_MKNOD | unix.BPF_DEVCG_ACC_READ | unix.BPF_DEVCG_ACC_WRITE
)

func ldxw(dst, src uint8, off int16) insn  { return insn{code: opLdxW, regs: dst | src<<4, off: off} }
func mov32(dst, src uint8) insn            { return insn{code: opMov32X, regs: dst | src<<4} }
func mov64k(dst uint8, imm int32) insn     { return insn{code: opMov64K, regs: dst, imm: imm} }
func alu32k(op, dst uint8, imm int32) insn { return insn{code: op, regs: dst, imm: imm} }
func jnek(dst uint8, imm int32) insn       { return insn{code: opJneK, regs: dst, imm: imm} } // off set later

// deviceProgram compiles rules: each rule is a block that falls through to
// the next when it does not match; the rules are tried last first, so the
// last matching rule decides; nothing matched is denied.
//
//	r2 = ctx->access_type; r3 = r2 & 0xffff (type); r4 = r2 >> 16 (access)
//	r5 = ctx->major; r6 = ctx->minor
func deviceProgram(rules []DeviceRule) []insn {
	prog := []insn{
		ldxw(r2, r1, 0),
		mov32(r3, r2), alu32k(opAnd32K, r3, 0xffff),
		mov32(r4, r2), alu32k(opRsh32K, r4, 16),
		ldxw(r5, r1, 4),
		ldxw(r6, r1, 8),
	}
	for i := len(rules) - 1; i >= 0; i-- {
		r := rules[i]
		var block []insn
		if r.Type != 'a' {
			t := int32(unix.BPF_DEVCG_DEV_CHAR)
			if r.Type == 'b' {
				t = unix.BPF_DEVCG_DEV_BLOCK
			}
			block = append(block, jnek(r3, t))
		}
		if acc := r.access(); acc != accessAll {
			// Every access asked for must be one the rule names.
			block = append(block, mov32(r7, r4), alu32k(opAnd32K, r7, int32(^acc&accessAll)), jnek(r7, 0))
		}
		if r.Type != 'a' && r.Major >= 0 {
			block = append(block, jnek(r5, int32(r.Major)))
		}
		if r.Type != 'a' && r.Minor >= 0 {
			block = append(block, jnek(r6, int32(r.Minor)))
		}
		allow := int32(0)
		if r.Allow {
			allow = 1
		}
		block = append(block, mov64k(r0, allow), insn{code: opExit})
		for j := range block { // a failed test skips to the end of the block
			if block[j].code == opJneK {
				block[j].off = int16(len(block) - j - 1)
			}
		}
		prog = append(prog, block...)
		if len(block) == 2 {
			// It matches everything: what would follow is unreachable,
			// which the verifier refuses.
			return prog
		}
	}
	return append(prog, mov64k(r0, 0), insn{code: opExit})
}

func encode(prog []insn) []byte {
	b := make([]byte, 8*len(prog))
	for i, in := range prog {
		b[8*i] = in.code
		b[8*i+1] = in.regs
		binary.LittleEndian.PutUint16(b[8*i+2:], uint16(in.off))
		binary.LittleEndian.PutUint32(b[8*i+4:], uint32(in.imm))
	}
	return b
}

// attachDeviceFilter loads the rules' program and attaches it to the
// cgroup directory dir; the attachment keeps it for the cgroup's life.
func attachDeviceFilter(dir string, rules []DeviceRule) error {
	code := encode(deviceProgram(rules))
	license := []byte("Apache-2.0\x00")
	fd, err := retryLoad(func() (uintptr, error) { return loadProgram(code, license, nil) })
	if err != nil {
		// Again, with the verifier's log for the message (one line).
		logBuf := make([]byte, 256<<10)
		if fd2, err2 := retryLoad(func() (uintptr, error) { return loadProgram(code, license, logBuf) }); err2 == nil {
			unix.Close(int(fd2))
		}
		log := strings.Join(strings.Fields(unix.ByteSliceToString(logBuf)), " ")
		return fmt.Errorf("device cgroup: load BPF program: %w (verifier: %q)", err, log)
	}
	prog := os.NewFile(fd, "bpf-prog")
	defer prog.Close()
	cg, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer cg.Close()
	attach := struct{ target, prog, typ, flags, replace uint32 }{
		target: uint32(cg.Fd()), prog: uint32(prog.Fd()), typ: unix.BPF_CGROUP_DEVICE, flags: unix.BPF_F_ALLOW_MULTI,
	}
	if _, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_ATTACH, uintptr(unsafe.Pointer(&attach)), unsafe.Sizeof(attach)); errno != 0 {
		return fmt.Errorf("device cgroup: attach BPF program to %s: %w", dir, errno)
	}
	return nil
}

// loadProgram is bpf(BPF_PROG_LOAD); with logBuf, the verifier writes
// its reasoning there.
// bpfLoadAttempts bounds retryLoad, as libbpf bounds its own.
const bpfLoadAttempts = 10

// retryLoad calls load again while it fails with EAGAIN or EINTR: the
// verifier gives up when a signal is pending, and the Go runtime signals
// its threads (SIGURG, for preemption) — often enough under emulation
// (QEMU's TCG) that one try in many fails.
func retryLoad(load func() (uintptr, error)) (uintptr, error) {
	var err error
	for range bpfLoadAttempts {
		var fd uintptr
		if fd, err = load(); !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
	return 0, fmt.Errorf("%w (%d tries)", err, bpfLoadAttempts)
}

func loadProgram(code, license, logBuf []byte) (uintptr, error) {
	load := struct {
		progType, insnCnt  uint32
		insns, license     uint64
		logLevel, logSize  uint32
		logBuf             uint64
		kernVersion, flags uint32
		name               [16]byte
		ifindex, attachTyp uint32
	}{
		progType: unix.BPF_PROG_TYPE_CGROUP_DEVICE, insnCnt: uint32(len(code) / 8),
		insns: uint64(uintptr(unsafe.Pointer(&code[0]))), license: uint64(uintptr(unsafe.Pointer(&license[0]))),
	}
	if len(logBuf) > 0 {
		load.logLevel, load.logSize, load.logBuf = 1, uint32(len(logBuf)), uint64(uintptr(unsafe.Pointer(&logBuf[0])))
	}
	copy(load.name[:], "goC_devices")
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_LOAD, uintptr(unsafe.Pointer(&load)), unsafe.Sizeof(load))
	if errno != 0 {
		return 0, errno
	}
	return fd, nil
}
