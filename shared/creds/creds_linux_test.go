package creds

import (
	"bufio"
	"maps"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestApplyChangesTheCallingThreadOnly: the user goes to the thread that
// execs, the one the caller locked, and not to the rest of the process.
func TestApplyChangesTheCallingThreadOnly(t *testing.T) {
	type result struct {
		thread        string
		before, after map[string]string
		err           error
	}
	done := make(chan result)
	go func() {
		// Locked and never unlocked: the runtime ends this thread with
		// the goroutine, and its credentials with it.
		runtime.LockOSThread()
		var r result
		r.before = otherThreads(unix.Gettid())
		r.err = Apply(User{UID: 65534, GID: 65533}, nil, false)
		r.thread = ids("/proc/thread-self/status")
		r.after = otherThreads(unix.Gettid())
		done <- r
	}()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if want := "65534 65533"; r.thread != want {
		t.Errorf("the calling thread's uid and gid: %q, want %q", r.thread, want)
	}
	maps.DeleteFunc(r.after, func(tid, _ string) bool { _, ok := r.before[tid]; return !ok })
	maps.DeleteFunc(r.before, func(tid, _ string) bool { _, ok := r.after[tid]; return !ok })
	if len(r.before) == 0 {
		t.Fatal("no other thread to compare with")
	}
	if !maps.Equal(r.before, r.after) {
		t.Errorf("the other threads' uids and gids changed: before %v, after %v", r.before, r.after)
	}
}

// otherThreads is the uid and gid of each thread of the process but tid.
func otherThreads(tid int) map[string]string {
	tasks, _ := os.ReadDir("/proc/self/task")
	m := map[string]string{}
	for _, task := range tasks {
		if task.Name() != strconv.Itoa(tid) {
			m[task.Name()] = ids("/proc/self/task/" + task.Name() + "/status")
		}
	}
	return m
}

// ids is the real uid and gid in a /proc status file.
func ids(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var uid, gid string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) > 1 && fields[0] == "Uid:":
			uid = fields[1]
		case len(fields) > 1 && fields[0] == "Gid:":
			gid = fields[1]
		}
	}
	return uid + " " + gid
}
