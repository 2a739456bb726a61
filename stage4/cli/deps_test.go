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
// are built at start: package seccomp has the tables as data. Nor regexp:
// its users compiled their patterns, and unicode built its tables, at
// every start, for checks a loop makes.
func TestGoCLinksNoRegistryClient(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "goc.dev/stage4/cmd/goC", "goc.dev/stage5/cmd/goC").Output()
	if err != nil {
		t.Fatal(err)
	}
	denied := []string{"net/http", "crypto/tls", "goc.dev/shared/registry", "goc.dev/shared/image/remote",
		"github.com/klauspost/compress", "github.com/docker/", "github.com/google/go-containerregistry/", "github.com/opencontainers/go-digest",
		"github.com/elastic/go-seccomp-bpf", "regexp"}
	for _, dep := range strings.Fields(string(out)) {
		for _, d := range denied {
			if dep == d || strings.HasPrefix(dep, strings.TrimSuffix(d, "/")+"/") {
				t.Errorf("goC depends on %s", dep)
			}
		}
	}
}

// goC-init starts in every container before the workload, its package
// initialisation on the way: it links no package net (the console socket
// and the seccomp agent are goC's to dial), no regexp, no crypto.
func TestInitLinksLittle(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "goc.dev/stage4/cmd/goC-init", "goc.dev/stage5/cmd/goC-init").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, d := range []string{"net", "regexp", "crypto"} {
			if dep == d || strings.HasPrefix(dep, d+"/") {
				t.Errorf("goC-init depends on %s", dep)
			}
		}
	}
}
