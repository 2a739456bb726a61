package initproc

import (
	"net"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// loopbackUp brings up lo in the calling thread's network namespace: here
// a new one, made for this test on a thread that dies with it.
func TestLoopbackUp(t *testing.T) {
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread goes, with its namespace
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			done <- err
			return
		}
		lo, err := net.InterfaceByName("lo")
		if err != nil || lo.Flags&net.FlagUp != 0 {
			t.Errorf("a new namespace's lo: %+v, %v; want it down", lo, err)
		}
		if err := loopbackUp(); err != nil {
			done <- err
			return
		}
		if lo, err = net.InterfaceByName("lo"); err != nil || lo.Flags&net.FlagUp == 0 {
			t.Errorf("lo after loopbackUp: %+v, %v; want it up", lo, err)
		}
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
