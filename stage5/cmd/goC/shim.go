package main

import (
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"goc.dev/shared/process"
)

// cmdShim is a container's monitor for goCd (a "shim" in containerd's
// sense):
//
//	goC shim --dir DIR -- run --id ID [flags] IMAGE CMD…
//
// It records its PID and start time in DIR/shim, points its stdout and
// stderr at DIR/log and becomes "goC run …" in the same process: goC run
// in the foreground already waits for the container and records its exit
// status in DIR/result.json (the shim writes 125 there if goC run could not).
// goCd starts it in a session of its own and does not wait for it, so the
// container outlives goCd; the shim ignores the signals of a hangup.
func cmdShim(g globals, args []string) int {
	fs := newFlags("shim")
	dir := fs.String("dir", "", "")
	if err := parse(fs, args); err != nil || *dir == "" || fs.NArg() == 0 || fs.Arg(0) != "run" {
		return fail(errors.New("shim: usage: goC shim --dir DIR -- run …"))
	}
	signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE)
	log, err := os.OpenFile(filepath.Join(*dir, "log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND|unix.O_CLOEXEC, 0o640)
	if err != nil {
		return fail(err)
	}
	for _, fd := range []int{1, 2} {
		if err := unix.Dup2(int(log.Fd()), fd); err != nil {
			return fail(err)
		}
	}
	log.Close()
	start, err := process.StartTime(os.Getpid())
	if err != nil {
		return fail(err)
	}
	writeJSON(filepath.Join(*dir, "shim"), map[string]any{"pid": os.Getpid(), "start": start})
	status := cmdRun(g, fs.Args()[1:])
	result := filepath.Join(*dir, "result.json")
	if _, err := os.Stat(result); err != nil {
		writeJSON(result, map[string]any{"status": status})
	}
	return status
}
