package cgroups

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReclaimSkipsNonLeaves: a cgroup with children below goC's parent is
// no container's (those are leaves): Reclaim leaves it, and unlocked.
func TestReclaimSkipsNonLeaves(t *testing.T) {
	f := newFakeV2(t)
	f.install()
	pod := filepath.Join(f.h.V2, DefaultParent, "pod1")
	if err := os.MkdirAll(filepath.Join(pod, "c1"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.populate()
	if n, err := Reclaim(f.h, DefaultParent); n != 0 || err != nil {
		t.Fatalf("Reclaim = %d, %v; want 0, nil", n, err)
	}
	if _, err := os.Stat(filepath.Join(pod, "c1")); err != nil {
		t.Fatalf("Reclaim removed a non-leaf's child: %v", err)
	}
	lock, err := tryLock(pod)
	if err != nil {
		t.Fatalf("Reclaim left the non-leaf locked: %v", err)
	}
	lock.Close()
}
