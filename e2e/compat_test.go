package e2e

// The compatibility tests (make test-compat): containerd, Docker and
// Podman drive goC in place of runc. Each manager runs privately — its own
// data, state and socket under the scenario's work directory, in a network
// namespace of its own (its bridge, iptables rules and forwarding sysctl
// live and die there) — and everything it made is undone when the scenario
// ends, however it ends. Only processes the test started are stopped, by
// PID (and shims by the private paths on their command lines).

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"goc.dev/shared/image"
)

func TestCompat(t *testing.T) {
	if os.Getenv("GOC_COMPAT") != "1" {
		t.Skip("the compatibility tests run with make test-compat (GOC_COMPAT=1)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("the compatibility tests start container managers: run them as root")
	}
	bin := absEnv(t, "GOC_BIN", "../bin")
	goC := filepath.Join(bin, "stage4", "goC")
	rootfs := absEnv(t, "GOC_ROOTFS", "../build/rootfs")
	files, _ := filepath.Glob("testdata/compat/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scenarios in testdata/compat")
	}
	t.Cleanup(func() { // after the scenarios, which run in parallel
		if !t.Failed() {
			for _, f := range files {
				t.Logf("%s: %d checks passed", strings.TrimSuffix(filepath.Base(f), ".txtar"), countChecks(f))
			}
		}
	})
	testscript.Run(t, testscript.Params{
		Dir:  "testdata/compat",
		Cmds: scriptCmds,
		Setup: func(env *testscript.Env) error {
			env.Setenv("GOC", goC)
			env.Setenv("GOC5", filepath.Join(bin, "stage5")) // goCd, goC-cli and their goC
			env.Setenv("ROOTFS", rootfs)
			name := strings.TrimSuffix(filepath.Base(env.WorkDir), filepath.Ext(env.WorkDir))
			name = strings.TrimPrefix(name, "script-")
			m, err := startManager(env, name, goC)
			if err != nil {
				return err
			}
			for k, v := range m {
				env.Setenv(k, v)
			}
			return nil
		},
	})
}

// countChecks counts a scenario's assertions: its commands that can fail.
func countChecks(path string) int {
	b, _ := os.ReadFile(path)
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "--") {
			break
		}
		for _, p := range []string{"exec ", "! exec ", "stdout ", "! stdout ", "stderr ", "grep "} {
			if strings.HasPrefix(line, p) {
				n++
			}
		}
	}
	return n
}

// deferrer is what the managers' setup needs of testscript.Env (a
// benchmark has its own).
type deferrer interface{ Defer(func()) }

// startManager starts the private manager a scenario is named for and
// returns the environment its commands need.
func startManager(env *testscript.Env, name, goC string) (map[string]string, error) {
	// m: short, for unix socket paths are limited
	return startManagerIn(env, filepath.Join(env.WorkDir, "m"), name, "goc-compat-"+name, goC)
}

// startManagerIn starts the private manager name ("docker", "containerd"
// or "podman") with its files in dir and its network in the namespace
// netns, both made here, and returns the environment its clients need.
func startManagerIn(env deferrer, dir, name, netns, goC string) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := makeNetns(env, netns); err != nil {
		return nil, err
	}
	vars := map[string]string{"NETNS": "/run/netns/" + netns, "M": dir}
	// The cgroup parent this manager makes for its containers, removed
	// afterwards if it was not there before (only its own: the scenarios
	// run side by side).
	if parent, ok := map[string]string{"docker": "docker", "podman": "libpod_parent", "containerd": "goc-compat"}[name]; ok {
		removeCgroupParentAfter(env, parent)
	}
	switch name {
	case "docker":
		return vars, startDocker(env, dir, netns, goC, vars)
	case "containerd":
		return vars, startContainerd(env, dir, netns, vars)
	case "podman":
		return vars, setupPodman(env, dir, goC, vars)
	}
	return nil, fmt.Errorf("no manager for scenario %q", name)
}

// makeNetns makes a network namespace with its loopback up, deleted at the
// end.
func makeNetns(env deferrer, netns string) error {
	if out, err := exec.Command("ip", "netns", "add", netns).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns add %s: %w %s", netns, err, out)
	}
	env.Defer(func() { _ = exec.Command("ip", "netns", "del", netns).Run() })
	if out, err := exec.Command("ip", "-n", netns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		return fmt.Errorf("lo up: %w %s", err, out)
	}
	return nil
}

