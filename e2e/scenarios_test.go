package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// namesCgroups matches a scenario whose text names cgroups or one of the
// flags that set a cgroup limit: what can behave differently from one
// cgroup mode to the other.
var namesCgroups = regexp.MustCompile(`(?i)\bcgroups?\b|--(memory|cpus?|cpu-shares|cpuset-cpus|cpuset-mems|pids(-limit)?|blkio-weight)\b|\boom`)

// scenarioFiles lists the scenarios of dir. With cgroupOnly (vm/e2e.sh,
// in the VM's run of the cgroup mode that make e2e-host has already run
// every scenario on), only those whose text names cgroups.
func scenarioFiles(dir string, cgroupOnly bool) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil || !cgroupOnly {
		return files, err
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if namesCgroups.Match(b) {
			out = append(out, f)
		}
	}
	return out, nil
}

func TestScenarioFiles(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"limits.txtar":   "exec goC run --memory 10m $ROOTFS true\n",
		"cpus.txtar":     "exec goC-cli run --cpus 0.5 img true\n",
		"oom.txtar":      "# OOM reported\n",
		"state.txtar":    "grep cgroup state.json\n",
		"hostname.txtar": "exec goC run $ROOTFS hostname\n",
		"memo.txtar":     "# a memorandum: --memoryless is no flag\n",
		"notes.txt":      "cgroup\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all, err := scenarioFiles(dir, false)
	if err != nil || len(all) != 6 {
		t.Fatalf("every scenario: %v, %v; want the 6 .txtar files", all, err)
	}
	some, err := scenarioFiles(dir, true)
	var names []string
	for _, f := range some {
		names = append(names, filepath.Base(f))
	}
	want := []string{"cpus.txtar", "limits.txtar", "oom.txtar", "state.txtar"}
	if err != nil || len(names) != len(want) {
		t.Fatalf("the scenarios naming cgroups: %v, %v; want %v", names, err, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("the scenarios naming cgroups: %v; want %v", names, want)
		}
	}
}
