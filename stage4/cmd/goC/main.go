// Command goC is stage 4 of the goC container runtime:
//
//	goC [global flags] spec|create|start|state|kill|delete|exec|… [flags] ID …
//	goC run [--network [bridge|none]] [-p HOST:CTR]… [limits] [flags] <rootfs> <cmd> [args…]
//
// runs OCI bundles through the container lifecycle, with runc's command
// line so that container managers can drive it as they drive runc, and
// goC run as stage 3 had it (<rootfs> may also name an image).
//
// Its command line is the package cli.
package main

import (
	"os"

	"goc.dev/stage4/cli"
)

const version = "0.4.0-stage4"

func main() {
	os.Exit(cli.Main(version, cli.Verbs(), os.Args[1:]))
}
