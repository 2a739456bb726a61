package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsCommandsAreExercised keeps the chapters true: every goC command a
// chapter shows at a "$ " prompt must be a step of some scenario, with
// build/rootfs standing for $ROOTFS.
func TestDocsCommandsAreExercised(t *testing.T) {
	var steps []string
	scenarios, _ := filepath.Glob("testdata/*/*.txtar")
	// The compatibility scenarios name the managers' clients through
	// their private settings.
	private := strings.NewReplacer("$D ", "docker ", "nsenter --net=$NETNS podman ", "podman ",
		"ctr --address $CONTAINERD_ADDRESS --namespace goc-compat ", "ctr ")
	for _, p := range scenarios {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if strings.Contains(p, "/compat/") {
			text = private.Replace(text)
		}
		steps = append(steps, strings.Split(text, "\n")...)
	}
	prompt := regexp.MustCompile(`^\$ (?:sudo )?(?:\./bin/)?((?:goC(?:-cli|d)?|docker|podman|ctr) .*)$`)
	chapters, _ := filepath.Glob("../docs/*.md")
	checked := 0
	for _, p := range chapters {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			m := prompt.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			cmd := m[1]
			if j := strings.Index(cmd, "  #"); j >= 0 { // a trailing comment
				cmd = cmd[:j]
			}
			cmd = strings.TrimSuffix(strings.TrimSpace(cmd), "; echo $?")
			cmd = strings.ReplaceAll(cmd, "build/rootfs", "$ROOTFS")
			checked++
			if !exercised(cmd, steps) {
				t.Errorf("%s:%d: %q is not a step of any scenario", p, i+1, cmd)
			}
		}
	}
	if checked == 0 {
		t.Fatal("found no commands in docs/*.md")
	}
}

func exercised(cmd string, steps []string) bool {
	for _, s := range steps {
		if strings.Contains(s, cmd) {
			return true
		}
	}
	return false
}
