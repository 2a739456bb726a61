package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"goc.dev/shared/process"
)

// cmdShim is a container's monitor for goCd (a "shim" in containerd's
// sense):
//
//	goC shim --dir DIR -- run --id ID [flags] IMAGE CMD…
//
// It runs "goC run …" with its output appended to DIR/log, records its own
// PID and start time in DIR/shim, and once the container has ended its exit
// status in DIR/result.json (goC run writes it; the shim writes it itself if
// goC run could not). goCd starts it in a session of its own and does not
// wait for it, so the container outlives goCd; the shim ignores the signals
// a daemon's shutdown sends.
func cmdShim(g globals, args []string) int {
	fs := newFlags("shim")
	dir := fs.String("dir", "", "")
	if err := parse(fs, args); err != nil || *dir == "" || fs.NArg() == 0 {
		return fail(errors.New("shim: usage: goC shim --dir DIR -- run …"))
	}
	signal.Ignore(syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGPIPE)
	log, err := os.OpenFile(filepath.Join(*dir, "log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fail(err)
	}
	defer log.Close()
	self, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	start, err := process.StartTime(os.Getpid())
	if err != nil {
		return fail(err)
	}
	writeJSON(filepath.Join(*dir, "shim"), map[string]any{"pid": os.Getpid(), "start": start})
	cmd := exec.Command(self, append([]string{"--root", g.root, "--data-root", g.dataRoot}, fs.Args()...)...)
	cmd.Stdout, cmd.Stderr = log, log
	err = cmd.Run()
	result := filepath.Join(*dir, "result.json")
	if _, serr := os.Stat(result); serr != nil {
		status := 125
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			status = ee.ExitCode()
		} else if err != nil {
			fmt.Fprintln(log, "goC shim:", err)
		}
		writeJSON(result, map[string]any{"status": status})
	}
	return 0
}