// daemon starts a manager's daemon in the network namespace, in a mount
// namespace of its own (its mounts go with it), and stops it at the end.
func daemon(env deferrer, dir, netns string, args ...string) error {
	log, err := os.Create(filepath.Join(dir, filepath.Base(args[0])+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command("unshare", append([]string{"--mount", "--propagation", "slave", "nsenter", "--net=/run/netns/" + netns}, args...)...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	env.Defer(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		killShims(dir)
		log.Close()
	})
	return nil
}

// killShims stops the containerd shims our daemons started: they outlive
// their daemon by design, and name our private paths on their command line.
func killShims(dir string) {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte("containerd-shim")) || !bytes.Contains(b, []byte(dir)) {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// waitReady runs check until it succeeds, for a minute at the most.
func waitReady(what string, check func() error) error {
	var err error
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if err = check(); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s did not come up: %w", what, err)
}

func startDocker(env deferrer, dir, netns, goC string, vars map[string]string) error {
	sock := filepath.Join(dir, "docker.sock")
	err := daemon(env, dir, netns, "dockerd", "--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "x"),
		"--pidfile", filepath.Join(dir, "dockerd.pid"), "-H", "unix://"+sock, "--add-runtime", "goc="+goC, "--log-level", "warn")
	if err != nil {
		return err
	}
	vars["DOCKER_HOST"] = "unix://" + sock
	vars["DOCKER_CONFIG"] = filepath.Join(dir, "client")
	env.Defer(func() { // containers first, while dockerd is there to remove them
		out, _ := exec.Command("/usr/bin/docker", "-H", "unix://"+sock, "ps", "-aq").Output()
		if ids := strings.Fields(string(out)); len(ids) > 0 {
			_ = exec.Command("/usr/bin/docker", append([]string{"-H", "unix://" + sock, "rm", "-f"}, ids...)...).Run()
		}
	})
	return waitReady("dockerd", func() error {
		return exec.Command("/usr/bin/docker", "-H", "unix://"+sock, "info").Run()
	})
}

func startContainerd(env deferrer, dir, netns string, vars map[string]string) error {
	sock := filepath.Join(dir, "c.sock")
	cfg := fmt.Sprintf("version = 2\nroot = %q\nstate = %q\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n[grpc]\n  address = %q\n[ttrpc]\n  address = %q\n",
		filepath.Join(dir, "root"), filepath.Join(dir, "state"), sock, sock+".ttrpc")
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(cfg), 0o600); err != nil {
		return err
	}
	if err := daemon(env, dir, netns, "containerd", "--config", filepath.Join(dir, "config.toml")); err != nil {
		return err
	}
	vars["CONTAINERD_ADDRESS"] = sock
	vars["CONTAINERD_NAMESPACE"] = "goc-compat"
	return waitReady("containerd", func() error {
		return exec.Command("ctr", "--address", sock, "version").Run()
	})
}

// setupPodman writes a private containers.conf and storage.conf: Podman has
// no daemon; each command reads them (CONTAINERS_CONF, …).
func setupPodman(env deferrer, dir, goC string, vars map[string]string) error {
	conf := fmt.Sprintf(`[containers]
# Podman raises nofile and nproc to 1048576 for root by default; where
# CAP_SYS_RESOURCE is missing (this project's CI sandbox) no runtime can.
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "goc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = %q
tmp_dir = %q
runtime_supports_json = ["goc", "crun", "runc"]
[engine.runtimes]
goc = [%q]
[network]
network_config_dir = %q
`, filepath.Join(dir, "events.log"), filepath.Join(dir, "tmp"), goC, filepath.Join(dir, "cni"))
	storage := fmt.Sprintf("[storage]\ndriver = \"overlay\"\ngraphroot = %q\nrunroot = %q\n", filepath.Join(dir, "storage"), filepath.Join(dir, "run"))
	if err := os.WriteFile(filepath.Join(dir, "containers.conf"), []byte(conf), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "storage.conf"), []byte(storage), 0o600); err != nil {
		return err
	}
	vars["CONTAINERS_CONF"] = filepath.Join(dir, "containers.conf")
	vars["CONTAINERS_STORAGE_CONF"] = filepath.Join(dir, "storage.conf")
	env.Defer(func() {
		penv := append(os.Environ(), "CONTAINERS_CONF="+vars["CONTAINERS_CONF"], "CONTAINERS_STORAGE_CONF="+vars["CONTAINERS_STORAGE_CONF"])
		rm := exec.Command("nsenter", "--net="+vars["NETNS"], "podman", "rm", "-af", "-t", "0")
		rm.Env = penv
		_ = rm.Run()
		reset := exec.Command("podman", "system", "reset", "-f")
		reset.Env = penv
		_ = reset.Run()
		unmountUnder(dir)
	})
	return nil
}

// unmountUnder unmounts whatever is still mounted below dir.
func unmountUnder(dir string) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var points []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			points = append(points, f[4])
		}
	}
	for i := len(points) - 1; i >= 0; i-- {
		_ = syscall.Unmount(points[i], syscall.MNT_DETACH)
	}
}

// removeCgroupParentAfter removes a cgroup parent directory (in every
// hierarchy) at the end if it did not exist at the start and is empty.
func removeCgroupParentAfter(env deferrer, name string) {
	var made []string
	for _, root := range cgroupMounts() {
		d := filepath.Join(root, name)
		if _, err := os.Stat(d); errors.Is(err, fs.ErrNotExist) {
			made = append(made, d)
		}
	}
	env.Defer(func() {
		for _, d := range made {
			removeCgroupTree(d)
		}
	})
}

