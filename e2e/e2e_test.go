// Package e2e runs goC's testscript scenarios against the stage binaries.
//
// Stage N's binary runs the scenarios of stages 1…N, so a later stage never
// breaks earlier behaviour. The suite runs on whatever kernel it finds: on
// the host, or inside the QEMU VM (vm/) once per cgroup mode.
//
// Environment:
//
//	GOC_BIN     directory holding stage1/goC, stage2/goC, … (default ../bin)
//	GOC_ROOTFS  the busybox root filesystem (default ../build/rootfs)
//	GOC_STAGES  which stage binaries to test, e.g. "1 3" (default: all built)
package e2e

import (
	"debug/elf"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"goc.dev/shared/network"
)

func TestMain(m *testing.M) {
	testscript.Main(m, helpers)
}

func TestScenarios(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the e2e scenarios create namespaces and mounts: run them as root (make e2e-host asks sudo for it)")
	}
	bin := absEnv(t, "GOC_BIN", "../bin")
	rootfs := absEnv(t, "GOC_ROOTFS", "../build/rootfs")
	if _, err := os.Stat(filepath.Join(rootfs, "bin", "busybox")); err != nil {
		t.Fatalf("no rootfs at %s (make rootfs): %v", rootfs, err)
	}
	staticHelpers(t)
	stages := stagesToTest(t, bin)
	removeDefaultBridgeAfter(t)
	mode := cgroupMode()
	cgroupOnly := os.Getenv("GOC_CGROUP_SCENARIOS") == "1"
	t.Logf("cgroup mode %s; stage binaries %v; only the scenarios naming cgroups: %v", mode, stages, cgroupOnly)

	for _, s := range stages {
		goC := filepath.Join(bin, fmt.Sprintf("stage%d", s))
		t.Run(fmt.Sprintf("goC%d", s), func(t *testing.T) {
			for n := 1; n <= s; n++ {
				t.Run(fmt.Sprintf("stage%d", n), func(t *testing.T) {
					files, err := scenarioFiles(filepath.Join("testdata", fmt.Sprintf("stage%d", n)), cgroupOnly)
					if err != nil {
						t.Fatal(err)
					}
					if len(files) == 0 {
						return // none of this stage's names cgroups
					}
					testscript.Run(t, testscript.Params{
						Files: files,
						Cmds:  scriptCmds,
						Setup: func(env *testscript.Env) error {
							env.Setenv("PATH", goC+string(os.PathListSeparator)+env.Getenv("PATH"))
							env.Setenv("ROOTFS", rootfs)
							env.Setenv("STAGE", strconv.Itoa(s))
							env.Setenv("CGROUP_MODE", mode)
							return nil
						},
						Condition: func(cond string) (bool, error) {
							switch cond {
							case "cgroup2", "cgroup1":
								return mode == "v"+cond[len(cond)-1:], nil
							}
							if v, ok := strings.CutPrefix(cond, "stage>="); ok {
								n, err := strconv.Atoi(v)
								return s >= n, err
							}
							return false, fmt.Errorf("unknown condition %q", cond)
						},
					})
				})
			}
		})
	}
}

// staticHelpers fails unless this test binary is statically linked: its
// helper commands (udpecho) are copied into containers, whose rootfs has
// no C library. The Makefile builds with CGO_ENABLED=0; a plain `go test`
// with cgo on would fail a scenario with a puzzling "no such file".
func staticHelpers(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the e2e test binary is dynamically linked, and its helpers go into containers: run the suite with CGO_ENABLED=0 (make e2e-host does)")
		}
	}
}

// removeDefaultBridgeAfter removes goC's default bridge (goC0, with its
// masquerade rules and leases file) once the tests are done, if it was not
// there before: goC keeps it between containers, as Docker keeps docker0,
// but a test leaves nothing behind.
func removeDefaultBridgeAfter(tb testing.TB) {
	if _, err := net.InterfaceByName(network.DefaultBridge); err == nil {
		return
	}
	tb.Cleanup(func() {
		if err := network.RemoveBridge(network.DefaultStateDir, network.DefaultBridge); err != nil {
			tb.Logf("removing %s: %v", network.DefaultBridge, err)
		}
	})
}

func absEnv(t *testing.T, key, def string) string {
	v := os.Getenv(key)
	if v == "" {
		v = def
	}
	abs, err := filepath.Abs(v)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// stagesToTest lists the stage binaries to run: GOC_STAGES, or every
// bin/stageN/goC that exists.
func stagesToTest(t *testing.T, bin string) []int {
	var stages []int
	if v := os.Getenv("GOC_STAGES"); v != "" {
		for _, f := range strings.Fields(v) {
			n, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("GOC_STAGES: %v", err)
			}
			stages = append(stages, n)
		}
	} else {
		for n := 1; n <= 5; n++ {
			if _, err := os.Stat(filepath.Join(bin, fmt.Sprintf("stage%d", n), "goC")); err == nil {
				stages = append(stages, n)
			}
		}
	}
	for _, n := range stages {
		if _, err := os.Stat(filepath.Join(bin, fmt.Sprintf("stage%d", n), "goC")); err != nil {
			t.Fatalf("stage %d binary: %v (make stage%d)", n, err, n)
		}
	}
	if len(stages) == 0 {
		t.Fatalf("no stage binaries under %s (make stage1)", bin)
	}
	return stages
}

// cgroupMode is what /sys/fs/cgroup is: "v2" for a pure cgroup2 mount,
// "v1" otherwise (hybrid hosts included).
func cgroupMode() string {
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		return "v2"
	}
	return "v1"
}
