package cli

import (
	"errors"
	"flag"
	"fmt"

	"goc.dev/shared/logging"
	"goc.dev/shared/process"
	"goc.dev/shared/spec"
	"goc.dev/stage4/container"
)

// execFlags are exec's flags: those that describe the process, and how
// to run it.
type execFlags struct {
	spec.ExecProcess
	consoleSocket, pidFile string
	detach, ignorePaused   bool
	preserveFds            int
}

func (f *execFlags) register(fs *flag.FlagSet) {
	f.Flags(fs)
	fs.StringVar(&f.consoleSocket, "console-socket", "", "")
	fs.BoolVar(&f.detach, "detach", false, "")
	fs.BoolVar(&f.detach, "d", false, "")
	fs.StringVar(&f.pidFile, "pid-file", "", "")
	fs.IntVar(&f.preserveFds, "preserve-fds", 0, "")
	fs.BoolVar(&f.ignorePaused, "ignore-paused", false, "")
}

// cmdExec is runc's exec:
//
//	goC exec [--process FILE] [--tty] [--console-socket S] [--detach] [--pid-file F]
//	         [--cwd D] [--env K=V]… [--user U[:G]] [--additional-gids G]… [--cap C]…
//	         [--no-new-privs] [--cgroup [CTRL:]PATH]… [--ignore-paused] ID [CMD…]
//
// Without --process the container's config.json process is the template
// and the flags change it. When goC fails, it exits 255, as runc exec.
func cmdExec(g *Globals, args []string) int {
	fs := newFlags("exec")
	var f execFlags
	f.register(fs)
	if err := parse(fs, args); err != nil {
		return logging.Fail(err, 255)
	}
	if fs.NArg() < 1 || (fs.NArg() < 2 && f.File == "") {
		return logging.Fail(errors.New("exec: need a container ID and a command (or --process)"), 255)
	}
	preserved, err := g.preserved.First(f.preserveFds)
	if err != nil {
		return logging.Fail(err, 255)
	}
	id := fs.Arg(0)
	info, err := container.State(g.Root, id)
	if err != nil {
		return logging.Fail(err, 255)
	}
	s, err := spec.Load(info.Bundle)
	if err != nil {
		return logging.Fail(err, 255)
	}
	f.Args = fs.Args()[1:]
	plan, err := f.Plan(s)
	if err != nil {
		return logging.Fail(fmt.Errorf("exec: %w", err), 255)
	}
	status, err := container.Exec(container.ExecOptions{Root: g.Root, ID: id, Plan: plan, Detach: f.detach,
		PidFile: f.pidFile, ConsoleSocket: f.consoleSocket, Preserved: preserved, IgnorePaused: f.ignorePaused, Cgroups: f.Cgroups})
	if err != nil && (status == 0 || status == process.StatusRuntimeError) {
		return logging.Fail(err, 255)
	} else if err != nil {
		Fail(err) // the command could not be run: 126, 127, as a shell says
	}
	return status
}
