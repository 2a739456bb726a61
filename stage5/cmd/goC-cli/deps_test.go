package main

import (
	"os/exec"
	"strings"
	"testing"
)

// goC-cli is an API client only: no container code may creep in. Besides
// api and client it reads the credentials file goC-cli login writes
// (shared/registry/authfile: the standard library only), as Docker's
// client holds registry credentials, not its daemon.
func TestImportsOnlyAPIAndClient(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "goc.dev/") && dep != "goc.dev/stage5/api" && dep != "goc.dev/stage5/client" && dep != "goc.dev/stage5/cmd/goC-cli" &&
			dep != "goc.dev/shared/registry/authfile" {
			t.Errorf("goC-cli depends on %s", dep)
		}
	}
}
