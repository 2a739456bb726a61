package e2e

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// Background processes of a script that the script talks to while they run
// (testscript's own "&" keeps their output until they end). These commands
// run inside the test process, so they can set variables for later lines.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"spawn":   spawnCmd,
	"waitfor": waitforCmd,
	"finish":  finishCmd, // not "stop": testscript's own stop ends the script
	"cleanup": cleanupCmd,
}

// cleanup CMD… runs CMD when the script ends, however it ends: scenarios
// that make host-wide things (a bridge, a cgroup parent, a mount) say
// how to undo them up front, so a failing step leaves nothing behind.
func cleanupCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: cleanup cmd [args…]")
	}
	path := lookPathIn(ts.Getenv("PATH"), args[0])
	if path == "" {
		ts.Fatalf("cleanup: %s not found", args[0])
	}
	cmd := exec.Command(path, args[1:]...)
	cmd.Dir = ts.Getenv("WORK")
	cmd.Env = scriptEnv(ts)
	ts.Defer(func() { _ = cmd.Run() })
}

type spawned struct {
	cmd  *exec.Cmd
	out  string
	done chan struct{}
	err  error
}

var (
	spawnMu sync.Mutex
	spawns  = map[*testscript.TestScript]map[string]*spawned{}
)

// spawn NAME CMD… starts CMD in the background, its output going to the
// file NAME.out in $WORK. Whatever is still running when the script ends
// is killed.
func spawnCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: spawn name cmd [args…]")
	}
	name := args[0]
	path, err := exec.LookPath(args[1])
	if p := lookPathIn(ts.Getenv("PATH"), args[1]); p != "" {
		path, err = p, nil
	}
	ts.Check(err)
	out, err := os.Create(ts.MkAbs(name + ".out"))
	ts.Check(err)
	cmd := exec.Command(path, args[2:]...)
	cmd.Dir = ts.Getenv("WORK")
	cmd.Env = scriptEnv(ts)
	cmd.Stdout, cmd.Stderr = out, out
	ts.Check(cmd.Start())
	s := &spawned{cmd: cmd, out: out.Name(), done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		out.Close()
		close(s.done)
	}()
	spawnMu.Lock()
	if spawns[ts] == nil {
		spawns[ts] = map[string]*spawned{}
		ts.Defer(func() {
			spawnMu.Lock()
			defer spawnMu.Unlock()
			for _, s := range spawns[ts] {
				_ = s.cmd.Process.Kill()
				<-s.done
			}
			delete(spawns, ts)
		})
	}
	spawns[ts][name] = s
	spawnMu.Unlock()
}

func lookup(ts *testscript.TestScript, name string) *spawned {
	spawnMu.Lock()
	defer spawnMu.Unlock()
	s := spawns[ts][name]
	if s == nil {
		ts.Fatalf("no spawned process %q", name)
	}
	return s
}

// waitfor NAME REGEXP [VAR] waits (60s at most) until NAME's output
// matches REGEXP, and sets VAR to the first group of the match.
func waitforCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: waitfor name regexp [var]")
	}
	s := lookup(ts, args[0])
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(s.out)
		if m := re.FindStringSubmatch(string(b)); m != nil {
			if len(args) == 3 {
				if len(m) < 2 {
					ts.Fatalf("waitfor: %q has no group to set %s from", args[1], args[2])
				}
				ts.Setenv(args[2], m[1])
			}
			return
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(s.out)
			if re.Match(b) { // it printed it on its way out
				continue
			}
			ts.Fatalf("waitfor: %s ended (%v) without printing %q:\n%s", args[0], s.err, args[1], b)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfor: timed out waiting for %q from %s:\n%s", args[1], args[0], b)
		}
	}
}

// finish NAME [SIGNAL] sends SIGNAL (default TERM) and waits for NAME to
// end; its output stays in NAME.out.
func finishCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: finish name [signal]")
	}
	s := lookup(ts, args[0])
	sig := syscall.SIGTERM
	if len(args) == 2 {
		if sig = syscall.Signal(signum(args[1])); sig == 0 {
			ts.Fatalf("finish: unknown signal %q", args[1])
		}
	}
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		ts.Fatalf("finish: %s did not end", args[0])
	}
	b, _ := os.ReadFile(s.out)
	ts.Logf("%s ended: %v\n%s", args[0], s.err, b)
}

func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range []string{"PATH", "ROOTFS", "WORK", "TMPDIR", "HOME", "STAGE", "CGROUP_MODE"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	return env
}

func lookPathIn(path, name string) string {
	if strings.Contains(name, "/") {
		return name
	}
	for _, dir := range strings.Split(path, ":") {
		p := dir + "/" + name
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

func signum(name string) int {
	n := map[string]syscall.Signal{"TERM": syscall.SIGTERM, "INT": syscall.SIGINT, "KILL": syscall.SIGKILL, "HUP": syscall.SIGHUP}[strings.TrimPrefix(name, "SIG")]
	return int(n)
}
