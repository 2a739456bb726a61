package state

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// fifoContainer is a container directory with its exec fifo made, and the
// init's O_PATH handle on it.
func fifoContainer(t *testing.T) (*Container, *os.File) {
	t.Helper()
	c, err := Create(t.TempDir(), "fifo-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MakeFifo(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(c.Fifo(), unix.O_PATH, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fi, err := os.Stat(c.Fifo())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeNamedPipe == 0 || fi.Mode().Perm() != 0o622 {
		t.Fatalf("exec fifo is %v, want a named pipe with mode 0622", fi.Mode())
	}
	return c, f
}

// initSide plays the init: it waits for start through the handle, then
// writes why it failed (if it did) and closes the fifo as exec would.
func initSide(handle *os.File, min int, failure string) <-chan error {
	done := make(chan error, 1)
	go func() {
		w, err := AwaitStart(fmt.Sprintf("/proc/self/fd/%d", handle.Fd()), min)
		if err != nil {
			done <- err
			return
		}
		if int(w.Fd()) < min {
			done <- fmt.Errorf("fifo at descriptor %d, want at least %d", w.Fd(), min)
		}
		if failure != "" {
			_, _ = w.WriteString(failure)
		}
		done <- w.Close()
	}()
	return done
}

func TestFifo(t *testing.T) {
	alive := func() bool { return true }
	for _, tc := range []struct {
		name    string
		toEnd   bool
		failure string
		want    string // Release's error, "" for none
	}{
		{"byte only", false, "", ""},
		{"to the end", true, "", ""},
		{"failure written before the end", true, "startContainer hook /bin/false: exit status 1", "startContainer hook /bin/false: exit status 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, handle := fifoContainer(t)
			done := initSide(handle, 100, tc.failure)
			err := c.Release(tc.toEnd, alive)
			if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && got != tc.want) {
				t.Fatalf("Release = %v, want %q", err, tc.want)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(c.Fifo()); !os.IsNotExist(err) {
				t.Fatalf("the fifo is still there after start: %v", err)
			}
		})
	}
}

func TestFifoInitGone(t *testing.T) {
	c, _ := fifoContainer(t)
	err := c.Release(true, func() bool { return false })
	if err == nil || !strings.Contains(err.Error(), "exited before start") {
		t.Fatalf("Release with a dead init = %v", err)
	}
}

func TestFifoNotWaiting(t *testing.T) {
	c, err := Create(t.TempDir(), "fifo-2")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Release(false, func() bool { return true }); err == nil || !strings.Contains(err.Error(), "not waiting to start") {
		t.Fatalf("Release without a fifo = %v", err)
	}
}

// The init may write its byte, exec, and its workload end between start's
// empty read and its look at whether the init lives: that is a container
// that started, not one whose init died before start.
func TestFifoStartedAndGoneAtOnce(t *testing.T) {
	for _, toEnd := range []bool{false, true} {
		c, _ := fifoContainer(t)
		gone := func() bool {
			w, err := os.OpenFile(c.Fifo(), os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte{0}); err != nil {
				t.Fatal(err)
			}
			w.Close() // exec closed it; the workload has ended already
			return false
		}
		if err := c.Release(toEnd, gone); err != nil {
			t.Errorf("Release(toEnd=%v) = %v, want nil: the init did start", toEnd, err)
		}
	}
}
