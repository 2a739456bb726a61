package network

import (
	"bytes"
	"net"
	"net/netip"
	"runtime"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// ensureBridge in a network namespace of its own, whose /sys is still the
// host's (unshare -n, nsenter --net: what make soak and the benches run
// goCd in): /sys/class/net shows the host's links, not this namespace's,
// so nothing about the bridge may be read there. A new bridge gets its
// MAC address; one that has another (an older goC's) is given it; a
// second call finds it as it is.
func TestEnsureBridgeInANetnsWithoutItsSysfs(t *testing.T) {
	const name = "goCtestpin0" // no such link on the host: its sysfs has no file for it
	gw := netip.MustParsePrefix("10.123.0.1/24")
	want := bridgeMAC(gw.Addr())
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread goes, with its namespace
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			done <- err
			return
		}
		mac := func() net.HardwareAddr {
			l, err := netlink.LinkByName(name)
			if err != nil {
				t.Error(err)
				return nil
			}
			return l.Attrs().HardwareAddr
		}
		for i := range 2 {
			if _, err := ensureBridge(name, gw); err != nil {
				t.Errorf("ensureBridge, call %d: %v", i+1, err)
			}
			if got := mac(); !bytes.Equal(got, want) {
				t.Errorf("after call %d: MAC %s, want %s", i+1, got, want)
			}
		}
		// A bridge with another address (made by an older goC) is given its own.
		l, _ := netlink.LinkByName(name)
		if err := netlink.LinkSetHardwareAddr(l, net.HardwareAddr{0x02, 0, 0, 0, 0, 1}); err != nil {
			done <- err
			return
		}
		if _, err := ensureBridge(name, gw); err != nil {
			t.Errorf("ensureBridge of a bridge with another MAC: %v", err)
		}
		if got := mac(); !bytes.Equal(got, want) {
			t.Errorf("a bridge with another MAC: now %s, want %s", got, want)
		}
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
