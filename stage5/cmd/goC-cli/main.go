// Command goC-cli is goCd's thin client: every command is one or two API
// requests. It imports no container code, only api and client (a test
// checks that).
//
//	goC-cli [--socket PATH] run [-d] [--rm] [--name N] [-e K=V] [-w DIR] [-m|--memory M] [--cpu N] [--pids N] [--network MODE] [-p H:C] IMAGE CMD…
//	goC-cli ps [-a] | logs [-f] C | stop [-t SECONDS] C | kill [-s SIG] C | rm [-f] C | inspect C | wait C
//	goC-cli start [-a] C | restart [-t SECONDS] C | pause C | unpause C | top C [ps OPTIONS] | port C [PORT]
//	goC-cli images | import NAME ARCHIVE | rmi NAME | version | info
//	goC-cli --help | help [COMMAND] | COMMAND --help | completion bash|zsh|fish|powershell
//
// run also takes --hostname, --entrypoint, --label K=V and --restart POLICY
// (runopts.go); ps --filter KEY=VALUE and -q; logs --since, --tail and -t;
// inspect --format TEMPLATE (format.go).
//
// Which goCd: --socket PATH (GOC_SOCKET), or -H unix:///PATH or -H
// tcp://HOST:PORT (GOC_HOST) with --tlsverify --tlscacert CA --tlscert CERT
// --tlskey KEY (GOC_TLS_VERIFY, GOC_TLS_CACERT, GOC_TLS_CERT, GOC_TLS_KEY).
//
// run's network is bridge unless --network host|none, and its container is
// confined as Docker's are unless its flags, Docker's, say otherwise:
// [--privileged] [--cap-add CAP] [--cap-drop CAP] [--security-opt
// seccomp=unconfined|FILE] [--security-opt no-new-privileges] [--read-only]
// [-u|--user UID[:GID]] (security.go).
//
// The command line is spf13/cobra's, as docker's and podman's are: its
// flag syntax is theirs (pflag: -d, --name=x, -e K=V repeated, -h), every
// command and flag carries its description, from which both --help and the
// shell completion (goC-cli completion bash) are generated. root.go builds
// the tree; each command is one file (run.go, ps.go, …) whose constructor
// returns its *cobra.Command.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(execute(os.Args[1:], os.Stderr))
}

// execute runs goC-cli with args and returns its exit status: 0, the
// status an exitError carries (a container's own, 125 for run's errors, 2
// for a bad option before the command), or 1. An error is one line on
// stderr.
func execute(args []string, stderr io.Writer) int {
	root := newRootCommand()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	status := 1
	var ee *exitError
	if errors.As(err, &ee) {
		status = ee.status
		err = ee.err
	}
	if err != nil {
		fmt.Fprintln(stderr, "goC-cli:", err)
	}
	return status
}

// exitError ends goC-cli with status, printing err unless it is nil (a
// container's exit status needs no message).
type exitError struct {
	status int
	err    error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.status)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// list is a flag that may be given many times (-e A=1 -e B=2): each value
// is kept whole, commas and all. Its type, as Docker names it, is "list".
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }
func (l *list) Type() string       { return "list" }

func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
