package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkRunTrue times "goC run ROOTFS /bin/true" against "runc run" of a
// bundle made from the same rootfs, "crun run" of the same bundle where crun
// works (a pure cgroup v2 host: make bench-vm), and unshare(1) of the same
// namespaces (the floor), interleaved in one run so that all see the same
// machine. It reports each one's time per run and goC's ratios to runc and
// crun: make bench.
func BenchmarkRunTrue(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	bin := os.Getenv("GOC_BIN")
	rootfs := os.Getenv("GOC_ROOTFS")
	if bin == "" || rootfs == "" {
		b.Fatal("set GOC_BIN and GOC_ROOTFS (make bench does)")
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		b.Fatal("runc is not installed (apt-get install runc)")
	}
	bundle := runcBundle(b, runc, rootfs)
	crun := usableCrun(b, bundle)
	state := b.TempDir()
	stages, _ := filepath.Glob(filepath.Join(bin, "stage[1-5]", "goC"))
	if len(stages) == 0 {
		b.Fatalf("no stage binaries in %s", bin)
	}
	for _, goC := range stages {
		b.Run(filepath.Base(filepath.Dir(goC)), func(b *testing.B) { runTrue(b, goC, runc, crun, bundle, state, rootfs) })
	}
}

func runTrue(b *testing.B, goC, runc, crun, bundle, state, rootfs string) {
	cmds := []struct {
		name string
		args []string
	}{
		{"goC", []string{goC, "run", rootfs, "/bin/true"}},
		{"runc", []string{runc, "--root", state, "run", "--bundle", bundle, "goc-bench"}},
		{"unshare", []string{"unshare", "--pid", "--fork", "--mount", "--uts", "--ipc", "--mount-proc", "true"}},
	}
	if crun != "" {
		cmds = append(cmds, struct {
			name string
			args []string
		}{"crun", []string{crun, "--root", state, "run", "--bundle", bundle, "goc-bench-crun"}})
	}
	total := make([]time.Duration, len(cmds))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, c := range cmds {
			start := time.Now()
			if out, err := exec.Command(c.args[0], c.args[1:]...).CombinedOutput(); err != nil {
				b.Fatalf("%s: %v\n%s", c.name, err, out)
			}
			total[j] += time.Since(start)
		}
	}
	b.StopTimer()
	for j, c := range cmds {
		b.ReportMetric(float64(total[j].Microseconds())/1000/float64(b.N), c.name+"-ms/run")
	}
	b.ReportMetric(float64(total[0])/float64(total[1]), "goC/runc")
	b.ReportMetric(float64(total[0])/float64(total[2]), "goC/unshare")
	if crun != "" {
		b.ReportMetric(float64(total[0])/float64(total[3]), "goC/crun")
	}
}

// usableCrun returns crun's path if it runs the bundle here, else "" after
// saying why on stderr: crun is not installed, or it refuses this host
// (Debian's crun 1.8 runs on a pure cgroup v2 host and refuses a hybrid one:
// "cgroups in hybrid mode not supported"). Not a failure: runc stays the
// reference everywhere.
func usableCrun(b *testing.B, bundle string) string {
	crun, err := exec.LookPath("crun")
	if err != nil {
		noteOnce("crun", "crun: skipped: not installed (apt-get install crun)")
		return ""
	}
	out, err := exec.Command(crun, "--root", b.TempDir(), "run", "--bundle", bundle, "goc-bench-probe").CombinedOutput()
	if err != nil {
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		noteOnce("crun", "crun: skipped: it does not run the bundle on this host (%v: %s)", err, line)
		return ""
	}
	return crun
}