// cgroupMounts lists every cgroup and cgroup2 mount point — named v1
// hierarchies (name=systemd) and a hybrid host's empty cgroup2 included:
// managers make their directories in all of them.
func cgroupMounts() []string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		_, after, ok := strings.Cut(line, " - ")
		f := strings.Fields(line)
		if ok && len(f) > 4 && (strings.HasPrefix(after, "cgroup ") || strings.HasPrefix(after, "cgroup2 ")) {
			out = append(out, f[4])
		}
	}
	return out
}

func removeCgroupTree(d string) {
	entries, _ := os.ReadDir(d)
	for _, e := range entries {
		if e.IsDir() {
			removeCgroupTree(filepath.Join(d, e.Name()))
		}
	}
	_ = os.Remove(d)
}

// mkimage OUT ROOTFS NAME writes an OCI image archive of ROOTFS (one
// layer), named NAME, that ctr image import and podman load take.
func mkimage() {
	if len(os.Args) != 4 {
		fatalf("usage: mkimage out.tar rootfs name")
	}
	out, rootfs, name := os.Args[1], os.Args[2], os.Args[3]
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	if err := image.TarTree(tw, rootfs); err != nil {
		fatalf("mkimage: %v", err)
	}
	tw.Close()

	var archive bytes.Buffer
	aw := tar.NewWriter(&archive)
	put := func(b []byte) string {
		sum := sha256.Sum256(b)
		d := hex.EncodeToString(sum[:])
		aw.WriteHeader(&tar.Header{Name: "blobs/sha256/" + d, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b))})
		aw.Write(b)
		return "sha256:" + d
	}
	diffID := put(layer.Bytes())
	cfg, _ := json.Marshal(map[string]any{"architecture": runtime.GOARCH, "os": "linux",
		"config": map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, "Cmd": []string{"sh"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{diffID}}})
	cfgDigest := put(cfg)
	m, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfgDigest, "size": len(cfg)},
		"layers": []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": diffID, "size": layer.Len()}}})
	mDigest := put(m)
	tag := name[strings.LastIndex(name, ":")+1:]
	idx, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []map[string]any{{
		"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mDigest, "size": len(m),
		"annotations": map[string]string{"io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag}}}})
	for _, f := range []struct {
		name string
		body []byte
	}{{"index.json", idx}, {"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)}} {
		aw.WriteHeader(&tar.Header{Name: f.name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f.body))})
		aw.Write(f.body)
	}
	aw.Close()
	if err := os.WriteFile(out, archive.Bytes(), 0o644); err != nil {
		fatalf("mkimage: %v", err)
	}
}

// cleanups runs deferred functions last first, like testscript's.
type cleanups []func()

func (c *cleanups) Defer(f func()) { *c = append(*c, f) }
func (c *cleanups) run() {
	for i := len(*c) - 1; i >= 0; i-- {
		(*c)[i]()
	}
}

// BenchmarkDockerRun times "docker run --rm busybox true" with goC and with
// runc as Docker's runtime, interleaved, against one private dockerd.
func BenchmarkDockerRun(b *testing.B) {
	if os.Getenv("GOC_COMPAT") != "1" || os.Geteuid() != 0 {
		b.Skip("needs root and GOC_COMPAT=1 (make bench-compat)")
	}
	goC := filepath.Join(os.Getenv("GOC_BIN"), "stage4", "goC")
	var env cleanups
	defer env.run()
	dir, err := os.MkdirTemp("", "goc-bench-")
	if err != nil {
		b.Fatal(err)
	}
	env.Defer(func() { os.RemoveAll(dir) })
	removeCgroupParentAfter(&env, "docker")
	if err := makeNetns(&env, "goc-compat-bench"); err != nil {
		b.Fatal(err)
	}
	vars := map[string]string{}
	if err := startDocker(&env, dir, "goc-compat-bench", goC, vars); err != nil {
		b.Fatal(err)
	}
	docker := func(args ...string) error {
		cmd := exec.Command("/usr/bin/docker", args...)
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+vars["DOCKER_HOST"], "DOCKER_CONFIG="+vars["DOCKER_CONFIG"])
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("docker %v: %w %s", args, err, out)
		}
		return nil
	}
	imp := exec.Command("sh", "-c", "tar -C \"$ROOTFS\" -cf - . | /usr/bin/docker import - busybox:goc")
	imp.Env = append(os.Environ(), "ROOTFS="+os.Getenv("GOC_ROOTFS"), "DOCKER_HOST="+vars["DOCKER_HOST"], "DOCKER_CONFIG="+vars["DOCKER_CONFIG"])
	if out, err := imp.CombinedOutput(); err != nil {
		b.Fatalf("import: %v %s", err, out)
	}
	runtimes := []string{"goc", "runc"}
	total := make([]time.Duration, len(runtimes))
	for _, rt := range runtimes { // warm up
		if err := docker("run", "--rm", "--runtime", rt, "busybox:goc", "true"); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, rt := range runtimes {
			start := time.Now()
			if err := docker("run", "--rm", "--runtime", rt, "busybox:goc", "true"); err != nil {
				b.Fatal(err)
			}
			total[j] += time.Since(start)
		}
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(total[0]), "goC-ms")
	b.ReportMetric(ms(total[1]), "runc-ms")
	b.ReportMetric(float64(total[0])/float64(total[1]), "goC/runc")
}
