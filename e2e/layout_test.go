package e2e

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The layout the design card asks for, checked: one runtime (stage 5
// imports stage 4's, it holds no copy), short functions, and each stage an
// increment over the one before.

// TestLayoutStage5ImportsStage4: stage 5's goC is stage 4's command line with
// the shim verb added, by import.
func TestLayoutStage5ImportsStage4(t *testing.T) {
	for _, dir := range []string{"../stage5/container", "../stage5/internal/container", "../stage5/cli"} {
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s exists: stage 5 imports stage 4's runtime instead of holding a copy", dir)
		}
	}
	main, err := os.ReadFile("../stage5/cmd/goC/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(main), `"goc.dev/stage4/cli"`) {
		t.Error("stage5/cmd/goC/main.go does not import goc.dev/stage4/cli")
	}
	mod, err := os.ReadFile("../stage5/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), "goc.dev/stage4 v0.0.0") {
		t.Error("stage5/go.mod does not require goc.dev/stage4")
	}
}

// maxFuncLines is the longest a function of stage 4, stage 5 or shared may
// be (its declaration to its closing brace).
const maxFuncLines = 100

// TestLayoutShortFunctions keeps every function of stages 4 and 5 and of
// shared (tests aside) readable in one screen or two.
func TestLayoutShortFunctions(t *testing.T) {
	for _, root := range []string{"../stage4", "../stage5", "../shared"} {
		for _, f := range funcLengths(t, root) {
			if f.lines > maxFuncLines {
				t.Errorf("%s: %s is %d lines (at most %d)", f.file, f.name, f.lines, maxFuncLines)
			}
		}
	}
}

type funcLength struct {
	file, name string
	lines      int
}

func funcLengths(t *testing.T, root string) []funcLength {
	t.Helper()
	var out []funcLength
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
				out = append(out, funcLength{p, fd.Name.Name, n})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// maxStageDiff is how many lines `diff -rN` (tests aside) finds added or
// removed between one stage and the one before: each stage reads as an
// increment.
var maxStageDiff = map[string]int{"stage1→stage2": 400, "stage2→stage3": 400, "stage3→stage4": 2000}

// TestLayoutStageDiffs measures each stage against the one before it: the
// lines `diff -rN stageN stageN+1` marks < or >, with tests, test data,
// go.mod and go.sum left out.
func TestLayoutStageDiffs(t *testing.T) {
	if _, err := exec.LookPath("diff"); err != nil {
		t.Fatal("diff (diffutils) is needed")
	}
	for n := 1; n < 5; n++ {
		a, b := "stage"+string(rune('0'+n)), "stage"+string(rune('1'+n))
		out, _ := exec.Command("diff", "-rN", "-x", "*_test.go", "-x", "testdata", "-x", "go.sum", "-x", "go.mod", "../"+a, "../"+b).Output()
		lines := 0
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(l, "<") || strings.HasPrefix(l, ">") {
				lines++
			}
		}
		pair := a + "→" + b
		t.Logf("%s: %d lines", pair, lines)
		if max, ok := maxStageDiff[pair]; ok && lines > max {
			t.Errorf("diff -rN %s %s is %d lines (at most %d): make the change additive", a, b, lines, max)
		}
	}
}
