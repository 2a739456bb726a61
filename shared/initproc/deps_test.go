package initproc

import (
	"os/exec"
	"strings"
	"testing"
)

// goC-init links this package and what it imports, and pays every one's
// initialisation at every container start: none of goC's heavy
// dependencies (the image and registry code, netlink, the seccomp
// compiler, config.json's conversion) may creep in.
func TestDepsStaySmall(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	allowed := []string{"goc.dev/shared/", "golang.org/x/sys/", "github.com/opencontainers/runtime-spec/specs-go"}
	denied := map[string]bool{"goc.dev/shared/spec": true, "goc.dev/shared/seccomp": true, "goc.dev/shared/network": true,
		"goc.dev/shared/image": true, "goc.dev/shared/registry": true}
	for _, dep := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(dep, "/")
		if !strings.Contains(first, ".") { // the standard library
			continue
		}
		ok := !denied[dep]
		if ok && !strings.HasPrefix(dep, "goc.dev/shared/") {
			ok = false
			for _, a := range allowed {
				ok = ok || strings.HasPrefix(dep, a)
			}
		}
		if !ok {
			t.Errorf("the init depends on %s", dep)
		}
	}
}
