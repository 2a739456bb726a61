// Command goC is stage 3 of the goC container runtime:
//
//	goC run [--network [bridge|none]] [-p HOST:CTR]… [limits] [flags] <rootfs> <cmd> [args…]
//
// runs cmd as PID 1 of new PID, mount, UTS and IPC namespaces, with rootfs as
// its root directory, in a cgroup that holds it to the limits asked for, and
// with --network in a network namespace of its own.
//
// Its command line is the package cli.
package main

import (
	"os"

	"goc.dev/stage3/cli"
)

const version = "0.3.0-stage3"

func main() {
	os.Exit(cli.Main(version, os.Args[1:]))
}
