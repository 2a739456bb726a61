//go:build !linux

package main

import (
	"errors"
	"os/exec"
)

// The suite and the runtimes it tests are Linux-only: elsewhere the harness
// builds (for its unit tests) but refuses to run.

var errLinuxOnly = errors.New("the OCI suite runs on Linux only")

func ownGroup(*exec.Cmd)  {}
func killGroup(*exec.Cmd) {}

func removeSuiteCgroups() (int, error) { return 0, errLinuxOnly }

// Cleanup refuses: see cleanup_linux.go.
func Cleanup(Runtime, string) (Leftovers, error) { return Leftovers{}, errLinuxOnly }
