package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Stage 5's goC is stage 4's runtime; goCd adds only its shim. The copy
// must not drift: every file of stage 4's internal/container and of its
// drop-in verbs reads the same in stage 5 (import paths aside), except the
// lines that say what stage 5 adds.
func TestStage5RuntimeIsStage4s(t *testing.T) {
	added := map[string][]string{ // file → the lines stage 5 adds, in order
		"internal/container/config.go": {"", "	// OnStart, if set, is called with the container's address (\"\" without", "	// a bridge) once it runs (goCd's shim records it).", "	OnStart func(ip string)"},
		"internal/container/parent.go": {"	if o.OnStart != nil {", "		o.OnStart(res.IP)", "	}"},
	}
	files, _ := filepath.Glob("../stage4/internal/container/*.go")
	files = append(files, "../stage4/cmd/goC/exec.go", "../stage4/cmd/goC/runc.go")
	if len(files) < 7 {
		t.Fatalf("only %d files found", len(files))
	}
	for _, f4 := range files {
		rel, _ := filepath.Rel("../stage4", f4)
		b4, err := os.ReadFile(f4)
		if err != nil {
			t.Fatal(err)
		}
		b5, err := os.ReadFile(filepath.Join("../stage5", rel))
		if err != nil {
			t.Errorf("stage5 lacks %s", rel)
			continue
		}
		want := strings.ReplaceAll(string(b4), "goc.dev/stage4/", "goc.dev/stage5/")
		got := removeLines(string(b5), added[rel])
		if got != want {
			t.Errorf("stage5/%s differs from stage4's by more than stage 5's additions (make sync-stage5)", rel)
		}
	}
}

// removeLines drops the first place where lines appear one after another.
func removeLines(s string, lines []string) string {
	all := strings.Split(s, "\n")
	for i := 0; i+len(lines) <= len(all) && len(lines) > 0; i++ {
		match := true
		for j, l := range lines {
			if all[i+j] != l {
				match = false
				break
			}
		}
		if match {
			return strings.Join(append(all[:i:i], all[i+len(lines):]...), "\n")
		}
	}
	return s
}
