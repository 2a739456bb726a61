// Command goC is stage 2 of the goC container runtime:
//
//	goC run [--memory SIZE] [--cpu N] [--pids N] [flags] <rootfs> <cmd> [args…]
//
// runs cmd as PID 1 of new PID, mount, UTS and IPC namespaces, with rootfs as
// its root directory, in a cgroup that holds it to the limits asked for.
//
// Its command line is the package cli.
package main

import (
	"os"

	"goc.dev/stage2/cli"
)

const version = "0.2.0-stage2"

func main() {
	os.Exit(cli.Main(version, os.Args[1:]))
}
