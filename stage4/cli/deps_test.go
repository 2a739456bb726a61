package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// Every goC process (run, create, start, each state a container manager
// polls, delete) pays the initialisation of all that goC links. The
// registry client (HTTP, TLS, credential helpers, zstd, and
// go-containerregistry's reference parser with go-digest's regular
// expressions) is the image command's alone, in goC-image: goC (stage 4's
// and stage 5's) must not link it. Nor go-seccomp-bpf, whose syscall maps
// are built at start: package seccomp has the tables as data.
func TestGoCLinksNoRegistryClient(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "goc.dev/stage4/cmd/goC", "goc.dev/stage5/cmd/goC").Output()
	if err != nil {
		t.Fatal(err)
	}
	denied := []string{"net/http", "crypto/tls", "goc.dev/shared/registry", "goc.dev/shared/image/remote",
		"github.com/klauspost/compress", "github.com/docker/", "github.com/google/go-containerregistry/", "github.com/opencontainers/go-digest",
		"github.com/elastic/go-seccomp-bpf"}
	for _, dep := range strings.Fields(string(out)) {
		for _, d := range denied {
			if dep == d || strings.HasPrefix(dep, strings.TrimSuffix(d, "/")+"/") {
				t.Errorf("goC depends on %s", dep)
			}
		}
	}
}