// runcBundle writes a runc bundle whose root is rootfs and whose process is
// /bin/true, starting from "runc spec".
func runcBundle(b *testing.B, runc, rootfs string) string {
	dir := b.TempDir()
	if out, err := exec.Command(runc, "spec", "--bundle", dir).CombinedOutput(); err != nil {
		b.Fatalf("runc spec: %v\n%s", err, out)
	}
	p := filepath.Join(dir, "config.json")
	raw, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		b.Fatal(err)
	}
	// runc refuses a root that is a symlink (build/rootfs may be one).
	if real, err := filepath.EvalSymlinks(rootfs); err == nil {
		rootfs = real
	}
	spec["root"] = map[string]any{"path": rootfs, "readonly": true}
	proc := spec["process"].(map[string]any)
	proc["terminal"] = false
	proc["args"] = []string{"/bin/true"}
	out, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(p, out, 0o644); err != nil {
		b.Fatal(err)
	}
	noteOnce("runc bundle", "runc bundle: %s (and one per benchmark run)", dir)
	return dir
}

// noted holds the keys noteOnce has printed.
var noted sync.Map

// noteOnce prints a line on stderr the first time its key comes: the
// testing package calls a benchmark function more than once (b.N = 1 first),
// and a line printed in a later call lands in the middle of the result line.
func noteOnce(key, format string, args ...any) {
	if _, done := noted.LoadOrStore(key, true); !done {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}

// BenchmarkNetworkPrice times "goC run --network ROOTFS /bin/true" against
// "goC run ROOTFS /bin/true", interleaved: what a network namespace wired
// to the bridge costs (stage 3 and later).
func BenchmarkNetworkPrice(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	removeDefaultBridgeAfter(b)
	goC := filepath.Join(os.Getenv("GOC_BIN"), "goC")
	rootfs := os.Getenv("GOC_ROOTFS")
	if out, err := exec.Command(goC, "run", "--network", rootfs, "/bin/true").CombinedOutput(); err != nil {
		b.Skipf("this goC has no --network (stage 3 and later): %v %s", err, out)
	}
	variants := [][]string{
		{goC, "run", rootfs, "/bin/true"},
		{goC, "run", "--network", rootfs, "/bin/true"},
		{goC, "run", "--network", "none", rootfs, "/bin/true"},
	}
	total := interleaved(b, variants)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(total[0]), "plain-ms/run")
	b.ReportMetric(ms(total[1]), "bridge-ms/run")
	b.ReportMetric(ms(total[2]), "none-ms/run")
	b.ReportMetric(float64(total[1])/float64(total[0]), "bridge/plain")
	b.ReportMetric(float64(total[2])/float64(total[0]), "none/plain")
}

// BenchmarkSeccompPrice times "goC run ROOTFS /bin/true" (confined by
// Docker's default seccomp profile, stage 4 and later) against the same with
// --security-opt seccomp=unconfined, interleaved: what compiling and
// loading the profile costs at start.
func BenchmarkSeccompPrice(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	goC := filepath.Join(os.Getenv("GOC_BIN"), "goC")
	rootfs := os.Getenv("GOC_ROOTFS")
	unconfined := []string{goC, "run", "--security-opt", "seccomp=unconfined", rootfs, "/bin/true"}
	if out, err := exec.Command(unconfined[0], unconfined[1:]...).CombinedOutput(); err != nil {
		b.Skipf("this goC has no --security-opt (stage 4 and later): %v %s", err, out)
	}
	total := interleaved(b, [][]string{{goC, "run", rootfs, "/bin/true"}, unconfined})
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(total[0]), "default-ms/run")
	b.ReportMetric(ms(total[1]), "unconfined-ms/run")
	b.ReportMetric(float64(total[0])/float64(total[1]), "default/unconfined")
}

