package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkExec times `goC-cli exec c true` through goCd against `goC
// exec` of the same container directly (what the API, the upgraded
// stream and the exec record add), and against `docker exec` when a
// Docker daemon answers (DOCKER_HOST; GOC_DOCKER_IMAGE, default busybox).
// Ratios, not absolute times, are the result: make bench.
func BenchmarkExec(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	bin := os.Getenv("GOC_BIN")
	goCd, cli, goC := filepath.Join(bin, "stage5", "goCd"), filepath.Join(bin, "stage5", "goC-cli"), filepath.Join(bin, "stage5", "goC")
	if _, err := os.Stat(goCd); err != nil {
		b.Skip("no stage-5 binaries (make stage5)")
	}
	dir := b.TempDir()
	sock, data, root := filepath.Join(dir, "d.sock"), filepath.Join(dir, "data"), filepath.Join(dir, "state")
	d := exec.Command(goCd, "--socket", sock, "--data-root", data, "--root", root)
	if err := d.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { d.Process.Signal(os.Interrupt); d.Wait() }()
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	tarball := filepath.Join(dir, "rootfs.tar")
	run := func(args ...string) string {
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			b.Fatalf("%v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("tar", "-C", os.Getenv("GOC_ROOTFS"), "-cf", tarball, ".")
	run(cli, "--socket", sock, "import", "goc-bench-image", tarball)
	cid := run(cli, "--socket", sock, "run", "-d", "--name", "c", "--network", "none", "goc-bench-image", "sleep", "100000")
	defer run(cli, "--socket", sock, "rm", "-f", "c")
	variants := [][]string{
		{goC, "--root", root, "--data-root", data, "exec", cid, "true"},
		{cli, "--socket", sock, "exec", "c", "true"},
	}
	if exec.Command("docker", "info").Run() == nil {
		img := os.Getenv("GOC_DOCKER_IMAGE")
		if img == "" {
			img = "busybox"
		}
		dc := run("docker", "run", "-d", "--rm", "--network", "none", img, "sleep", "100000")
		defer run("docker", "rm", "-f", dc)
		variants = append(variants, []string{"docker", "exec", dc, "true"})
	}
	total := interleaved(b, variants)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(total[0]), "goC-exec-ms")
	b.ReportMetric(ms(total[1]), "goC-cli-exec-ms")
	b.ReportMetric(float64(total[1])/float64(total[0]), "cli/direct")
	if len(total) > 2 {
		b.ReportMetric(ms(total[2]), "docker-exec-ms")
		b.ReportMetric(float64(total[1])/float64(total[2]), "cli/docker")
	}
}
