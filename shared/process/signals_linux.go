package process

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Forwarded are the signals goC passes on to the workload.
var Forwarded = []os.Signal{unix.SIGTERM, unix.SIGINT, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2}

// Forward sends every signal in Forwarded that goC receives to pid until
// stop is called. goC itself then no longer dies of them: the workload
// decides, and goC ends when it does.
func Forward(pid int) (stop func()) {
	f := Catch()
	f.To(pid)
	return f.Stop
}

// A Forwarder passes the signals in Forwarded that goC receives on to a
// process.
type Forwarder struct {
	pid      chan int
	done     chan struct{}
	stop     sync.Once
	catching chan struct{} // closed once they are caught (for tests)
}

// Catch starts catching the signals in Forwarded, in the background:
// os/signal makes a round trip to the Go runtime's signal thread for each,
// 0.1 ms or more on a virtual machine, and goC goes on meanwhile. Those
// that come before To names the process are held, then passed on: during
// setup they end the container's init, and goC with an error after its
// clean-up, rather than goC halfway through.
func Catch() *Forwarder {
	f := &Forwarder{pid: make(chan int, 1), done: make(chan struct{}), catching: make(chan struct{})}
	go f.forward()
	return f
}

func (f *Forwarder) forward() {
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, Forwarded...)
	close(f.catching)
	var held []os.Signal
	pid := 0
	for {
		select {
		case s := <-ch:
			if pid == 0 {
				held = append(held, s)
				continue
			}
			_ = unix.Kill(pid, s.(unix.Signal))
		case pid = <-f.pid:
			for _, s := range held {
				_ = unix.Kill(pid, s.(unix.Signal))
			}
			held = nil
		case <-f.done:
			return
		}
	}
}

// To passes what is caught, and was held, on to pid (> 0).
func (f *Forwarder) To(pid int) {
	if pid > 0 {
		f.pid <- pid
	}
}

// Stop ends the passing on. The signals stay caught, and are dropped,
// until goC exits: it is about to, cleaning up, which a second Ctrl-C
// must not cut short (and signal.Stop would cost the round trips again).
func (f *Forwarder) Stop() { f.stop.Do(func() { close(f.done) }) }

// DefaultSignals sets every signal goC inherited as ignored back to its
// default action: exec keeps ignored signals ignored, so without it a
// workload started under nohup, or as a script's background job, could
// not be stopped by SIGHUP or SIGINT, nor even trap them (a shell may not
// trap what was ignored on entry). Signals with a handler need nothing:
// exec resets those. The Go runtime installs a handler for all but
// SIGHUP and SIGINT, so in practice those are the two; runc's workloads
// start without them ignored too. Call it just before exec.
func DefaultSignals() error {
	var dfl sigaction // zero: SIG_DFL, no flags, empty mask
	for s := unix.Signal(1); s <= 64; s++ {
		if s == unix.SIGKILL || s == unix.SIGSTOP || !signal.Ignored(s) {
			continue
		}
		_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(s), uintptr(unsafe.Pointer(&dfl)), 0, unsafe.Sizeof(dfl.mask), 0, 0)
		if errno != 0 {
			return os.NewSyscallError("rt_sigaction", errno)
		}
	}
	return nil
}

// sigaction is the kernel's struct sigaction (amd64, arm64, riscv64).
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// signalName is "SIGTERM" for 15.
func signalName(s syscall.Signal) string {
	n := unix.SignalName(s)
	if n == "" {
		return ""
	}
	return strings.ToUpper(n)
}

// ParseSignal reads a signal as goC kill takes it: TERM, SIGTERM, 15, or 0
// (no signal).
func ParseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > 64 { // 0: no signal, only the checks (kill's liveness probe)
			return 0, fmt.Errorf("invalid signal %q", s)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	for n := syscall.Signal(1); n < 65; n++ {
		if signalName(n) == name {
			return n, nil
		}
	}
	return 0, fmt.Errorf("invalid signal %q", s)
}