// BenchmarkProcessFloor times what one process costs before it does
// anything for a container, interleaved: /bin/true (fork and exec), an
// empty static Go program built here as goC is (the Go runtime's start and
// exit), goC --version and goC state of a stopped container (stage 4 and
// later: goC's start, the initialisation of all it links, one state.json),
// and runc's same two. A lifecycle is four goC processes and an init, so
// these bound how far below runc it can go.
func BenchmarkProcessFloor(b *testing.B) {
	goC, runc := lifecycleRuntimes(b)
	empty := emptyGoProgram(b)
	bundle := runcBundle(b, runc, os.Getenv("GOC_ROOTFS"))
	goCRoot, runcRoot := b.TempDir(), b.TempDir()
	stoppedContainer(b, goC, goCRoot, bundle)
	stoppedContainer(b, runc, runcRoot, bundle)
	rows := []struct {
		name string
		args []string
	}{
		{"true", []string{"/bin/true"}},
		{"go-empty", []string{empty}},
		{"goC-version", []string{goC, "--version"}},
		{"goC-state", []string{goC, "--root", goCRoot, "state", "floor"}},
		{"runc-version", []string{runc, "--version"}},
		{"runc-state", []string{runc, "--root", runcRoot, "state", "floor"}},
	}
	var cmds [][]string
	for _, r := range rows {
		cmds = append(cmds, r.args)
	}
	total := interleaved(b, cmds)
	for j, r := range rows {
		b.ReportMetric(float64(total[j].Microseconds())/1000/float64(b.N), r.name+"-ms")
	}
	b.ReportMetric(float64(total[3])/float64(total[5]), "goC/runc-state")
	b.ReportMetric(float64(total[1])/float64(total[5]), "go-empty/runc-state")
	b.ReportMetric(float64(total[3])/float64(total[1]), "goC-state/go-empty")
}

// emptyGoProgram builds "func main() {}" as make builds goC (static,
// stripped, then copied into place as make stages copies: see the
// Makefile) and returns its path.
func emptyGoProgram(b *testing.B) string {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	linked := filepath.Join(dir, "linked")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", linked, "main.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build an empty Go program: %v\n%s", err, msg)
	}
	out := filepath.Join(dir, "empty")
	if msg, err := exec.Command("install", "-m", "0755", linked, out).CombinedOutput(); err != nil {
		b.Fatalf("install the empty Go program: %v\n%s", err, msg)
	}
	return out
}

// stoppedContainer creates and starts container "floor" of bundle with bin
// under root, and waits until its /bin/true has exited; it is deleted at
// the end of the benchmark.
func stoppedContainer(b *testing.B, bin, root, bundle string) {
	b.Cleanup(func() { _ = exec.Command(bin, "--root", root, "delete", "--force", "floor").Run() })
	for _, verb := range [][]string{{"create", "--bundle", bundle, "floor"}, {"start", "floor"}} {
		// The container keeps create's stdio: not a pipe this process waits on.
		if err := exec.Command(bin, append([]string{"--root", root}, verb...)...).Run(); err != nil {
			b.Fatalf("%s %s: %v", bin, verb[0], err)
		}
	}
	if !awaitStopped(bin, root, "floor") {
		b.Fatalf("%s: container floor did not stop", bin)
	}
}

