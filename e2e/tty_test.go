package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// tty-session SCRIPT CMD… runs CMD on a new pseudo-terminal, as a user at a
// terminal would, and plays SCRIPT against it. SCRIPT lines are
//
//	send "TEXT"     type TEXT (a Go string literal: "\r", "\x03" for Ctrl-C)
//	expect "RE"     wait (20s at most) until the output since the last
//	                match matches the regular expression RE (a Go string
//	                literal too)
//
// At the end it waits for CMD, prints everything CMD wrote to the terminal
// and exits with CMD's status.
func ttySession() {
	if len(os.Args) < 3 {
		fatalf("usage: tty-session script cmd [args…]")
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fatalf("tty-session: %v", err)
	}
	master, slave := openPty()
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		fatalf("tty-session: %v", err)
	}
	slave.Close()

	var mu sync.Mutex
	var out strings.Builder
	done := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				close(done)
				return
			}
		}
	}()
	transcript := func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.ReplaceAll(out.String(), "\r", "")
	}
	fail := func(format string, args ...any) {
		_ = cmd.Process.Kill()
		fmt.Print(transcript())
		fatalf("tty-session: "+format, args...)
	}

	seen := 0
	for _, line := range strings.Split(string(script), "\n") {
		verb, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch verb {
		case "", "#":
		case "send":
			text, err := strconv.Unquote(arg)
			if err != nil {
				fail("bad send %s: %v", arg, err)
			}
			if _, err := master.WriteString(text); err != nil {
				fail("send: %v", err)
			}
		case "expect":
			pat, err := strconv.Unquote(arg)
			if err != nil {
				fail("bad expect %s: %v", arg, err)
			}
			re, err := regexp.Compile(pat)
			if err != nil {
				fail("bad expect: %v", err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				t := transcript()
				if loc := re.FindStringIndex(t[seen:]); loc != nil {
					seen += loc[1]
					break
				}
				if time.Now().After(deadline) {
					fail("timed out waiting for %q", arg)
				}
				time.Sleep(10 * time.Millisecond)
			}
		default:
			fail("unknown script verb %q", verb)
		}
	}

	timer := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
	err = cmd.Wait()
	timer.Stop()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	fmt.Print(transcript())
	os.Exit(exitCode(err))
}

func openPty() (master, slave *os.File) {
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		fatalf("open /dev/ptmx: %v", err)
	}
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil {
		fatalf("unlock pty: %v", err)
	}
	s, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(m), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if errno != 0 {
		fatalf("open pty slave: %v", errno)
	}
	_ = unix.IoctlSetWinsize(m, unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80})
	return os.NewFile(uintptr(m), "ptmx"), os.NewFile(s, "pts")
}
