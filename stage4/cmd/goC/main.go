// Command goC is stage 4 of the goC container runtime: OCI bundles and the
// container lifecycle, with runc's command line (package cli) so that
// container managers can drive it as they drive runc.
package main

import (
	"os"

	"goc.dev/stage4/cli"
)

const version = "0.4.0-stage4"

func main() {
	os.Exit(cli.Main(version, cli.Verbs(), os.Args[1:]))
}