// awaitStopped polls "state" of container id until it says stopped (a
// second at most), as a container manager does; false if it never did.
func awaitStopped(bin, root, id string) bool {
	for k := 0; k < 1000; k++ {
		out, _ := exec.Command(bin, "--root", root, "state", id).Output()
		if strings.Contains(string(out), `"stopped"`) {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// lifecycleRuntimes returns the goC under test and runc, for the benchmarks
// of the OCI verbs: it skips without root or with a goC before stage 4.
func lifecycleRuntimes(b *testing.B) (goC, runc string) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	goC = filepath.Join(os.Getenv("GOC_BIN"), "goC")
	if err := exec.Command(goC, "spec", "--help").Run(); err != nil {
		b.Skip("this goC has no OCI lifecycle (stage 4 and later)")
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		b.Fatal("runc is not installed (apt-get install runc)")
	}
	return goC, runc
}

// BenchmarkLifecycle times create → start → (exit) → delete of a /bin/true
// bundle with goC (stage 4 and later), with runc and, where it works (see
// usableCrun), with crun, interleaved; goC's ratios to each.
func BenchmarkLifecycle(b *testing.B) {
	goC, runc := lifecycleRuntimes(b)
	bundle := runcBundle(b, runc, os.Getenv("GOC_ROOTFS"))
	runtimes := []struct{ name, bin, root string }{
		{"goC", goC, b.TempDir()}, {"runc", runc, b.TempDir()},
	}
	if crun := usableCrun(b, bundle); crun != "" {
		runtimes = append(runtimes, struct{ name, bin, root string }{"crun", crun, b.TempDir()})
	}
	total := make([]time.Duration, len(runtimes))
	// The container keeps create's stdio, so it must not be a pipe this
	// process waits on: /dev/null, and a log file for errors.
	logFile := filepath.Join(b.TempDir(), "log")
	run := func(bin string, args ...string) {
		cmd := exec.Command(bin, append([]string{"--log", logFile}, args...)...)
		if err := cmd.Run(); err != nil {
			log, _ := os.ReadFile(logFile)
			b.Fatalf("%s %v: %v\n%s", bin, args, err, log)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, rt := range runtimes {
			id := fmt.Sprintf("bench-%d", i)
			b.Cleanup(func() { _ = exec.Command(rt.bin, "--root", rt.root, "delete", "--force", id).Run() })
			start := time.Now()
			run(rt.bin, "--root", rt.root, "create", "--bundle", bundle, id)
			run(rt.bin, "--root", rt.root, "start", id)
			awaitStopped(rt.bin, rt.root, id) // until the process has exited
			run(rt.bin, "--root", rt.root, "delete", id)
			total[j] += time.Since(start)
		}
	}
	b.StopTimer()
	for j, rt := range runtimes {
		b.ReportMetric(float64(total[j].Microseconds())/1000/float64(b.N), rt.name+"-ms/cycle")
	}
	for j := 1; j < len(runtimes); j++ {
		b.ReportMetric(float64(total[0])/float64(total[j]), "goC/"+runtimes[j].name)
	}
}

// BenchmarkDaemon times "goC-cli run --rm IMAGE true" through goCd against
// "goC run IMAGE true" directly (what the daemon adds), interleaved; and
// "docker run --rm" when a Docker daemon answers.
func BenchmarkDaemon(b *testing.B) {
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
	if out, err := exec.Command("tar", "-C", os.Getenv("GOC_ROOTFS"), "-cf", tarball, ".").CombinedOutput(); err != nil {
		b.Fatalf("tar: %v %s", err, out)
	}
	if out, err := exec.Command(cli, "--socket", sock, "import", "goc-bench-image", tarball).CombinedOutput(); err != nil {
		b.Fatalf("import: %v %s", err, out)
	}
	variants := [][]string{
		{goC, "--root", root, "--data-root", data, "run", "goc-bench-image", "/bin/true"},
		// The host's network, as goC run's default: what is timed is
		// what the daemon adds (goC-cli's default is the bridge).
		{cli, "--socket", sock, "run", "--rm", "--network", "host", "goc-bench-image", "/bin/true"},
	}
	// A Docker daemon, when one answers (DOCKER_HOST), with an image
	// whose /bin/true is busybox's (GOC_DOCKER_IMAGE, default busybox).
	if exec.Command("docker", "info").Run() == nil {
		img := os.Getenv("GOC_DOCKER_IMAGE")
		if img == "" {
			img = "busybox"
		}
		variants = append(variants, []string{"docker", "run", "--rm", img, "true"})
	}
	total := interleaved(b, variants)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(total[0]), "goC-run-ms")
	b.ReportMetric(ms(total[1]), "goC-cli-run-ms")
	b.ReportMetric(float64(total[1])/float64(total[0]), "cli/direct")
	if len(total) > 2 {
		b.ReportMetric(ms(total[2]), "docker-run-ms")
		b.ReportMetric(float64(total[1])/float64(total[2]), "cli/docker")
	}
}

// interleaved runs each command line once per iteration, in turn (so that
// the machine's drift hits all alike), and returns their total times.
func interleaved(b *testing.B, variants [][]string) []time.Duration {
	total := make([]time.Duration, len(variants))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, v := range variants {
			start := time.Now()
			if out, err := exec.Command(v[0], v[1:]...).CombinedOutput(); err != nil {
				b.Fatalf("%v: %v\n%s", v, err, out)
			}
			total[j] += time.Since(start)
		}
	}
	b.StopTimer()
	return total
}
