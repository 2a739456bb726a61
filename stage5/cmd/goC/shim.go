package main

import (
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"goc.dev/shared/process"
	"goc.dev/stage4/cli"
	"goc.dev/stage4/container"
	"goc.dev/stage5/shim"
)

// shimVerb is "goC shim", stage 5's addition to stage 4's command line.
var shimVerb = cli.Verb{Name: shim.VerbName, Root: true, Run: runShim}

// runShim is a container's monitor for goCd (a "shim" in containerd's sense):
//
//	goC shim --dir DIR -- run --id ID [flags] IMAGE CMD…
//
// It records its PID and start time in DIR (Record), points its stdout and
// stderr at DIR's log (through a pipe, so that the time each line began is
// noted) and becomes "goC run …" in the same process: goC run in the
// foreground already waits for the container. The shim records the
// container's address once it runs (Info) and how it ended (Result; status
// 125 if goC run failed). goCd starts it in a session of its own and does
// not wait for it, so the container outlives goCd; the shim ignores the
// signals of a hangup. (A shim killed with SIGKILL takes the read end of
// the container's output with it, as containerd's does.) DIR is also the
// container's bundle, for goC exec (execspec.go). A container run with -i
// or -t (DIR has attach.json) has its stdio relayed by the shim, to the log
// and to attached clients (attach.go). Any other, once it runs, has the
// rest of its life watched by goC-shim, which the shim execs in its place
// (monitor.go), and goC shim --dir DIR --finish STATUS at its end.
func runShim(g *cli.Globals, args []string) int {
	if len(args) == 4 && args[0] == "--dir" && args[1] != "" && args[2] == shim.FinishFlag {
		return runFinish(shim.Dir(args[1]), args[3]) // monitor.go
	}
	if len(args) < 4 || args[0] != "--dir" || args[1] == "" || args[2] != "--" || args[3] != "run" {
		return cli.Fail(errors.New("shim: usage: goC shim --dir DIR -- run …"))
	}
	dir := shim.Dir(args[1])
	signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE)
	out, err := logTo(dir)
	if err != nil {
		return cli.Fail(err)
	}
	start, err := process.StartTime(os.Getpid())
	if err != nil {
		return cli.Fail(err)
	}
	warn(dir.WriteRecord(shim.Record{PID: os.Getpid(), Start: start}))
	att, err := attachable(dir) // run -i, -t: attach.go
	var mon string
	if err == nil && att == nil {
		mon, err = monitorBinary() // monitor.go
	}
	if err != nil {
		cli.Fail(err)
		warn(dir.WriteResult(shim.Result{Status: process.StatusRuntimeError}))
		return process.StatusRuntimeError
	}
	res := cli.Run(g, args[4:], func(o *container.Options) {
		o.OnStart = func(ip string) { warn(dir.WriteInfo(shim.Info{IP: ip})) }
		warn(bundleFor(dir, o, args[4:]))
		onStart := o.OnStart
		if att != nil {
			warn(att.prepare(o))
			o.OnStart = func(ip string) { att.started.Store(true); onStart(ip) }
		} else {
			// Once it runs, the monitor takes over (monitor.go).
			o.OnStart = func(ip string) { onStart(ip); out.handOff(dir, mon, o, ip) }
		}
	})
	if att != nil {
		att.finish()
	}
	out.end(dir)
	warn(dir.WriteResult(shim.Result{Status: res.Status, OOMKills: res.Stats.OOMKills}))
	return res.Status
}

// output is the container's output on its way to the log.
type output struct{ copy *shim.LogCopy }

// logTo points stdout and stderr at a pipe whose bytes go to the log, each
// line's time noted (shim.Dir.StartLog).
func logTo(dir shim.Dir) (*output, error) {
	w, c, err := dir.StartLog()
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if err := dupOut(w); err != nil {
		return nil, err
	}
	return &output{copy: c}, nil
}

// end points stdout and stderr at the log itself and waits, a little, for
// the container's last bytes: the log is whole before the result says the
// container has ended.
func (out *output) end(dir shim.Dir) {
	if log, err := os.OpenFile(dir.Log(), os.O_WRONLY|os.O_APPEND|unix.O_CLOEXEC, 0); err == nil {
		warn(dupOut(log))
		log.Close()
	}
	out.copy.Wait(2 * time.Second)
}

// dupOut makes f the process's stdout and stderr.
func dupOut(f *os.File) error {
	for _, fd := range []int{1, 2} {
		if err := unix.Dup2(int(f.Fd()), fd); err != nil {
			return err
		}
	}
	return nil
}

func warn(err error) {
	if err != nil {
		slog.Warn("shim: record", "err", err)
	}
}
