package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sys/unix"

	"goc.dev/shared/testcerts"
)

// helpers are commands the scenarios call besides goC. They look at the
// host's side of things, or drive goC in ways testscript's exec cannot.
var helpers = map[string]func(){
	"mountinfo":    mountinfo,
	"with-fds":     withFds,
	"as-user":      asUser,
	"sigtest":      sigtest,
	"tty-session":  ttySession,
	"exe-attack":   exeAttack,
	"status":       status,
	"cgwatch":      cgwatch,
	"cgparent":     cgparent,
	"httpget":      httpget,
	"parallel":     parallel,
	"leases":       leases,
	"rmbridge":     rmbridge,
	"nftags":       nftags,
	"listen":       listen,
	"vethsgone":    vethsgone,
	"specedit":     specedit,
	"waitstate":    waitstate,
	"mkoci":        mkoci,
	"mktar":        mktar,
	"flipbyte":     flipbyte,
	"mkcerts":      mkcerts,
	"htpasswd":     htpasswd,
	"mkimage":      mkimage,
	"console":      console,
	"udpget":       udpget,
	"udpecho":      udpecho,
	"seccompagent": seccompagent,
	"escapeprobe":  escapeprobe,
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(2)
}

// mountinfo prints the host's mount table as "mountpoint fstype options",
// sorted: two snapshots compare equal when no mount was added or removed.
// Mounts inside other scenarios' work directories (which run in parallel)
// are left out; the calling scenario's own are kept.
func mountinfo() {
	work := os.Getenv("WORK")
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		fatalf("mountinfo: %v", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent maj:min root mountpoint options [optional…] - fstype source superopts
		pre, post, _ := strings.Cut(sc.Text(), " - ")
		a, b := strings.Fields(pre), strings.Fields(post)
		if len(a) < 6 || len(b) < 1 {
			continue
		}
		if strings.Contains(a[4], "/script-") && (work == "" || !strings.HasPrefix(a[4], work)) {
			continue
		}
		lines = append(lines, a[4]+" "+b[0]+" "+a[5])
	}
	sort.Strings(lines)
	fmt.Println(strings.Join(lines, "\n"))
}

// with-fds CMD… runs CMD with three extra descriptors open and inheritable:
// a host directory, a host file and the host's /proc. A runtime that leaks
// them hands the container a way out (CVE-2024-21626).
func withFds() {
	if len(os.Args) < 2 {
		fatalf("usage: with-fds cmd [args…]")
	}
	for _, p := range []string{"/", "/etc/passwd", "/proc"} {
		fd, err := unix.Open(p, unix.O_RDONLY, 0) // no O_CLOEXEC: inherited across exec
		if err != nil {
			fatalf("with-fds: open %s: %v", p, err)
		}
		_ = fd
	}
	path, err := exec.LookPath(os.Args[1])
	if err != nil {
		fatalf("with-fds: %v", err)
	}
	fatalf("with-fds: %v", unix.Exec(path, os.Args[1:], os.Environ()))
}

// as-user UID CMD… runs CMD as UID (and that GID), without privileges.
func asUser() {
	if len(os.Args) < 3 {
		fatalf("usage: as-user uid cmd [args…]")
	}
	var uid uint32
	if _, err := fmt.Sscan(os.Args[1], &uid); err != nil {
		fatalf("as-user: uid: %v", err)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
	os.Exit(exitCode(cmd.Run()))
}

// mkcerts DIR writes a CA, goCd's certificate for 127.0.0.1 and a client's
// signed by it, and a client of another CA (testcerts.Files) into DIR.
func mkcerts() {
	if len(os.Args) != 2 {
		fatalf("usage: mkcerts dir")
	}
	if err := testcerts.Write(os.Args[1]); err != nil {
		fatalf("mkcerts: %v", err)
	}
}

// htpasswd USER PASS prints an htpasswd line for USER with a bcrypt hash
// of PASS, the only hash Debian's docker-registry accepts (Debian's
// htpasswd is in apache2-utils, which the host need not have).
func htpasswd() {
	if len(os.Args) != 3 {
		fatalf("usage: htpasswd user pass")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(os.Args[2]), bcrypt.MinCost)
	if err != nil {
		fatalf("htpasswd: %v", err)
	}
	fmt.Printf("%s:%s\n", os.Args[1], h)
}

// status N CMD… runs CMD, passing its output through, and succeeds only if
// it exits with status N (128+S for a death by signal S).
func status() {
	if len(os.Args) < 3 {
		fatalf("usage: status N cmd [args…]")
	}
	var want int
	if _, err := fmt.Sscan(os.Args[1], &want); err != nil {
		fatalf("status: %v", err)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if got := exitCode(cmd.Run()); got != want {
		fatalf("status: %s exited %d, want %d", os.Args[2], got, want)
	}
}

// sigtest SIGNAL CMD… runs CMD, waits until it prints a line "ready",
// sends it SIGNAL, and exits with its status. What CMD printed is passed on.
func sigtest() {
	if len(os.Args) < 3 {
		fatalf("usage: sigtest SIGNAL cmd [args…]")
	}
	sig := unix.SignalNum("SIG" + strings.TrimPrefix(os.Args[1], "SIG"))
	if sig == 0 {
		fatalf("sigtest: unknown signal %q", os.Args[1])
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fatalf("sigtest: %v", err)
	}
	if err := cmd.Start(); err != nil {
		fatalf("sigtest: %v", err)
	}
	timer := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	sc := bufio.NewScanner(out)
	sent := false
	for sc.Scan() {
		fmt.Println(sc.Text())
		if !sent && sc.Text() == "ready" {
			_ = cmd.Process.Signal(sig)
			sent = true
		}
	}
	err = cmd.Wait()
	if !sent {
		fatalf("sigtest: the command never printed ready")
	}
	os.Exit(exitCode(err))
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
	fmt.Fprintln(os.Stderr, err)
	return 2
}
