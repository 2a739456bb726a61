package container

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// signalName is "SIGTERM" for 15.
func signalName(s syscall.Signal) string {
	n := unix.SignalName(s)
	if n == "" {
		return ""
	}
	return strings.ToUpper(n)
}

// ParseSignal reads TERM, SIGTERM or 15.
func ParseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
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
