package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkExecCompat times `exec CONTAINER true` into a running busybox
// container, interleaved, through: goC exec (stage 5's runtime, directly),
// goC-cli exec (through goCd), docker exec on a private dockerd with its
// default runtime (runc) and with goC as its runtime, and podman exec with
// goC as its runtime (Podman's own runc cannot set the rlimits it asks for
// on some hosts: docs/runtime-compat.md). Each manager gets its own files
// and network namespace, as the compat scenarios do, and is removed at the
// end. Ratios to goC-cli are reported: make bench-compat.
func BenchmarkExecCompat(b *testing.B) {
	if os.Getenv("GOC_COMPAT") != "1" || os.Geteuid() != 0 {
		b.Skip("needs root and GOC_COMPAT=1 (make bench-compat)")
	}
	bin, rootfs := os.Getenv("GOC_BIN"), os.Getenv("GOC_ROOTFS")
	goC4 := filepath.Join(bin, "stage4", "goC")
	var env cleanups
	defer env.run()
	dir, err := os.MkdirTemp("", "goc-bexec-") // short: unix socket paths are limited
	if err != nil {
		b.Fatal(err)
	}
	env.Defer(func() { os.RemoveAll(dir) })
	run := func(vars []string, args ...string) string {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), vars...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	variants := []execVariant{}
	variants = append(variants, goCdExecVariants(b, &env, filepath.Join(dir, "g"), bin, rootfs, run)...)
	variants = append(variants, dockerExecVariants(b, &env, filepath.Join(dir, "d"), goC4, rootfs, run)...)
	variants = append(variants, podmanExecVariant(b, &env, filepath.Join(dir, "p"), goC4, rootfs, run))
	total := make([]time.Duration, len(variants))
	for _, v := range variants { // warm up
		run(v.env, v.args...)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, v := range variants {
			start := time.Now()
			run(v.env, v.args...)
			total[j] += time.Since(start)
		}
	}
	b.StopTimer()
	for j, v := range variants {
		b.ReportMetric(float64(total[j].Microseconds())/1000/float64(b.N), v.name+"-ms")
		if j != 1 {
			b.ReportMetric(float64(total[1])/float64(total[j]), "goC-cli/"+v.name)
		}
	}
}

// execVariant is one way of running `exec … true`: its name, the
// environment its client needs and its command line.
type execVariant struct {
	name string
	env  []string
	args []string
}

type runFunc func(vars []string, args ...string) string

// goCdExecVariants starts goCd in dir and a container in it: goC exec and
// goC-cli exec into that container.
func goCdExecVariants(b *testing.B, env *cleanups, dir, bin, rootfs string, run runFunc) []execVariant {
	goCd, cli, goC := filepath.Join(bin, "stage5", "goCd"), filepath.Join(bin, "stage5", "goC-cli"), filepath.Join(bin, "stage5", "goC")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	sock, data, root := filepath.Join(dir, "d.sock"), filepath.Join(dir, "data"), filepath.Join(dir, "state")
	d := exec.Command(goCd, "--socket", sock, "--data-root", data, "--root", root)
	if err := d.Start(); err != nil {
		b.Fatal(err)
	}
	env.Defer(func() { _ = d.Process.Signal(os.Interrupt); _ = d.Wait() })
	if err := waitReady("goCd", func() error { _, err := os.Stat(sock); return err }); err != nil {
		b.Fatal(err)
	}
	tarball := filepath.Join(dir, "rootfs.tar")
	run(nil, "tar", "-C", rootfs, "-cf", tarball, ".")
	run(nil, cli, "--socket", sock, "import", "goc-bench-image", tarball)
	cid := run(nil, cli, "--socket", sock, "run", "-d", "--name", "c", "--network", "none", "goc-bench-image", "sleep", "100000")
	env.Defer(func() { _ = exec.Command(cli, "--socket", sock, "rm", "-f", "c").Run() })
	return []execVariant{
		{"goC", nil, []string{goC, "--root", root, "--data-root", data, "exec", cid, "true"}},
		{"goC-cli", nil, []string{cli, "--socket", sock, "exec", "c", "true"}},
	}
}

// dockerExecVariants starts a private dockerd (goC added as runtime "goc")
// and a container under each runtime: docker exec into each.
func dockerExecVariants(b *testing.B, env *cleanups, dir, goC, rootfs string, run runFunc) []execVariant {
	vars, err := startManagerIn(env, dir, "docker", "goc-bexec-docker", goC)
	if err != nil {
		b.Fatal(err)
	}
	denv := []string{"DOCKER_HOST=" + vars["DOCKER_HOST"], "DOCKER_CONFIG=" + vars["DOCKER_CONFIG"]}
	run(append(denv, "ROOTFS="+rootfs), "sh", "-c", `tar -C "$ROOTFS" -cf - . | /usr/bin/docker import - busybox:goc`)
	var vs []execVariant
	for _, rt := range []string{"runc", "goc"} {
		id := run(denv, "/usr/bin/docker", "run", "-d", "--runtime", rt, "--network", "none", "busybox:goc", "sleep", "100000")
		vs = append(vs, execVariant{"docker-" + rt, denv, []string{"/usr/bin/docker", "exec", id, "true"}})
	}
	return vs
}

// podmanExecVariant sets up a private Podman (goC as its runtime) and a
// container: podman exec into it.
func podmanExecVariant(b *testing.B, env *cleanups, dir, goC, rootfs string, run runFunc) execVariant {
	vars, err := startManagerIn(env, dir, "podman", "goc-bexec-podman", goC)
	if err != nil {
		b.Fatal(err)
	}
	penv := []string{"CONTAINERS_CONF=" + vars["CONTAINERS_CONF"], "CONTAINERS_STORAGE_CONF=" + vars["CONTAINERS_STORAGE_CONF"]}
	run(append(penv, "ROOTFS="+rootfs), "sh", "-c", `tar -C "$ROOTFS" -cf - . | podman import - localhost/busybox:goc`)
	id := run(penv, "podman", "run", "-d", "--network", "none", "localhost/busybox:goc", "sleep", "100000")
	return execVariant{"podman-goc", penv, []string{"podman", "exec", id, "true"}}
}
