package cgroups

import (
	"errors"
	"syscall"
	"testing"
	"time"
)

// The init may be cloned as soon as the cgroup says so, not once it is
// made; a cgroup that fails first says why.
func TestPending(t *testing.T) {
	t.Run("clone before the cgroup is made", func(t *testing.T) {
		dir := t.TempDir()
		finish := make(chan struct{})
		p := Begin(func(cloneDir func(string)) (Manager, error) {
			cloneDir(dir)
			<-finish // the rest of the cgroup, still being made
			return &v2{dir: dir}, nil
		})
		var attr syscall.SysProcAttr
		done := make(chan error, 1)
		go func() {
			into, err := p.CloneInto(&attr)
			closeAll(into)
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil || !attr.UseCgroupFD {
				t.Fatalf("CloneInto = %v, attr %+v: want the announced directory", err, attr)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("CloneInto waited for the whole cgroup")
		}
		close(finish)
		if m, err := p.Wait(); err != nil || m.Path() != dir {
			t.Fatalf("Wait = %v, %v", m, err)
		}
	})
	t.Run("nothing to clone into", func(t *testing.T) {
		finish := make(chan struct{})
		p := Begin(func(cloneDir func(string)) (Manager, error) {
			cloneDir("")
			<-finish
			return nil, errors.New("no cgroup")
		})
		var attr syscall.SysProcAttr
		if into, err := p.CloneInto(&attr); err != nil || into != nil || attr.UseCgroupFD {
			t.Fatalf("CloneInto = %v, %v, attr %+v: want a plain clone", into, err, attr)
		}
		close(finish)
		if _, err := p.Wait(); err == nil || err.Error() != "no cgroup" {
			t.Fatalf("Wait = %v", err)
		}
		if _, err := p.Wait(); err == nil {
			t.Fatal("a second Wait forgot the failure")
		}
	})
	t.Run("failed before it said", func(t *testing.T) {
		p := Begin(func(cloneDir func(string)) (Manager, error) {
			return nil, errors.New("no parent")
		})
		var attr syscall.SysProcAttr
		if _, err := p.CloneInto(&attr); err == nil || err.Error() != "no parent" {
			t.Fatalf("CloneInto = %v: want the cgroup's failure", err)
		}
	})
}
