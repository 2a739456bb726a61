// Command goC-init is the container's init, which goC starts (from beside
// itself) in the container's namespaces: stage 4's, as stage 5 runs
// containers with stage 4's runtime. Package initproc is all of it.
package main

import "goc.dev/shared/initproc"

func main() { initproc.Run() }
