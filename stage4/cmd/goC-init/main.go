// Command goC-init is the container's init, which goC starts (from beside
// itself) in the container's namespaces: it sets the container up and
// execs the workload. Package initproc is all of it; it links nothing
// else of goC's, so that it starts fast.
package main

import "goc.dev/shared/initproc"

func main() { initproc.Run() }
