package cgroups

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// The verifier gives up with EAGAIN when a signal is pending, and the Go
// runtime signals its threads (SIGURG, preemption): the load is tried
// again, as libbpf does, but not forever, and other errors are not retried.
func TestRetryEAGAIN(t *testing.T) {
	for _, tc := range []struct {
		name  string
		errs  []error
		calls int
		ok    bool
	}{
		{"at once", []error{nil}, 1, true},
		{"after EAGAIN twice", []error{unix.EAGAIN, unix.EAGAIN, nil}, 3, true},
		{"after EINTR", []error{unix.EINTR, nil}, 2, true},
		{"EPERM is final", []error{unix.EPERM, nil}, 1, false},
		{"EAGAIN for ever", []error{unix.EAGAIN, unix.EAGAIN, unix.EAGAIN, unix.EAGAIN, unix.EAGAIN, unix.EAGAIN, unix.EAGAIN, unix.EAGAIN, unix.EAGAIN, unix.EAGAIN, unix.EAGAIN, unix.EAGAIN}, bpfLoadAttempts, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			fd, err := retryLoad(func() (uintptr, error) {
				err := tc.errs[calls]
				calls++
				if err != nil {
					return 0, err
				}
				return 7, nil
			})
			if calls != tc.calls || (err == nil) != tc.ok || (tc.ok && fd != 7) {
				t.Fatalf("calls %d, fd %d, err %v; want calls %d, ok %v", calls, fd, err, tc.calls, tc.ok)
			}
			if !tc.ok && !errors.Is(err, tc.errs[calls-1]) {
				t.Fatalf("err %v does not wrap %v", err, tc.errs[calls-1])
			}
		})
	}
}
