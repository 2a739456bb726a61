package main

import (
	"os/exec"
	"strings"
	"testing"
)

// goC-shim stays small (issue 16): each package's start-up is memory in
// every running container's shim. Of goC's own packages it imports only
// the leaf packages shim and process; of the others, x/sys/unix only.
func TestImportsStaySmall(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"goc.dev/stage5/cmd/goC-shim": true, "goc.dev/stage5/shim": true,
		"goc.dev/shared/process": true, "goc.dev/shared/atomicfile": true, "golang.org/x/sys/unix": true}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") && !allowed[dep] {
			t.Errorf("goC-shim depends on %s", dep)
		}
	}
}
