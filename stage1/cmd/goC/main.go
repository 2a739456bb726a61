// Command goC is stage 1 of the goC container runtime:
//
//	goC run [flags] <rootfs> <cmd> [args…]
//
// runs cmd as PID 1 of new PID, mount, UTS and IPC namespaces, with rootfs as
// its root directory.
//
// Its command line is the package cli.
package main

import (
	"os"

	"goc.dev/stage1/cli"
)

const version = "0.1.0-stage1"

func main() {
	os.Exit(cli.Main(version, os.Args[1:]))
}
