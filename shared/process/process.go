// Package process holds what goC needs to start a workload and report how it
// ended: PATH lookup inside the container, exit statuses as a shell reports
// them, and signal forwarding.
package process

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Exit statuses with a fixed meaning, as in Docker and POSIX shells.
const (
	StatusRuntimeError  = 125 // goC itself failed
	StatusCannotExecute = 126 // the command exists but cannot be run
	StatusNotFound      = 127 // the command does not exist
)

// ExecError is a command that cannot be started; Status says which kind.
type ExecError struct {
	Name   string
	Status int
	Err    error
}

func (e *ExecError) Error() string { return fmt.Sprintf("exec %q: %v", e.Name, e.Err) }
func (e *ExecError) Unwrap() error { return e.Err }

// DefaultPath is the PATH a container gets when it sets none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// LookPath finds name as execve(2) and a shell would, in the calling
// process's root: names with a slash are taken as they are, others are
// searched along path (a colon-separated list).
func LookPath(name, path string) (string, error) {
	if name == "" {
		return "", &ExecError{Name: name, Status: StatusNotFound, Err: errors.New("empty command")}
	}
	if strings.Contains(name, "/") {
		return name, executable(name)
	}
	var denied error
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		err := executable(p)
		if err == nil {
			return p, nil
		}
		var ee *ExecError
		if errors.As(err, &ee) && ee.Status == StatusCannotExecute && denied == nil {
			denied = err
		}
	}
	if denied != nil {
		return "", denied
	}
	return "", &ExecError{Name: name, Status: StatusNotFound, Err: errors.New("executable file not found in $PATH")}
}

// executable checks that p is a regular file someone may execute.
func executable(p string) error {
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &ExecError{Name: p, Status: StatusNotFound, Err: fs.ErrNotExist}
	case err != nil:
		return &ExecError{Name: p, Status: StatusCannotExecute, Err: err}
	case fi.IsDir():
		return &ExecError{Name: p, Status: StatusCannotExecute, Err: errors.New("is a directory")}
	case fi.Mode()&0o111 == 0:
		return &ExecError{Name: p, Status: StatusCannotExecute, Err: fs.ErrPermission}
	}
	return nil
}

// ExecStatus maps an execve(2) error to the status a shell would report.
func ExecStatus(err error) int {
	if errors.Is(err, syscall.ENOENT) {
		return StatusNotFound
	}
	return StatusCannotExecute
}

// ExitStatus is the status a shell reports for a process that ended with
// ws: its exit code, or 128+N when signal N killed it.
func ExitStatus(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// MergeEnv returns base with each KEY=VALUE of overrides replacing the entry
// of the same KEY, or appended. (libc's getenv takes the first match, so an
// environment must not hold a key twice.)
func MergeEnv(base []string, overrides ...string) []string {
	out := append([]string(nil), base...)
	index := make(map[string]int, len(out))
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range overrides {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}

// HasEnv reports whether env sets key, with a value or without ("KEY",
// "KEY=").
func HasEnv(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}
